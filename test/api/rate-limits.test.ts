import type { AddressInfo } from 'node:net'
import { type ServerType, serve } from '@hono/node-server'
import pino from 'pino'
import { afterEach, beforeAll, expect, it, vi } from 'vitest'
import { createDb } from '../../db/client.ts'
import { createApp } from '../../src/api/app.ts'
import { RATE_LIMIT_DEFAULTS, type RateLimits } from '../../src/shared/rate-limits.ts'
import { createDomain } from '../../src/domain/index.ts'
import { describeOnDatabases } from '../helpers/domain.ts'
import { MINIAPP_BOT_TOKEN, initDataFor } from '../helpers/miniapp.ts'

const SMALL: RateLimits = {
  enabled: true,
  apiKey: { points: 3, seconds: 60 },
  member: { points: 2, seconds: 60 },
  sessionPerIp: { points: 2, seconds: 60 },
  trustProxy: 1,
}

describeOnDatabases('rate limits', (get, db) => {
  let domain: ReturnType<typeof createDomain>
  let nextId = 940_000
  beforeAll(() => {
    domain = createDomain(
      { store: get().store, clock: get().clock },
      { miniapp: { telegramBotToken: MINIAPP_BOT_TOKEN, initDataMaxAgeSeconds: 3_600 } },
    )
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  const appWith = (limits: Partial<RateLimits> = {}, on = domain) =>
    createApp({
      domain: on,
      logger: pino({ level: 'silent' }),
      rateLimits: { ...SMALL, ...limits },
    })
  const newKey = async () => (await domain.staff.createApiKey(`till ${++nextId}`, 'pos')).key
  const asKey = (app: ReturnType<typeof createApp>, key: string) =>
    app.request('/api/v1/rewards', { headers: { authorization: `Bearer ${key}` } })
  const memberUser = async () => {
    const id = ++nextId
    await domain.members.register({ displayName: `Rate ${id}`, telegramId: String(id) })
    return id
  }
  const signIn = async (app: ReturnType<typeof createApp>, address: string) => {
    const user = await memberUser()
    return app.request('/api/miniapp/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.0.0.9, ${address}` },
      body: JSON.stringify({
        initData: initDataFor({ id: user, first_name: 'Rate' }, get().clock.now()),
      }),
    })
  }

  it('a key over its limit gets 429 with Retry-After, RateLimit headers and a JSON error', async () => {
    const app = appWith()
    const key = await newKey()
    const answers = []
    for (let i = 0; i < 4; i++) answers.push(await asKey(app, key))
    expect(answers.slice(0, 3).map((r) => r.status)).toEqual([200, 200, 200])
    expect(answers[2]!.headers.get('RateLimit-Remaining')).toBe('0')
    const refused = answers[3]!
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThanOrEqual(59)
    expect(refused.headers.get('RateLimit-Limit')).toBe('3')
    expect(refused.headers.get('RateLimit-Remaining')).toBe('0')
    expect(Number(refused.headers.get('RateLimit-Reset'))).toBeGreaterThanOrEqual(59)
    expect(refused.headers.get('RateLimit-Policy')).toBe('3;w=60')
    expect(await refused.json()).toMatchObject({
      error: { code: 'rate_limited', details: { limit: 3, windowSeconds: 60 } },
    })
  })

  it('a key over its limit leaves another key its whole allowance', async () => {
    const app = appWith()
    const [busy, quiet] = [await newKey(), await newKey()]
    for (let i = 0; i < 4; i++) await asKey(app, busy)
    expect((await asKey(app, busy)).status).toBe(429)
    const other = await asKey(app, quiet)
    expect(other.status).toBe(200)
    expect(other.headers.get('RateLimit-Remaining')).toBe('2')
  })

  it('a key refused for its rate works again once the window has passed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const app = appWith()
    const key = await newKey()
    for (let i = 0; i < 3; i++) await asKey(app, key)
    expect((await asKey(app, key)).status).toBe(429)
    vi.setSystemTime(Date.now() + 61_000)
    expect((await asKey(app, key)).status).toBe(200)
  })

  it('a mini-app session over its limit is refused, and another member is not', async () => {
    const app = appWith({ sessionPerIp: { points: 100, seconds: 60 } })
    const token = async () =>
      ((await (await signIn(app, '192.0.2.1')).json()) as { token: string }).token
    const [mine, theirs] = [await token(), await token()]
    const me = (session: string) =>
      app.request('/api/miniapp/me', { headers: { authorization: `Bearer ${session}` } })
    expect([(await me(mine)).status, (await me(mine)).status]).toEqual([200, 200])
    const refused = await me(mine)
    expect(refused.status).toBe(429)
    expect(refused.headers.get('Retry-After')).toBeTruthy()
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limited')
    expect((await me(theirs)).status).toBe(200)
  })

  it('the session route is limited per client address, taken from the trusted proxy only', async () => {
    const app = appWith()
    expect((await signIn(app, '198.51.100.7')).status).toBe(200)
    expect((await signIn(app, '198.51.100.7')).status).toBe(200)
    const refused = await signIn(app, '198.51.100.7')
    expect(refused.status).toBe(429)
    expect(refused.headers.get('RateLimit-Policy')).toBe('2;w=60')
    // The entry left of the proxy's is the client's own claim: changing it buys nothing.
    const spoofed = await app.request('/api/miniapp/session', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-forwarded-for': '203.0.113.1, 198.51.100.7',
      },
      body: JSON.stringify({ token: 'x' }),
    })
    expect(spoofed.status).toBe(429)
    expect((await signIn(app, '198.51.100.8')).status).toBe(200)
  })

  it('without a trusted proxy the socket address counts and X-Forwarded-For is ignored', async () => {
    const app = appWith({ trustProxy: 0 })
    const server = await new Promise<ServerType>((resolve) => {
      const started: ServerType = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
        resolve(started),
      )
    })
    try {
      const { port } = server.address() as AddressInfo
      const statuses = []
      for (const address of ['192.0.2.10', '192.0.2.11', '192.0.2.12']) {
        const user = await memberUser()
        const response = await fetch(`http://127.0.0.1:${port}/api/miniapp/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
          body: JSON.stringify({
            initData: initDataFor({ id: user, first_name: 'Rate' }, get().clock.now()),
          }),
        })
        statuses.push(response.status)
      }
      expect(statuses).toEqual([200, 200, 429])
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('limits are off when disabled, and the defaults leave a busy till alone', async () => {
    const off = appWith({ enabled: false })
    const key = await newKey()
    for (let i = 0; i < 5; i++) expect((await asKey(off, key)).status).toBe(200)
    expect((await asKey(off, key)).headers.get('RateLimit-Limit')).toBeNull()
    const defaults = createApp({ domain, logger: pino({ level: 'silent' }) })
    const answered = await asKey(defaults, key)
    expect(answered.status).toBe(200)
    expect(answered.headers.get('RateLimit-Policy')).toBe(
      `${RATE_LIMIT_DEFAULTS.apiKey.points};w=${RATE_LIMIT_DEFAULTS.apiKey.seconds}`,
    )
  })

  it('the OpenAPI document names the 429 on every operation', async () => {
    const doc = (await (await appWith().request('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>
    }
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    )
    expect(operations.length).toBeGreaterThan(50)
    const without = operations.filter(({ operation }) => !operation.responses['429'])
    expect(without.map(({ method, path }) => `${method} ${path}`)).toEqual([])
  })

  it.runIf(db.name === 'postgres')(
    'two app instances on one PostgreSQL database share the count of a key',
    async () => {
      const second = createDb(get().store.url)
      try {
        const otherDomain = createDomain({ store: second, clock: get().clock })
        const [one, two] = [appWith(), appWith({}, otherDomain)]
        const key = await newKey()
        const statuses = []
        for (const app of [one, two, one, two]) statuses.push((await asKey(app, key)).status)
        expect(statuses).toEqual([200, 200, 200, 429])
      } finally {
        await second.close()
      }
    },
  )
})
