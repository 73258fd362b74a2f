import { randomBytes, randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import fc from 'fast-check'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/api/app.ts'
import { createDomain } from '../../src/domain/index.ts'
import { RATE_LIMIT_DEFAULTS } from '../../src/shared/rate-limits.ts'
import { available, databases } from '../helpers/db.ts'
import { type DomainFixture, createFixture } from '../helpers/domain.ts'
import { MINIAPP_BOT_TOKEN, initDataFor } from '../helpers/miniapp.ts'
import {
  type FuzzRequest,
  type OpenApiDocument,
  type Operation,
  invalidRequests,
  operationsOf,
  randomRequests,
  type Seeded,
} from '../helpers/openapi-requests.ts'

/**
 * Requests generated from the OpenAPI document, for every operation in it: one that breaks the
 * document is a 4xx with the error shape, never a 2xx; any request at all is never a 5xx.
 * FUZZ_RUNS sets the cases per operation and kind (default 20), FUZZ_SEED replays a run.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 20)
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31))

interface Fuzzed {
  app: ReturnType<typeof createApp>
  fixture: DomainFixture
  adminKey: string
  posKey: string
  session: string
  seeded: Seeded
  /** What the app logged as an unhandled error last: the cause of a 500, for the report. */
  lastError: () => string
}

/** The app as a deployment runs it, with the mini-app on and limits out of the fuzzer's reach. */
async function fuzzedApp(fixture: DomainFixture) {
  let lastError = ''
  const sink = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      lastError = chunk.toString()
      done()
    },
  })
  const domain = createDomain(
    { store: fixture.store, clock: fixture.clock },
    {
      miniapp: { telegramBotToken: MINIAPP_BOT_TOKEN, initDataMaxAgeSeconds: 3_600 },
      // Webhooks configured as in production: subscriptions can be made, private URLs cannot.
      webhooks: { secretKey: randomBytes(32) },
    },
  )
  const many = { points: 1_000_000, seconds: 1 }
  const app = createApp({
    domain,
    logger: pino({ level: 'error' }, sink),
    rateLimits: { ...RATE_LIMIT_DEFAULTS, apiKey: many, member: many, sessionPerIp: many },
    // The Official Account's QR codes as its API gives them, so that the channel-source
    // operations are fuzzed past their "channel not on" refusal (503).
    channelQrCodes: {
      create: (scene) =>
        Promise.resolve({ ticket: `ticket-${scene}`, url: `http://127.0.0.1/qr/${scene}` }),
    },
  })
  return { app, domain, lastError: () => lastError }
}

async function openApiDocument(): Promise<OpenApiDocument> {
  const fixture = await createFixture(databases[0]!)
  try {
    const { app } = await fuzzedApp(fixture)
    const response = await app.request('/api/openapi.json')
    return (await response.json()) as OpenApiDocument
  } finally {
    await fixture.store.cleanup()
  }
}

const document = await openApiDocument()
const operations = operationsOf(document)

async function send(fuzzed: Fuzzed, request: FuzzRequest) {
  const headers = { ...request.headers }
  const key = {
    proper: request.url.startsWith('/api/miniapp') ? fuzzed.session : fuzzed.adminKey,
    pos: fuzzed.posKey,
    none: undefined,
    bogus: 'jf_not-a-key',
  }[request.credential]
  if (key) headers.authorization = `Bearer ${key}`
  const response = await fuzzed.app.request(request.url, {
    method: request.method,
    headers,
    ...(request.body === undefined ? {} : { body: request.body }),
  })
  const text = await response.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // kept as text: the assertion shows it
  }
  const cause = response.status >= 500 ? `\nlogged: ${fuzzed.lastError()}` : ''
  return { status: response.status, body, cause }
}

function isErrorBody(body: unknown): boolean {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error
  return typeof error?.code === 'string' && typeof error.message === 'string'
}

/** The mini-app's member is outside the pools, so that no fuzzed erase ends its session. */
const MINIAPP_USER = { id: 770_001, first_name: 'Fuzz', language_code: 'en' }

