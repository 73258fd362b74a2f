import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import pino from 'pino'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/api/app.ts'
import { createDomain } from '../../src/domain/index.ts'
import { postWebhook, startWebhookWorker } from '../../src/jobs/webhook-worker.ts'
import { ManualClock } from '../../src/shared/clock.ts'
import { type ApiFixture } from '../helpers/api.ts'
import { type TestDbHandle, available, databases } from '../helpers/db.ts'
import { RATE_LIMIT_DEFAULTS } from '../../src/shared/rate-limits.ts'

const SECRET_KEY = randomBytes(32)

type Verify = (
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  rawBody: string,
  nowSeconds?: number,
) => boolean

/** The verification recipe exactly as README.md prints it, so that the README cannot go stale. */
async function readmeVerifier(): Promise<Verify> {
  const readme = readFileSync('README.md', 'utf8')
  const code = /<!-- webhook-verification -->\s*```js\n([\s\S]+?)```/.exec(readme)?.[1]
  if (!code) throw new Error('README.md has no webhook verification example')
  const dir = mkdtempSync(join(tmpdir(), 'jifen-verify-'))
  const file = join(dir, 'verify.mjs')
  writeFileSync(file, code)
  const module = (await import(pathToFileURL(file).href)) as { verifyJifenWebhook: Verify }
  rmSync(dir, { recursive: true, force: true })
  return module.verifyJifenWebhook
}

interface Received {
  headers: http.IncomingHttpHeaders
  body: string
}

