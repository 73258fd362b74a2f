import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { Domain } from '../domain/index.ts'
import { CHANNELS } from '../domain/members/members.ts'
import { OUTBOX_WAITING } from '../domain/outbox/outbox.service.ts'
import { HEALTH_STATES } from '../domain/ports.ts'

/**
 * What the API and the workers record for Prometheus (`/metrics`). The domain knows nothing of
 * it: counters are bumped by the adapters around the domain's calls, and the gauges ask the
 * domain for its numbers at each scrape, so that they read the database every process shares.
 */
export interface Metrics {
  readonly registry: Registry
  /** One answered HTTP request; `route` is the matched route's pattern, never the raw path. */
  observeRequest(method: string, route: string, status: number, seconds: number): void
  /** How one message left a worker: the outbox's outcomes, or the webhooks' delivered or failed. */
  recordSend(channel: string, outcome: string): void
  /** One run of a periodic job, done or failed. */
  recordJobRun(job: string, outcome: 'done' | 'failed', seconds: number): void
}

/** Prometheus names, prefixed so that they never mix with another service's. */
const PREFIX = 'jifen_'

/**
 * One registry per process (and per app in the tests, which build several). The process's own
 * figures (CPU, memory, event-loop lag, from prom-client) come with ours.
 */
export function createMetrics(domain: Domain): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: PREFIX })

  const requests = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'HTTP requests answered, by method, matched route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  })
  const sends = new Counter({
    name: `${PREFIX}outbox_sends_total`,
    help: 'Messages that left the workers of this process, by channel (webhook for webhooks out) and outcome',
    labelNames: ['channel', 'outcome'] as const,
    registers: [registry],
  })
  const jobRuns = new Histogram({
    name: `${PREFIX}job_run_duration_seconds`,
    help: 'Runs of the periodic jobs in this process, by job and outcome (done, failed)',
    labelNames: ['job', 'outcome'] as const,
    buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [registry],
  })

  new Gauge({
    name: `${PREFIX}outbox_depth`,
    help: 'Chat messages waiting in the outbox (all processes), by channel and status',
    labelNames: ['channel', 'status'] as const,
    registers: [registry],
    async collect() {
      const counted = await domain.outbox.depth()
      // Every channel and status is set, to 0 when nothing waits, so that a drained queue
      // reads 0 instead of vanishing from the graph.
      for (const channel of CHANNELS)
        for (const status of OUTBOX_WAITING) this.set({ channel, status }, 0)
      for (const { channel, status, count } of counted) this.set({ channel, status }, count)
    },
  })
  new Gauge({
    name: `${PREFIX}webhook_deliveries_waiting`,
    help: 'Webhook deliveries not yet delivered (all processes)',
    registers: [registry],
    async collect() {
      this.set(await domain.webhooks.waiting())
    },
  })
  new Gauge({
    name: `${PREFIX}channel_health`,
    help: 'Each chat channel seen so far: 1 for its current state (up, degraded, down), 0 for the others',
    labelNames: ['channel', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset()
      for (const channel of await domain.channelHealth.list())
        for (const state of HEALTH_STATES)
          this.set({ channel: channel.channel, state }, channel.state === state ? 1 : 0)
    },
  })
  new Gauge({
    name: `${PREFIX}import_jobs`,
    help: 'Member imports queued or running (all processes), by status',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const active = await domain.importJobs.active()
      for (const status of ['queued', 'running'] as const)
        this.set({ status }, active.filter((job) => job.status === status).length)
    },
  })
  new Gauge({
    name: `${PREFIX}import_rows`,
    help: 'The rows of the running member import: total (once the file is read through), read, created, updated, unchanged, failed; 0 when none runs',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      const running = (await domain.importJobs.active()).find((job) => job.status === 'running')
      const progress = running?.progress
      this.set({ kind: 'total' }, progress?.rowsTotal ?? 0)
      this.set({ kind: 'read' }, progress?.rowsRead ?? 0)
      this.set({ kind: 'created' }, progress?.created ?? 0)
      this.set({ kind: 'updated' }, progress?.updated ?? 0)
      this.set({ kind: 'unchanged' }, progress?.unchanged ?? 0)
      this.set({ kind: 'failed' }, progress?.failed ?? 0)
    },
  })

  return {
    registry,
    observeRequest(method, route, status, seconds) {
      requests.observe({ method, route, status: String(status) }, seconds)
    },
    recordSend(channel, outcome) {
      sends.inc({ channel, outcome })
    },
    recordJobRun(job, outcome, seconds) {
      jobRuns.observe({ job, outcome }, seconds)
    },
  }
}