async function seed(fixture: DomainFixture, app: Fuzzed['app'], adminKey: string) {
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await app.request(path, {
      method,
      headers: {
        authorization: `Bearer ${adminKey}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const json = (await response.json()) as Record<string, unknown>
    expect(response.status, `${method} ${path}: ${JSON.stringify(json)}`).toBeLessThan(300)
    return json
  }
  const now = fixture.clock.now().getTime()
  const window = {
    opensAt: new Date(now - 60_000).toISOString(),
    closesAt: new Date(now + 30 * 86_400_000).toISOString(),
  }
  // Subscribed before the members are made, so that their member.created are deliveries.
  const webhook = { url: 'https://hooks.example.com/fuzz', events: ['member.created'] }
  const subscription = await call('POST', '/api/v1/webhooks', webhook)
  const members: string[] = []
  const codes: string[] = []
  const phones = ['13800138001', '13800138002', '13800138003']
  for (const member of [
    { displayName: 'Fuzz mini', telegramId: String(MINIAPP_USER.id) },
    ...phones.map((phone) => ({ displayName: `Fuzz ${phone}`, phone })),
  ]) {
    const { id, code } = await call('POST', '/api/v1/members', member)
    await call('POST', `/api/v1/members/${String(id)}/adjustments`, {
      points: 5_000,
      reason: 'fuzz seed',
    })
    members.push(String(id))
    codes.push(String(code))
  }
  // The mini-app's member takes part through its session, never as a path id.
  members.shift()
  const reward = await call('POST', '/api/v1/rewards', {
    name: 'Fuzz mug',
    kind: 'gift',
    pointsCost: 10,
  })
  // Redeemed through bodies only, so that a fuzzed DELETE /rewards/{id} leaves one to redeem.
  const spare = await call('POST', '/api/v1/rewards', {
    name: 'Fuzz tote',
    kind: 'gift',
    pointsCost: 10,
  })
  const redemption = await call('POST', `/api/v1/members/${members[0]}/redemptions`, {
    rewardId: reward.id,
  })
  const order = {
    id: 'fuzz-order-1',
    member: { id: members[0] },
    amount: 12_300,
    items: [{ sku: 'FUZZ-1', quantity: 3, unitPrice: 4_100 }],
  }
  await call('POST', '/api/v1/orders', order)
  const quizBody = {
    title: 'Fuzz quiz',
    questions: [{ text: 'Tea?', choices: ['Green', 'Black'], answer: 1 }],
    reward: { mode: 'per_correct', points: 1 },
    ...window,
  }
  const quiz = await call('POST', '/api/v1/quizzes', quizBody)
  const programme = (await call('GET', '/api/v1/programme')).config as Record<string, unknown>
  const lottery = await call('POST', '/api/v1/lotteries', {
    title: 'Fuzz draw',
    costPoints: 1,
    ...window,
    prizes: [{ name: 'Bonus', kind: 'points', points: 1, weight: 1 }],
  })
  const draw = await call('POST', `/api/v1/members/${members[0]}/draws`, {
    lotteryId: lottery.id,
  })
  const survey = await call('POST', '/api/v1/surveys', { title: 'Fuzz', question: 'Good?' })
  const campaign = await call('POST', '/api/v1/campaigns', {
    name: 'Fuzz campaign',
    message: { text: 'hi' },
    sendAt: new Date(now + 86_400_000).toISOString(),
  })
  const segment = await call('POST', '/api/v1/segments', { name: 'Fuzz', filter: { abc: ['A'] } })
  await call('POST', `/api/v1/members/${members[1]}/tags`, { tags: ['vip'] })
  await call('PUT', '/api/v1/products/FUZZ-1', { name: { 'zh-CN': '茶', en: 'Tea' } })
  const deliveries = await call('GET', `/api/v1/webhooks/${String(subscription.id)}/deliveries`)
  const deliveryIds = (deliveries.items as { id: string }[]).map((d) => d.id)
  const drawId = String(draw.drawId)
  const today = fixture.clock.now().toISOString()
  const seeded: Seeded = {
    now: fixture.clock.now(),
    paths: {
      members,
      orders: ['fuzz-order-1'],
      rewards: [String(reward.id)],
      coupons: [String(redemption.couponCode)],
      quizzes: [String(quiz.id)],
      lotteries: [String(lottery.id)],
      'lottery-draws': [drawId],
      surveys: [String(survey.id)],
      campaigns: [String(campaign.id)],
      segments: [String(segment.id)],
      tags: ['vip'],
      products: ['FUZZ-1'],
      webhooks: [String(subscription.id)],
      'webhook-deliveries': deliveryIds,
    },
    bodies: {
      'POST /api/v1/orders': { accepted: [order], fresh: ['id'] },
      'POST /api/v1/quizzes': { accepted: [quizBody] },
      'PUT /api/v1/programme': { accepted: [programme] },
      'POST /api/v1/webhooks': { accepted: [webhook] },
    },
    known: {
      memberId: members,
      code: codes,
      phone: phones,
      rewardId: [String(reward.id), String(spare.id)],
      lotteryId: [String(lottery.id)],
      surveyId: [String(survey.id)],
      orderId: ['fuzz-order-1'],
      campaignId: [String(campaign.id)],
      tags: [['vip']],
      initData: [initDataFor(MINIAPP_USER, fixture.clock.now())],
      from: [today.slice(0, 8) + '01', new Date(now - 7 * 86_400_000).toISOString()],
      to: [today.slice(0, 10), today],
    },
  }
  return seeded
}

async function miniappSession(fixture: DomainFixture, app: Fuzzed['app']): Promise<string> {
  const response = await app.request('/api/miniapp/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ initData: initDataFor(MINIAPP_USER, fixture.clock.now()) }),
  })
  const body = (await response.json()) as { token: string }
  expect(response.status).toBe(200)
  return body.token
}

/** Which operations have invalid requests at all does not depend on what is seeded. */
const NOTHING_SEEDED: Seeded = { now: new Date(), paths: {}, known: {} }

const label = (operation: Operation) => `${operation.method} ${operation.path}`

describe('the OpenAPI document', () => {
  it('writes each pattern as JSON Schema reads it, without JavaScript flags after it', () => {
    const patterns = [...JSON.stringify(document).matchAll(/"pattern":("(?:[^"\\]|\\.)*")/g)].map(
      ([, quoted]) => JSON.parse(quoted!) as string,
    )
    expect(patterns.length).toBeGreaterThan(0)
    expect(patterns.filter((pattern) => /\$\/[a-z]+$/.test(pattern))).toEqual([])
    for (const pattern of patterns) expect(() => new RegExp(pattern, 'u')).not.toThrow()
  })
})

for (const db of databases) {
  describe.skipIf(!available(db))(
    `fuzzing every operation of the OpenAPI document [${db.name}${available(db) ? '' : ': skipped, TEST_DATABASE_URL not set'}]`,
    () => {
      let fuzzed: Fuzzed
      /** The answers of the random requests by operation, to see that they reach the domain. */
      const answered = new Map<string, string[]>()
      beforeAll(async () => {
        const fixture = await createFixture(db)
        const { app, domain, lastError } = await fuzzedApp(fixture)
        const adminKey = (await domain.staff.createApiKey('fuzz admin', 'admin')).key
        const posKey = (await domain.staff.createApiKey('fuzz till', 'pos')).key
        const seeded = await seed(fixture, app, adminKey)
        const session = await miniappSession(fixture, app)
        fuzzed = { app, fixture, adminKey, posKey, session, seeded, lastError }
      })
      afterAll(async () => {
        await fuzzed?.fixture.store.cleanup()
      })

      it('walks every operation of the document', () => {
        expect(operations.length).toBeGreaterThanOrEqual(79)
      })

      it.each(
        operations
          .filter((operation) => invalidRequests(operation, NOTHING_SEEDED) !== null)
          .map((operation) => [label(operation), operation] as const),
      )(
        'a request to %s that breaks the document is a 4xx with the error shape',
        async (_name, operation) => {
          await check(
            operation,
            fc.asyncProperty(
              invalidRequests(operation, fuzzed.seeded)!,
              async ({ why, request }) => {
                const answer = await send(fuzzed, request)
                const shown = `${why}: ${request.method} ${request.url} ${request.body ?? ''} -> ${answer.status} ${JSON.stringify(answer.body)}${answer.cause}`
                expect(answer.status, shown).toBeGreaterThanOrEqual(400)
                expect(answer.status, shown).toBeLessThan(500)
                expect(isErrorBody(answer.body), shown).toBe(true)
              },
            ),
          )
        },
      )

      it.each(operations.map((operation) => [label(operation), operation] as const))(
        'any request to %s is answered without a 5xx, and a refusal has the error shape',
        async (_name, operation) => {
          await check(
            operation,
            fc.asyncProperty(randomRequests(operation, fuzzed.seeded), async (request) => {
              const answer = await send(fuzzed, request)
              const error = (answer.body as { error?: { code?: string } } | null)?.error
              answered.set(label(operation), [
                ...(answered.get(label(operation)) ?? []),
                `${answer.status}${error?.code ? ` ${error.code}` : ''}`,
              ])
              const shown = `${request.credential} ${request.method} ${request.url} ${request.body ?? ''} -> ${answer.status} ${JSON.stringify(answer.body)}${answer.cause}`
              expect(answer.status, shown).toBeLessThan(500)
              if (answer.status >= 400) expect(isErrorBody(answer.body), shown).toBe(true)
            }),
          )
        },
      )

      it('the random requests reach the domain: most operations answer some of them with a 2xx', () => {
        const reached = [...answered].filter(([, answers]) => answers.some((a) => a < '3'))
        if (process.env.FUZZ_STATS)
          console.log(
            [...answered]
              .map(([name, answers]) => `${name}: ${[...new Set(answers)].sort().join(', ')}`)
              .join('\n'),
          )
        expect(reached.length).toBeGreaterThan(operations.length * 0.75)
      })
    },
  )
}

async function check<T>(operation: Operation, property: fc.IAsyncPropertyWithHooks<[T]>) {
  try {
    await fc.assert(property, { numRuns: RUNS, seed: SEED })
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined
    const message = `${error instanceof Error ? error.message : String(error)}\n${cause?.message ?? ''}`
    throw new Error(
      `${label(operation)}: replay with FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}\n${message}`,
    )
  }
}
