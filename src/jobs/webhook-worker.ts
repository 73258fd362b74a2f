import { randomBytes } from 'node:crypto'
import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import http from 'node:http'
import https from 'node:https'
import type { LookupFunction } from 'node:net'
import type { Logger } from 'pino'
import type { Domain } from '../domain/index.ts'
import type { Metrics } from '../metrics/metrics.ts'
import type { AttemptOutcome, ClaimedDelivery } from '../domain/webhooks/webhooks.service.ts'
import { isPrivateAddress } from '../shared/network-guard.ts'
import { WEBHOOK_HEADERS, webhookSignature } from '../shared/webhook-crypto.ts'

export interface WebhookWorkerOptions {
  domain: Domain
  logger: Logger
  /** A receiver that has not answered by then is an attempt that failed. */
  timeoutMs?: number
  /** Lets deliveries reach loopback and private addresses (WEBHOOK_ALLOW_PRIVATE_URLS). */
  allowPrivateUrls?: boolean
  /** How long a claim holds a delivery: longer than a request may take. */
  leaseMs?: number
  batchSize?: number
  concurrency?: number
  idleMs?: number
  /** Counts each attempt as a send of the `webhook` channel, delivered or failed, for /metrics. */
  metrics?: Metrics
}

export interface WebhookWorker {
  stop(): Promise<void>
}

/** What a receiver said is kept for the log up to this size; the rest is not read. */
const MAX_RESPONSE_BYTES = 2_048

/**
 * Resolves as usual, then refuses a private or loopback address: a public name that resolves
 * to the server's own network (or is made to, between the check and the request) reaches nothing.
 */
const publicOnly: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 0)
    const usable = addresses.filter((a) => !isPrivateAddress(a.address))
    if (usable.length === 0)
      return callback(
        Object.assign(new Error(`${hostname} resolves to a private address`), {
          code: 'EPRIVATE',
        }),
        '',
        0,
      )
    if (options.all) return callback(null, usable, 0)
    callback(null, usable[0]!.address, usable[0]!.family)
  })
}

/**
 * POSTs a signed body and reports what came back; never throws. A 2xx is delivered; anything
 * else (an answer, a timeout, a refused connection) is an attempt that failed. Redirects are
 * not followed: a receiver that moved says so in its subscription.
 */
export function postWebhook(
  delivery: ClaimedDelivery,
  options: { timeoutMs: number; allowPrivateUrls: boolean; now: () => Date },
): Promise<AttemptOutcome> {
  const started = options.now()
  const timestamp = Math.floor(started.getTime() / 1000)
  const url = new URL(delivery.url)
  const transport = url.protocol === 'https:' ? https : http
  const body = Buffer.from(delivery.body, 'utf8')
  return new Promise<AttemptOutcome>((resolve) => {
    let settled = false
    const finish = (outcome: Omit<AttemptOutcome, 'startedAt' | 'durationMs'>) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve({
        ...outcome,
        startedAt: started.toISOString(),
        durationMs: Math.max(0, options.now().getTime() - started.getTime()),
      })
    }
    const request = transport.request(
      url,
      {
        method: 'POST',
        lookup: options.allowPrivateUrls ? undefined : publicOnly,
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          'user-agent': 'Jifen-Webhooks/1',
          [WEBHOOK_HEADERS.signature]: webhookSignature(delivery.secret, timestamp, delivery.body),
          [WEBHOOK_HEADERS.timestamp]: String(timestamp),
          [WEBHOOK_HEADERS.eventId]: delivery.eventId,
          [WEBHOOK_HEADERS.eventType]: delivery.eventType,
          [WEBHOOK_HEADERS.deliveryId]: String(delivery.id),
        },
      },
      (response) => {
        const chunks: Buffer[] = []
        let size = 0
        const done = () => {
          const status = response.statusCode ?? 0
          const text = Buffer.concat(chunks).toString('utf8').slice(0, MAX_RESPONSE_BYTES)
          finish({
            ok: status >= 200 && status < 300,
            responseStatus: status,
            responseBody: text || null,
            error: null,
          })
          response.destroy()
        }
        response.on('data', (chunk: Buffer) => {
          if (size < MAX_RESPONSE_BYTES) chunks.push(chunk)
          size += chunk.length
          if (size >= MAX_RESPONSE_BYTES) done()
        })
        response.on('end', done)
        response.on('error', done)
      },
    )
    const timer = setTimeout(() => {
      finish({
        ok: false,
        responseStatus: null,
        responseBody: null,
        error: `no answer within ${options.timeoutMs} ms`,
      })
      request.destroy()
    }, options.timeoutMs)
    request.on('error', (err: NodeJS.ErrnoException) =>
      finish({
        ok: false,
        responseStatus: null,
        responseBody: null,
        error: `${err.code ?? 'error'}: ${err.message}`,
      }),
    )
    request.end(body)
  })
}

