import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import type { ClaimedMessage } from '../domain/outbox/outbox.service.ts'
import type { Domain } from '../domain/index.ts'
import type { Channel } from '../domain/members/members.ts'
import type { MessageSender } from '../domain/ports.ts'
import type { Metrics } from '../metrics/metrics.ts'
import { healthReporter } from './health.ts'

export interface OutboxWorkerOptions {
  domain: Domain
  logger: Logger
  /** The channels this process can send on. */
  senders: Partial<Record<Channel, MessageSender>>
  /** Rows claimed at a time: small, so that a pause takes effect within about a second. */
  batchSize?: number
  /** Sends in flight at once; the senders pace them. */
  concurrency?: number
  idleMs?: number
  /** Counts each settled message by channel and outcome, for /metrics. */
  metrics?: Metrics
}

export interface OutboxWorker {
  /** Finishes the sends in flight, gives back what was claimed but not sent, then resolves. */
  stop(): Promise<void>
}

/**
 * The outbox worker: claims due rows with a lease, marks each as being sent just before the
 * request, sends it through the channel's sender and records the outcome; a failure of the
 * channel itself holds the row and reports the channel down (a send that works, up). Any number of
 * workers can run (one per process, several processes on PostgreSQL); each row goes to one.
 */
export function startOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { domain, logger, senders } = options
  const health = healthReporter(domain, logger)
  const owner = `worker-${randomBytes(6).toString('hex')}`
  const channels = Object.keys(senders)
  const batchSize = options.batchSize ?? 15
  const concurrency = options.concurrency ?? 8
  const idleMs = options.idleMs ?? 500
  let running = true

  // Every send ends here, so that each is counted once, by how it ended.
  async function settle(
    row: ClaimedMessage,
    outcome: Parameters<typeof domain.outbox.settle>[2],
  ): Promise<void> {
    const ended = await domain.outbox.settle(owner, row, outcome)
    options.metrics?.recordSend(row.channel, ended)
  }

  async function deliver(row: ClaimedMessage, parked: () => void): Promise<void> {
    const { outbox } = domain
    if (row.purpose === 'marketing' && !row.marketingConsent)
      return settle(row, { status: 'skipped' })
    const sender = senders[row.channel as Channel]!
    const result = await sender.send(
      row.recipient,
      row.message,
      () => outbox.begin(owner, row),
      parked,
    )
    if (result.ok) {
      await settle(row, {
        status: 'sent',
        via: result.via,
        messageId: result.messageId,
      })
      if (!sender.reportsHealth) await health.report(row.channel, 'up')
      if (result.part) await health.report(result.part, 'up')
      return
    }
    // Not begun: the campaign was paused meanwhile, or another worker holds the row.
    if ('abandoned' in result) return outbox.release(owner, [row.id])
    if ('unreachable' in result) return settle(row, { status: 'blocked' })
    if ('skipped' in result) return settle(row, { status: 'skipped', reason: result.reason })
    if ('uncertain' in result) return settle(row, { status: 'uncertain', error: result.error })
    if ('failed' in result) {
      await settle(row, { status: 'failed', error: result.error })
      // The merchant's setup is wrong: staff hear it once, as an incident of that part.
      if (result.part) await health.report(result.part, 'degraded', result.error)
      return
    }
    if (result.channel && !sender.reportsHealth)
      await health.report(row.channel, result.channel, result.error)
    return settle(row, {
      status: result.channel === 'down' ? 'held' : 'retry',
      afterMs: result.retryAfterMs,
      error: result.error,
    })
  }

  // Claimed rows waiting to be sent; topped up before it runs dry, so that the senders never
  // wait on a claim between batches. At most 1.5 batches wait, so a pause acts within a second.
  const queue: ClaimedMessage[] = []
  let refilling: Promise<void> | undefined

  function refill(): Promise<void> {
    refilling ??= (async () => {
      try {
        await domain.campaigns.dispatchDue()
        const rows = await domain.outbox.claim(owner, channels, batchSize)
        queue.push(...rows)
        if (rows.length === 0) await domain.campaigns.completeFinished()
      } catch (err) {
        logger.error({ err }, 'outbox claim failed')
      } finally {
        refilling = undefined
      }
    })()
    return refilling
  }

  // A send the sender parked (a mass send waiting for more followers of its campaign) holds no
  // slot: were it awaited, the batch could never outgrow the slots (8 followers a mass send),
  // while the one request it becomes is what WeChat's pace and the monthly quota count. Its
  // outcome is settled when the batch leaves; stop() waits for it.
  const inFlight = new Set<Promise<void>>()

  const wakers = new Set<() => void>()
  /** Waits `idleMs`, or less when the worker stops. */
  function pause(): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer)
        wakers.delete(wake)
        resolve()
      }
      const timer = setTimeout(wake, idleMs)
      wakers.add(wake)
    })
  }

  async function sendLoop(): Promise<void> {
    while (running) {
      if (queue.length <= batchSize / 2) void refill()
      const row = queue.shift()
      if (!row) {
        await refill()
        if (queue.length === 0 && running) await pause()
        continue
      }
      let park!: () => void
      const slotFree = new Promise<void>((resolve) => (park = resolve))
      const delivery = deliver(row, park).catch((err: unknown) =>
        logger.error({ err, outboxId: row.id }, 'outbox send failed'),
      )
      inFlight.add(delivery)
      void delivery.finally(() => inFlight.delete(delivery))
      await Promise.race([delivery, slotFree])
    }
  }

  const loops = Array.from({ length: concurrency }, () => sendLoop())

  logger.info({ owner, channels }, 'outbox worker started')
  return {
    async stop() {
      running = false
      for (const wake of wakers) wake()
      await Promise.all(loops)
      await Promise.all(inFlight)
      await refilling
      await domain.outbox.release(
        owner,
        queue.splice(0).map((row) => row.id),
      )
    },
  }
}
