#!/usr/bin/env bash
# Builds the production image and starts it once, on a throw-away SQLite volume: the container
# must report healthy (its HEALTHCHECK asks /healthz) and stop cleanly on SIGTERM. Needs a
# running Docker engine; .ci/run calls it only where `docker info` answers.
set -euo pipefail
cd "$(dirname "$0")/.."

image="jifen-ci:$$"
name="jifen-ci-$$"
volume="jifen-ci-data-$$"
cleanup() {
  docker rm -f "$name" >/dev/null 2>&1 || true
  docker volume rm "$volume" >/dev/null 2>&1 || true
  docker image rm "$image" >/dev/null 2>&1 || true
}
trap cleanup EXIT

docker build --quiet --tag "$image" .
docker run --detach --name "$name" --volume "$volume:/app/data" \
  --health-interval 2s --health-start-period 60s "$image" >/dev/null
for _ in $(seq 1 60); do
  status="$(docker inspect --format '{{.State.Health.Status}}' "$name")"
  [ "$status" = healthy ] && break
  [ "$status" = unhealthy ] && break
  sleep 2
done
docker logs "$name" 2>&1 | tail -n 20
if [ "$status" != healthy ]; then
  echo "the image did not become healthy: $status" >&2
  exit 1
fi
docker stop --time 20 "$name" >/dev/null
exit_code="$(docker inspect --format '{{.State.ExitCode}}' "$name")"
if [ "$exit_code" != 0 ]; then
  echo "the container exited $exit_code on SIGTERM" >&2
  exit 1
fi
echo "image built, healthy, and stopped cleanly"