/**
 * The webhook worker: claims due deliveries with a lease, marks each as being sent, POSTs it
 * signed and settles it with the receiver's answer. Any number can run, in any number of
 * processes; each delivery goes to one at a time.
 */
export function startWebhookWorker(options: WebhookWorkerOptions): WebhookWorker {
  const { domain, logger } = options
  const owner = `webhooks-${randomBytes(6).toString('hex')}`
  const timeoutMs = options.timeoutMs ?? 10_000
  const leaseMs = options.leaseMs ?? timeoutMs + 30_000
  const batchSize = options.batchSize ?? 10
  const concurrency = options.concurrency ?? 4
  const idleMs = options.idleMs ?? 1_000
  const allowPrivateUrls = options.allowPrivateUrls ?? false
  const now = () => domain.deps.clock.now()
  let running = true
  const queue: ClaimedDelivery[] = []
  let refilling: Promise<void> | undefined

  async function deliver(delivery: ClaimedDelivery): Promise<void> {
    if (!(await domain.webhooks.begin(owner, delivery))) return
    const outcome = await postWebhook(delivery, { timeoutMs, allowPrivateUrls, now })
    const { disabled } = await domain.webhooks.settle(owner, delivery, outcome)
    options.metrics?.recordSend('webhook', outcome.ok ? 'delivered' : 'failed')
    if (!outcome.ok)
      logger.warn(
        {
          deliveryId: delivery.id,
          eventId: delivery.eventId,
          attempt: delivery.attempts,
          status: outcome.responseStatus,
          error: outcome.error,
        },
        'webhook delivery failed',
      )
    if (disabled)
      logger.error(
        { subscriptionId: delivery.subscriptionId, url: delivery.url, reason: disabled },
        'webhook subscription disabled: its deliveries kept failing',
      )
  }

  function refill(): Promise<void> {
    refilling ??= (async () => {
      try {
        queue.push(...(await domain.webhooks.claim(owner, batchSize, leaseMs)))
      } catch (err) {
        logger.error({ err }, 'webhook claim failed')
      } finally {
        refilling = undefined
      }
    })()
    return refilling
  }

  const wakers = new Set<() => void>()
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

  async function loop(): Promise<void> {
    while (running) {
      const delivery = queue.shift()
      if (!delivery) {
        await refill()
        if (queue.length === 0 && running) await pause()
        continue
      }
      await deliver(delivery).catch((err: unknown) =>
        logger.error({ err, deliveryId: delivery.id }, 'webhook delivery crashed'),
      )
    }
  }

  const loops = Array.from({ length: concurrency }, () => loop())
  logger.info({ owner }, 'webhook worker started')
  return {
    async stop() {
      running = false
      for (const wake of wakers) wake()
      await Promise.all(loops)
      await refilling
      await domain.webhooks.release(
        owner,
        queue.splice(0).map((d) => d.id),
      )
    },
  }
}
