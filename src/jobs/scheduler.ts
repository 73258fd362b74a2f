import { Cron } from 'croner'
import type { Logger } from 'pino'
import type { Domain } from '../domain/index.ts'

/**
 * Runs the periodic work of the engine: expiring points, closing tier windows and classifying
 * customers again. Every job is safe to run in several processes at once (each member is
 * handled under its row lock and re-read; recomputes queue on their state row), and catches up
 * after downtime because it works from "due by now", not from ticks.
 */
export function startScheduler(domain: Domain, logger: Logger): { stop(): Promise<void> } {
  const running = new Set<Promise<unknown>>()
  const jobs = [
    { name: 'expire-points', pattern: '*/10 * * * *', run: () => domain.ledger.expireDue() },
    {
      name: 'close-tier-windows',
      pattern: '5 * * * *',
      run: () => domain.tiers.closeEndedWindows(),
    },
    // Lifecycle stages move with the calendar too, not only with orders: recompute hourly.
    { name: 'recompute-segments', pattern: '15 * * * *', run: () => domain.segments.recompute() },
  ]
  const crons = jobs.map(
    (job) =>
      new Cron(job.pattern, { protect: true, name: job.name }, async () => {
        const work = job
          .run()
          .then((result) => logger.info({ job: job.name, result }, 'job done'))
          .catch((err: unknown) => logger.error({ err, job: job.name }, 'job failed'))
        running.add(work)
        await work
        running.delete(work)
      }),
  )
  // Catch up at start: points that expired while the server was down expire now.
  for (const cron of crons) void cron.trigger()
  return {
    async stop() {
      for (const cron of crons) cron.stop()
      await Promise.all(running)
    },
  }
}
