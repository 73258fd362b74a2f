import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import type { ClaimedMessage } from '../domain/campaigns/campaigns.service.ts'
import type { Domain } from '../domain/index.ts'
import type { MessageSender } from '../domain/ports.ts'

export interface OutboxWorkerOptions {
  domain: Domain
  logger: Logger
  /** The channels this process can send on. */
  senders: Partial<Record<'telegram' | 'wechat', MessageSender>>
  /** Rows claimed at a time: small, so that a pause takes effect within about a second. */
  batchSize?: number
  /** Sends in flight at once; the senders pace them. */
  concurrency?: number
  idleMs?: number
}

export interface OutboxWorker {
  /** Finishes the sends in flight, gives back what was claimed but not sent, then resolves. */
  stop(): Promise<void>
}

/**
 * The outbox worker: claims due rows with a lease, marks each as being sent just before the
 * request, sends it through the channel's sender and records the outcome. Any number of
 * workers can run (one per process, several processes on PostgreSQL); each row goes to one.
 */
export function startOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { domain, logger, senders } = options
  const owner = `worker-${randomBytes(6).toString('hex')}`
  const channels = Object.keys(senders)
  const batchSize = options.batchSize ?? 15
  const concurrency = options.concurrency ?? 8
  const idleMs = options.idleMs ?? 500
  let running = true
  let wake: () => void = () => {}

  async function deliver(row: ClaimedMessage): Promise<void> {
    const { campaigns } = domain
    if (!row.marketingConsent) return campaigns.settle(owner, row, { status: 'skipped' })
    const sender = senders[row.channel as 'telegram' | 'wechat']!
    const result = await sender.send(row.recipient, row.message, () => campaigns.begin(owner, row))
    if (result.ok) return campaigns.settle(owner, row, { status: 'sent' })
    if ('abandoned' in result) return
    if ('unreachable' in result) return campaigns.settle(owner, row, { status: 'blocked' })
    return campaigns.settle(owner, row, {
      status: 'retry',
      afterMs: result.retryAfterMs,
      error: result.error,
    })
  }

  async function work(batch: ClaimedMessage[]): Promise<void> {
    const queue = [...batch]
    const unsent: number[] = []
    await Promise.all(
      Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
        for (let row = queue.shift(); row; row = queue.shift()) {
          if (!running) {
            unsent.push(row.id)
            continue
          }
          await deliver(row).catch((err: unknown) =>
            logger.error({ err, outboxId: row.id }, 'outbox send failed'),
          )
        }
      }),
    )
    await domain.campaigns.release(owner, unsent)
  }

  const loop = (async () => {
    while (running) {
      try {
        await domain.campaigns.dispatchDue()
        const batch = await domain.campaigns.claim(owner, channels, batchSize)
        if (batch.length > 0) {
          await work(batch)
          continue
        }
        await domain.campaigns.completeFinished()
      } catch (err) {
        logger.error({ err }, 'outbox worker cycle failed')
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, idleMs)
        wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
  })()

  logger.info({ owner, channels }, 'outbox worker started')
  return {
    async stop() {
      running = false
      wake()
      await loop
    },
  }
}