/** A receiver on 127.0.0.1 whose answer each test sets: accept, fail, or hold the request. */
async function startReceiver() {
  const received: Received[] = []
  let answer: (req: Received, res: http.ServerResponse) => void = (_, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
  }
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const entry = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }
      received.push(entry)
      answer(entry, res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    answerWith(fn: typeof answer) {
      answer = fn
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

async function until(check: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

for (const db of databases) {
  describe.skipIf(!available(db))(
    `webhooks out [${db.name}${available(db) ? '' : ': skipped, TEST_DATABASE_URL not set'}]`,
    () => {
      let store: TestDbHandle
      let clock: ManualClock
      let api: Omit<ApiFixture, 'store' | 'clock' | 'posKey'>
      let receiver: Awaited<ReturnType<typeof startReceiver>>
      let workers: { stop(): Promise<void> }[] = []
      let verify: Verify

      beforeAll(async () => {
        store = await db.create()
        clock = new ManualClock('2025-01-10T04:00:00Z')
        const domain = createDomain(
          { store, clock },
          {
            webhooks: {
              secretKey: SECRET_KEY,
              allowPrivateUrls: true,
              retryDelaysMs: [60_000, 600_000],
            },
          },
        )
        await domain.programme.ensureSeeded()
        const app = createApp({
          domain,
          logger: pino({ level: 'silent' }),
          rateLimits: { ...RATE_LIMIT_DEFAULTS, apiKey: { points: 100_000, seconds: 1 } },
        })
        const adminKey = (await domain.staff.createApiKey('owner', 'admin')).key
        api = {
          domain,
          app,
          adminKey,
          async call(method, path, body, options = {}) {
            const response = await app.request(path, {
              method,
              headers: {
                ...options.headers,
                authorization: `Bearer ${adminKey}`,
                ...(body === undefined ? {} : { 'content-type': 'application/json' }),
              },
              body: body === undefined ? undefined : JSON.stringify(body),
            })
            const text = await response.text()
            return {
              status: response.status,
              body: text ? (JSON.parse(text) as unknown) : null,
              headers: response.headers,
            }
          },
        }
        receiver = await startReceiver()
        verify = await readmeVerifier()
      })
      afterEach(async () => {
        await Promise.all(workers.map((w) => w.stop()))
        workers = []
        // Each test starts from no subscription, so that one test's events are not another's.
        for (const s of (await api.call('GET', '/api/v1/webhooks')).body.items as { id: string }[])
          await api.call('DELETE', `/api/v1/webhooks/${s.id}`)
        receiver.received.length = 0
        receiver.answerWith((_, res) => res.writeHead(200).end('ok'))
      })
      afterAll(async () => {
        await receiver?.close()
        await store?.cleanup()
      })

      const startWorker = (timeoutMs = 5_000) => {
        const worker = startWebhookWorker({
          domain: api.domain,
          logger: pino({ level: 'silent' }),
          allowPrivateUrls: true,
          timeoutMs,
          idleMs: 10,
        })
        workers.push(worker)
        return worker
      }
      const subscribe = async (events: string[], url = receiver.url) => {
        const created = await api.call('POST', '/api/v1/webhooks', { url, events })
        expect(created.status).toBe(201)
        return created.body as { id: string; secret: string; secretPrefix: string }
      }
      let phone = 13_800_000_000
      const newMember = async () =>
        (
          await api.call('POST', '/api/v1/members', {
            displayName: 'Webhook Wang',
            phone: String(phone++),
          })
        ).body as { id: string }
      const deliveriesOf = async (id: string) =>
        (await api.call('GET', `/api/v1/webhooks/${id}/deliveries?limit=100`)).body.items as {
          id: string
          eventId: string
          eventType: string
          status: string
          attempts: number
          nextAttemptAt: string | null
          log: {
            responseStatus: number | null
            responseBody: string | null
            error: string | null
          }[]
        }[]

      it('shows the secret once, keeps it sealed, and keeps it out of the audit log', async () => {
        const created = await subscribe(['member.created'])
        expect(created.secret).toMatch(/^whsec_/)
        expect(created.secretPrefix).toBe(created.secret.slice(0, 10))
        const read = await api.call('GET', `/api/v1/webhooks/${created.id}`)
        expect(JSON.stringify(read.body)).not.toContain(created.secret)
        const row = await store.db
          .selectFrom('webhookSubscriptions')
          .selectAll()
          .where('id', '=', created.id)
          .executeTakeFirstOrThrow()
        expect(JSON.stringify(row)).not.toContain(created.secret.slice(6))
        const audit = await api.call('GET', '/api/v1/audit-log?operation=POST%20/api/v1/webhooks')
        expect(audit.body.items.length).toBeGreaterThan(0)
        expect(JSON.stringify(audit.body)).not.toContain(created.secret)
      })

      it('an accepting receiver gets each event once, signed as the README verifies, with its ledger entry, one member in order', async () => {
        const sub = await subscribe([
          'member.created',
          'points.earned',
          'order.recorded',
          'tier.changed',
        ])
        const member = await newMember()
        for (const [i, amount] of [5_000, 700_000].entries()) {
          const order = await api.call('POST', '/api/v1/orders', {
            id: `ord-wh-${db.name}-${i}`,
            member: { id: member.id },
            amount,
          })
          expect(order.status).toBe(201)
        }
        startWorker()
        await until(async () => (await deliveriesOf(sub.id)).every((d) => d.status === 'delivered'))
        const events = receiver.received.map((r) => ({
          ...r,
          event: JSON.parse(r.body) as {
            id: string
            type: string
            data: { memberId: string; entry?: { points: number; reason: string } }
          },
        }))
        expect(events.map((e) => e.event.type)).toEqual([
          'member.created',
          'points.earned',
          'order.recorded',
          'points.earned',
          'tier.changed',
          'order.recorded',
        ])
        for (const e of events) {
          expect(verify(sub.secret, e.headers, e.body, Number(e.headers['jifen-timestamp']))).toBe(
            true,
          )
          expect(
            verify(`${sub.secret}x`, e.headers, e.body, Number(e.headers['jifen-timestamp'])),
          ).toBe(false)
          expect(
            verify(sub.secret, e.headers, `${e.body} `, Number(e.headers['jifen-timestamp'])),
          ).toBe(false)
          expect(e.headers['jifen-event-id']).toBe(e.event.id)
          expect(e.event.data.memberId).toBe(member.id)
        }
        // The timestamp is signed: an old delivery replayed later is refused by the recipe.
        const first = events[0]!
        expect(
          verify(
            sub.secret,
            first.headers,
            first.body,
            Number(first.headers['jifen-timestamp']) + 301,
          ),
        ).toBe(false)
        expect(new Set(events.map((e) => e.event.id)).size).toBe(events.length)
        expect(events[1]!.event.data.entry).toMatchObject({ points: 50, reason: 'order' })
        const logged = await deliveriesOf(sub.id)
        expect(logged[0]!.log).toEqual([
          expect.objectContaining({ responseStatus: 200, responseBody: 'ok', error: null }),
        ])
      })

      it('a receiver that keeps failing is retried after each backoff, then its subscription is disabled with the reason and the owner told in chat; replay after turning it on delivers the same event id', async () => {
        const { code } = await api.domain.staff.createInvite('owner')
        const owner = await api.domain.staff.acceptInvite(code, 'telegram', '990001', 'Owner Ong')
        const sub = await subscribe(['member.created'])
        receiver.answerWith((_, res) => res.writeHead(500).end('database down'))
        const member = await newMember()
        startWorker()
        const attempts = async () => (await deliveriesOf(sub.id))[0]!
        await until(async () => (await attempts()).attempts === 1 && receiver.received.length === 1)
        await until(async () => (await attempts()).status === 'pending')
        // Not due again before its backoff: a minute on this clock, which has not moved.
        await new Promise((resolve) => setTimeout(resolve, 100))
        expect(receiver.received).toHaveLength(1)
        clock.advance(60_000)
        await until(() => receiver.received.length === 2)
        await until(async () => (await attempts()).status === 'pending')
        clock.advance(599_000)
        await new Promise((resolve) => setTimeout(resolve, 100))
        expect(receiver.received).toHaveLength(2)
        clock.advance(1_000)
        await until(async () => (await attempts()).status === 'failed')
        const failed = await attempts()
        expect(failed.attempts).toBe(3)
        expect(failed.log.map((a) => [a.responseStatus, a.responseBody])).toEqual([
          [500, 'database down'],
          [500, 'database down'],
          [500, 'database down'],
        ])
        const disabled = (await api.call('GET', `/api/v1/webhooks/${sub.id}`)).body
        expect(disabled.status).toBe('disabled')
        expect(disabled.disabledReason).toContain('failed 3 attempts')
        expect(disabled.disabledReason).toContain('database down')
        const told = await store.db
          .selectFrom('outbox')
          .select(['recipient', 'payloadJson'])
          .where('staffId', '=', owner.id)
          .where('kind', '=', 'webhook_disabled')
          .execute()
        expect(told).toHaveLength(1)
        expect(told[0]!.recipient).toBe('990001')
        expect(told[0]!.payloadJson).toContain(sub.id)

        // Disabled: a new event waits, nothing is sent.
        await newMember()
        await new Promise((resolve) => setTimeout(resolve, 100))
        expect(receiver.received).toHaveLength(3)

        receiver.answerWith((_, res) => res.writeHead(204).end())
        const on = await api.call('PATCH', `/api/v1/webhooks/${sub.id}`, { status: 'active' })
        expect(on.body.status).toBe('active')
        const replayed = await api.call('POST', `/api/v1/webhook-deliveries/${failed.id}/replay`)
        expect(replayed.status).toBe(200)
        await until(async () => (await deliveriesOf(sub.id)).every((d) => d.status === 'delivered'))
        const ids = receiver.received.map((r) => r.headers['jifen-event-id'])
        expect(ids.filter((id) => id === failed.eventId)).toHaveLength(4)
        expect(JSON.parse(receiver.received.at(-1)!.body).type).toBe('member.created')
        expect(member.id).toBeTruthy()
      })

      it('a slow receiver is cut off at the timeout, logged, and tried again later', async () => {
        const sub = await subscribe(['member.created'])
        receiver.answerWith((_, res) => setTimeout(() => res.writeHead(200).end('late'), 3_000))
        await newMember()
        startWorker(200)
        await until(
          async () =>
            (await deliveriesOf(sub.id))[0]?.status === 'pending' && receiver.received.length === 1,
        )
        const [delivery] = await deliveriesOf(sub.id)
        expect(delivery!.attempts).toBe(1)
        expect(delivery!.log[0]).toMatchObject({
          responseStatus: null,
          error: 'no answer within 200 ms',
        })
        expect(delivery!.nextAttemptAt).toBe(new Date(clock.now().getTime() + 60_000).toISOString())
      })

      it('a write that is refused records no event: events exist only with their change', async () => {
        const sub = await subscribe(['points.spent', 'redemption.created', 'points.adjusted'])
        const member = await newMember()
        const reward = await api.call('POST', '/api/v1/rewards', {
          name: { 'zh-CN': '咖啡', en: 'Coffee' },
          kind: 'coupon',
          pointsCost: 1_000,
          value: 1_000,
        })
        expect(reward.status).toBe(201)
        const refused = await api.call(
          'POST',
          `/api/v1/members/${member.id}/redemptions`,
          { rewardId: reward.body.id },
          { headers: { 'idempotency-key': `redeem-${db.name}` } },
        )
        expect(refused.body.error?.code).toBe('insufficient_points')
        expect(await deliveriesOf(sub.id)).toEqual([])
      })

      it('a worker process killed with kill -9 mid-delivery: after the restart the event is sent again, with the same event id and body', async () => {
        const sub = await subscribe(['member.created'])
        // The first request is held open: the worker is killed while it waits for the answer.
        receiver.answerWith(() => undefined)
        const child = (): ChildProcess =>
          spawn('node', ['--import', 'tsx', 'test/helpers/webhook-worker-process.ts'], {
            env: {
              ...process.env,
              DATABASE_URL: store.url,
              WEBHOOK_SECRET_KEY: SECRET_KEY.toString('hex'),
              LEASE_MS: '1500',
            },
            stdio: ['ignore', 'pipe', 'inherit'],
          })
        // The child runs on the system clock: the event is due now by that clock too.
        clock.set(new Date())
        await newMember()
        const first = child()
        try {
          await until(() => receiver.received.length === 1, 30_000)
          const [delivery] = await deliveriesOf(sub.id)
          expect(delivery!.status).toBe('sending')
          first.kill('SIGKILL')
          await new Promise((resolve) => first.once('exit', resolve))
        } finally {
          first.kill('SIGKILL')
        }
        receiver.answerWith((_, res) => res.writeHead(200).end('ok'))
        // The restarted process (here, this one) takes the delivery over once the lease is out.
        clock.set(new Date(Date.now() + 2_000))
        startWorker()
        await until(async () => (await deliveriesOf(sub.id))[0]?.status === 'delivered')
        expect(receiver.received).toHaveLength(2)
        const [a, b] = receiver.received
        expect(a!.headers['jifen-event-id']).toBe(b!.headers['jifen-event-id'])
        expect(a!.body).toBe(b!.body)
        expect(verify(sub.secret, b!.headers, b!.body, Number(b!.headers['jifen-timestamp']))).toBe(
          true,
        )
        const [delivered] = await deliveriesOf(sub.id)
        expect(delivered!.attempts).toBe(2)
      }, 60_000)
    },
  )
}

describe('the SSRF guard (production settings)', () => {
  let store: TestDbHandle
  beforeAll(async () => {
    store = await databases[0]!.create()
  })
  afterAll(async () => {
    await store?.cleanup()
  })

  it('refuses subscription URLs on loopback, private networks, plain http and credentials', async () => {
    const domain = createDomain(
      { store, clock: new ManualClock('2025-01-10T04:00:00Z') },
      { webhooks: { secretKey: SECRET_KEY } },
    )
    for (const url of [
      'http://example.com/hook',
      'https://127.0.0.1/hook',
      'https://localhost/hook',
      'https://10.1.2.3/hook',
      'https://169.254.169.254/latest',
      'https://[::1]/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://user:pass@example.com/hook',
      'ftp://example.com/',
    ]) {
      await expect(
        domain.webhooks.subscribe({ url, events: ['member.created'] }, 'test'),
        url,
      ).rejects.toMatchObject({ code: 'invalid_input', details: { field: 'url' } })
    }
    const ok = await domain.webhooks.subscribe(
      { url: 'https://hooks.example.com/jifen', events: ['member.created'] },
      'test',
    )
    expect(ok.url).toBe('https://hooks.example.com/jifen')
  })

  it('refuses to connect to a name that resolves to a private address', async () => {
    const outcome = await postWebhook(
      {
        id: 1,
        subscriptionId: 'whk_x',
        url: 'http://localhost:9/hook',
        secret: 'whsec_x',
        eventId: 'evt_x',
        eventType: 'member.created',
        body: '{}',
        attempts: 1,
      },
      { timeoutMs: 2_000, allowPrivateUrls: false, now: () => new Date() },
    )
    expect(outcome.ok).toBe(false)
    expect(outcome.error).toMatch(/^EPRIVATE: localhost resolves to a private address/)
  })

  it('without WEBHOOK_SECRET_KEY, subscribing is refused with webhooks_not_configured', async () => {
    const domain = createDomain({ store, clock: new ManualClock('2025-01-10T04:00:00Z') })
    await expect(
      domain.webhooks.subscribe(
        { url: 'https://hooks.example.com/jifen', events: ['member.created'] },
        'test',
      ),
    ).rejects.toMatchObject({ code: 'webhooks_not_configured' })
  })
})
