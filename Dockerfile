# Jifen in production: the server compiled by `npm run build`, run by plain node as a non-root
# user, with the production dependencies only. `docker compose up --build` runs it on PostgreSQL
# (compose.yaml); alone it keeps an SQLite file in the /app/data volume.
ARG NODE_VERSION=20

# Build: every dependency (esbuild, Vite, TypeScript), then the server and the pages into dist/.
FROM node:${NODE_VERSION}-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# The production dependencies, installed where a compiler is: better-sqlite3 builds its driver
# from source when no prebuilt one can be fetched.
FROM node:${NODE_VERSION}-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# Run: no compiler, no dev dependency, no TypeScript source.
FROM node:${NODE_VERSION}-bookworm-slim
# A CJK font, so that the Chinese labels of the /stats chart are drawn (README, "The chat bots").
RUN apt-get update \
  && apt-get install -y --no-install-recommends fonts-wqy-microhei \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
# The SQLite file and the WeChat login live in data/, the one folder the server writes.
RUN mkdir -p data && chown node:node data
USER node
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0 DATABASE_URL=file:./data/jifen.db
VOLUME /app/data
EXPOSE 3000
# The slim image has no curl: node's own fetch asks /healthz (the database answers, not shutting down).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself as PID 1, not npm: SIGTERM reaches the server, which finishes what is in flight.
CMD ["node", "--enable-source-maps", "dist/server/main.js"]
