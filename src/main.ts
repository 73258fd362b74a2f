import { serve } from '@hono/node-server'
import { createDb } from '../db/client.ts'
import { createApp } from './api/app.ts'
import { ConfigError, channelStatus, loadConfig } from './config.ts'
import { createDomain } from './domain/index.ts'
import { startScheduler } from './jobs/scheduler.ts'
import { systemClock } from './shared/clock.ts'
import { createLogger } from './shared/logger.ts'

async function main(): Promise<void> {
  const config = loadConfig()
  const logger = createLogger(config.LOG_LEVEL)
  const store = createDb(config.DATABASE_URL)
  const migrated = await store.migrate()
  logger.info(
    { dialect: store.dialect, applied: migrated.results?.map((r) => r.migrationName) ?? [] },
    'database ready',
  )
  const domain = createDomain({ store, clock: systemClock })
  if (await domain.programme.ensureSeeded()) {
    logger.info('seeded the default programme: four tiers, ¥1 = 1 point, points valid 12 months')
  }
  for (const channel of channelStatus(config)) {
    logger.info(
      { channel: channel.channel, enabled: channel.enabled },
      `${channel.channel} bot ${channel.enabled ? 'enabled' : 'disabled'}: ${channel.reason}`,
    )
  }

  let shuttingDown = false
  const app = createApp({ domain, logger, isShuttingDown: () => shuttingDown })
  const scheduler = config.JOBS_ENABLED ? startScheduler(domain, logger) : undefined
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
    logger.info(
      { port: info.port },
      `listening on http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${info.port}`,
    )
  })

  const shutdown = async (signal: string) => {
    if (shuttingDown) return
    shuttingDown = true
    logger.info({ signal }, 'shutting down: no new work, finishing what is in flight')
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    await scheduler?.stop()
    await closed
    await store.close()
    logger.info('stopped')
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message)
  } else {
    console.error('failed to start:', error)
  }
  process.exit(1)
})
