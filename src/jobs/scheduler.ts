import { randomBytes } from 'node:crypto'
import { Cron } from 'croner'
import type { Logger } from 'pino'
import type { Domain } from '../domain/index.ts'
import type { Metrics } from '../metrics/metrics.ts'

export interface ScheduledJob {
  name: string
  pattern: string
  run: () => Promise<unknown>
}

/** The engine's periodic work, each job with its cron pattern (server time). */
export function engineJobs(domain: Domain): ScheduledJob[] {
  return [
    { name: 'expire-points', pattern: '*/10 * * * *', run: () => domain.ledger.expireDue() },
    {
      name: 'close-tier-windows',
      pattern: '5 * * * *',
      run: () => domain.tiers.closeEndedWindows(),
    },
    // Lifecycle stages move with the calendar too, not only with orders: recompute hourly.
    { name: 'recompute-segments', pattern: '15 * * * *', run: () => domain.segments.recompute() },
    // Win-back, expiring points and tier news follow the calendar; a grouped scan of the orders
    // four times an hour is plenty for reminders counted in days.
    {
      name: 'plan-reminders',
      pattern: '*/15 * * * *',
      run: () => domain.reminders.planCalendar(),
    },
    { name: 'send-reminders', pattern: '* * * * *', run: () => domain.reminders.decideDue() },
    // The weekly churn digest: the job looks often, the digest goes once a week (one row a week).
    { name: 'churn-digest', pattern: '*/15 * * * *', run: () => domain.churnDigest.sendDue() },
    // Imports whose process died are marked failed, and finished ones older than a week go.
    { name: 'sweep-imports', pattern: '*/5 * * * *', run: () => domain.importJobs.sweep() },
  ]
}

/**
 * Whether a run did something worth an info line: a positive count anywhere in its result
 * (`{ members: 3 }`, `2`, a digest sent), timings (`ms`) and dates aside. Most runs find nothing
 * due, and a line a minute for each of them would bury the runs that changed something.
 */
export function didWork(result: unknown): boolean {
  if (typeof result === 'number') return result > 0
  if (typeof result === 'boolean') return result
  if (typeof result !== 'object' || result === null) return false
  return Object.entries(result).some(([key, value]) => key !== 'ms' && didWork(value))
}

/** A run longer than this is presumed dead and another process may take the job. */
const LEASE_MS = 15 * 60_000

/**
 * Runs the periodic jobs. Every process that runs jobs runs this scheduler; each tick of a job
 * runs in the one process that takes the job's lease in the database, and catches up after
 * downtime because every job works from "due by now", not from ticks. The jobs are also safe
 * if two runs overlap (row locks, unique keys), so a lease lost to a stall does no harm.
 */
export function startScheduler(
  domain: Domain,
  logger: Logger,
  jobs: ScheduledJob[] = engineJobs(domain),
  metrics?: Metrics,
): { stop(): Promise<void> } {
  const owner = `scheduler-${randomBytes(6).toString('hex')}`
  const running = new Set<Promise<unknown>>()
  async function runOnce(job: ScheduledJob): Promise<void> {
    // Patterns are in whole minutes, so the minute names the tick every process agrees on.
    const tick = new Date(Math.floor(domain.deps.clock.now().getTime() / 60_000) * 60_000)
    if (!(await domain.jobLeases.acquire(job.name, owner, LEASE_MS, tick))) return
    const started = performance.now()
    const seconds = () => (performance.now() - started) / 1000
    try {
      const result = await job.run()
      metrics?.recordJobRun(job.name, 'done', seconds())
      if (didWork(result)) logger.info({ job: job.name, result }, 'job done')
      else logger.debug({ job: job.name, result }, 'job done, nothing was due')
    } catch (err) {
      metrics?.recordJobRun(job.name, 'failed', seconds())
      throw err
    } finally {
      await domain.jobLeases.release(job.name, owner)
    }
  }
  const crons = jobs.map(
    (job) =>
      new Cron(job.pattern, { protect: true }, async () => {
        const work = runOnce(job).catch((err: unknown) =>
          logger.error({ err, job: job.name }, 'job failed'),
        )
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
