import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import pino from 'pino'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createApp } from '../../src/api/app.ts'
import { createDomain } from '../../src/domain/index.ts'
import { CLOCK_SKEW_MS } from '../../src/shared/clock.ts'
import { describeOnDatabases } from '../helpers/domain.ts'
import { MINIAPP_BOT_TOKEN, initDataFor } from '../helpers/miniapp.ts'

const BOT_TOKEN = MINIAPP_BOT_TOKEN

describeOnDatabases('mini-app API', (get) => {
  let logs = ''
  let app: ReturnType<typeof createApp>
  let domain: ReturnType<typeof createDomain>
  beforeAll(() => {
    const sink = new Writable({ write: (chunk, _enc, done) => ((logs += chunk), done()) })
    domain = createDomain(
      { store: get().store, clock: get().clock },
      { miniapp: { telegramBotToken: BOT_TOKEN, initDataMaxAgeSeconds: 3_600 } },
    )
    app = createApp({ domain, logger: pino({ level: 'info' }, sink) })
  })
  afterAll(() => {
    get().clock.set('2025-01-10T04:00:00Z')
  })

  let nextId = 880_000
  async function member(extra: Record<string, unknown> = {}) {
    const telegramId = ++nextId
    const view = await domain.members.register({
      displayName: `Mini ${telegramId}`,
      telegramId: String(telegramId),
      phone: `139${String(telegramId).padStart(8, '0')}`,
      ...extra,
    })
    return { view, user: { id: telegramId, first_name: 'Mini', language_code: 'zh-hans' } }
  }
  const call = async (
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const response = await app.request(`/api/miniapp${path}`, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    })
    return { status: response.status, body: await response.json() }
  }
  const sessionFor = async (user: { id: number; first_name: string }) => {
    const res = await call('POST', '/session', {
      body: { initData: initDataFor(user, get().clock.now()) },
    })
    expect(res.status).toBe(200)
    return res.body.token as string
  }

  it('exchanges valid initData for a session and shows the member’s points, tier and progress', async () => {
    const { view, user } = await member()
    await domain.orders.ingest({ id: `mini-${view.id}`, member: { id: view.id }, amount: 23_400 })
    const token = await sessionFor(user)
    const me = await call('GET', '/me', { token })
    expect(me.status).toBe(200)
    expect(me.body.member).toMatchObject({
      id: view.id,
      points: { balance: 234 },
      tier: {
        code: 'member',
        progress: { next: { code: 'silver' } },
        outlook: { heldBy: 'purchases', keepNeeds: null, after: { code: 'member' } },
      },
    })
    expect(me.body.programme.tiers).toHaveLength(4)
    const ledger = await call('GET', '/ledger', { token })
    expect(ledger.body.items.map((e: { points: number }) => e.points)).toEqual([234])
    const code = await call('GET', '/code', { token })
    expect(code.body.code).toBe(view.code)
    expect(code.body.svg).toContain('<svg')
  })

  it('the member’s page data shows points pending review apart from the balance', async () => {
    const { view, user } = await member()
    // ¥200,000 earns 200,000 points: over the default cap of 100,000 points per order.
    await domain.orders.ingest({
      id: `held-${view.id}`,
      member: { id: view.id },
      amount: 20_000_000,
    })
    const me = await call('GET', '/me', { token: await sessionFor(user) })
    expect(me.body.member.points).toMatchObject({ balance: 0, pending: 200_000 })
  })

  it('refuses initData that is tampered with, signed with another bot’s token, or too old', async () => {
    const { user } = await member()
    const now = get().clock.now()
    const good = initDataFor(user, now)
    const tampered = good.replace(
      encodeURIComponent(`"id":${user.id}`),
      encodeURIComponent(`"id":${user.id + 1}`),
    )
    expect(tampered).not.toBe(good)
    for (const initData of [
      tampered,
      initDataFor(user, now, '999:another-bot-token'),
      initDataFor(user, new Date(now.getTime() - 2 * 3_600_000)),
      'hash=abc',
      'garbage',
    ]) {
      const res = await call('POST', '/session', { body: { initData } })
      expect(res.status).toBe(401)
      expect(res.body.error.code).toBe('unauthorized')
    }
  })

  it('refuses initData dated in the future beyond clock skew, and accepts it within the skew', async () => {
    const { user } = await member()
    const now = get().clock.now().getTime()
    const ahead = await call('POST', '/session', {
      body: { initData: initDataFor(user, new Date(now + CLOCK_SKEW_MS + 60_000)) },
    })
    expect(ahead.status).toBe(401)
    expect(ahead.body.error.code).toBe('unauthorized')
    const withinSkew = await call('POST', '/session', {
      body: { initData: initDataFor(user, new Date(now + CLOCK_SKEW_MS - 60_000)) },
    })
    expect(withinSkew.status).toBe(200)
  })

  it('tells someone who is not a member yet to join in the bot', async () => {
    const res = await call('POST', '/session', {
      body: { initData: initDataFor({ id: 1, first_name: 'Nobody' }, get().clock.now()) },
    })
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('member_not_found')
  })

  it('a WeChat link opens a session once, and never after it expired or was tampered with', async () => {
    const { view } = await member()
    const link = await domain.miniapp.createLink(view.id)
    const first = await call('POST', '/session', { body: { token: link.token } })
    expect(first.status).toBe(200)
    expect((await call('GET', '/me', { token: first.body.token })).body.member.id).toBe(view.id)
    expect((await call('POST', '/session', { body: { token: link.token } })).status).toBe(401)
    const [id, signature] = (await domain.miniapp.createLink(view.id)).token.split('.')
    expect(
      (await call('POST', '/session', { body: { token: `${id}.${signature!.slice(0, -2)}xx` } }))
        .status,
    ).toBe(401)
    const old = await domain.miniapp.createLink(view.id)
    get().clock.advance(31 * 60_000)
    expect((await call('POST', '/session', { body: { token: old.token } })).status).toBe(401)
    get().clock.set('2025-01-10T04:00:00Z')
  })

  it('refuses a missing, forged or expired session with 401', async () => {
    const { user } = await member()
    const token = await sessionFor(user)
    expect((await call('GET', '/me')).status).toBe(401)
    const [payload, signature] = token.split('.')
    const forgedPayload = Buffer.from(`mem_someone_else|${Date.now() + 1e9}`).toString('base64url')
    expect((await call('GET', '/me', { token: `${forgedPayload}.${signature}` })).status).toBe(401)
    expect(
      (await call('GET', '/me', { token: `${payload}.${signature!.replace(/.$/, 'A')}x` })).status,
    ).toBe(401)
    get().clock.advance(3_601_000)
    expect((await call('GET', '/me', { token })).status).toBe(401)
    get().clock.set('2025-01-10T04:00:00Z')
  })

  it('every mini-app endpoint but the sign-in refuses a request without a session', async () => {
    const doc = (await (await app.request('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>
    }
    const endpoints = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/miniapp/') && path !== '/api/miniapp/session')
      .flatMap(([path, methods]) =>
        Object.keys(methods).map(
          (method) => [method.toUpperCase(), path.replace('{id}', 'some-id')] as const,
        ),
      )
    expect(endpoints.length).toBeGreaterThanOrEqual(10)
    for (const [method, path] of endpoints) {
      const res = await app.request(path, {
        method,
        headers: { 'content-type': 'application/json' },
        body: method === 'GET' ? undefined : '{}',
      })
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 401 })
    }
  })

  it('a member can only ever see their own data', async () => {
    const a = await member()
    const b = await member()
    await domain.adjust(b.view.id, { points: 77, reason: 'b only' }, 'test')
    const token = await sessionFor(a.user)
    expect((await call('GET', `/ledger?memberId=${b.view.id}`, { token })).body.items).toEqual([])
    expect((await call('GET', `/members/${b.view.id}`, { token })).status).toBe(404)
    expect(
      (await call('GET', '/me', { token, headers: { 'x-member-id': b.view.id } })).body.member.id,
    ).toBe(a.view.id)
    expect(
      (
        await app.request(`/api/v1/members/${b.view.id}`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).status,
    ).toBe(401)
  })

  it('a redemption or draw from the mini-app without Idempotency-Key is refused before any write', async () => {
    const { view, user } = await member()
    await domain.adjust(view.id, { points: 120, reason: 'test' }, 'test')
    const cup = await domain.rewards.create({ name: 'Cup', kind: 'gift', pointsCost: 10 })
    const now = get().clock.now().getTime()
    const lottery = await domain.lotteries.create({
      title: 'Keyless draw',
      costPoints: 10,
      freeDrawsPerDay: 0,
      opensAt: new Date(now - 60_000).toISOString(),
      closesAt: new Date(now + 86_400_000).toISOString(),
      prizes: [{ name: 'Bonus', kind: 'points', points: 5, weight: 1 }],
    })
    const token = await sessionFor(user)
    for (const [path, body] of [
      ['/redemptions', { rewardId: cup.id }],
      ['/draws', { lotteryId: lottery.id }],
    ] as const) {
      const res = await call('POST', path, { token, body })
      expect(res.status, path).toBe(400)
      expect(res.body.error.code, path).toBe('idempotency_key_required')
    }
    expect((await call('GET', '/me', { token })).body.member.points.balance).toBe(120)
  })

  it('redeems a reward for the coupon code, says when points are short, and edits the profile', async () => {
    const { view, user } = await member()
    await domain.adjust(view.id, { points: 120, reason: 'test' }, 'test')
    const tea = await domain.rewards.create({
      name: 'Tea',
      kind: 'coupon',
      pointsCost: 100,
      value: 500,
      validDays: 10,
    })
    const token = await sessionFor(user)
    const rewards = await call('GET', '/rewards', { token })
    expect(rewards.body.items.find((r: { id: string }) => r.id === tea.id)).toMatchObject({
      blockedBy: null,
    })
    const redeemed = await call('POST', '/redemptions', {
      token,
      body: { rewardId: tea.id },
      headers: { 'idempotency-key': 'tap-1' },
    })
    expect(redeemed.status).toBe(201)
    expect(redeemed.body.couponCode).toMatch(/^[2-9A-HJ-NP-Z]{10}$/)
    const short = await call('POST', '/redemptions', {
      headers: { 'idempotency-key': randomUUID() },
      token,
      body: { rewardId: tea.id },
    })
    expect(short.status).toBe(409)
    expect(short.body.error.code).toBe('insufficient_points')
    expect((await call('GET', '/coupons', { token })).body.items).toHaveLength(1)
    const patched = await call('PATCH', '/me', {
      token,
      body: {
        displayName: 'New Name',
        marketingConsent: true,
        locale: 'en',
        birthday: '1991-02-03',
      },
    })
    expect(patched.body).toMatchObject({
      displayName: 'New Name',
      marketingConsent: true,
      locale: 'en',
      birthday: '1991-02-03',
    })
    expect(
      (await call('PATCH', '/me', { token, body: { birthday: '3 Feb' } })).body.error.details.field,
    ).toBe('birthday')
    expect((await call('PATCH', '/me', { token, body: { phone: '+1' } })).status).toBe(400)
  })

  it('a member sets their birthday once, to a real date no later than today', async () => {
    const { user } = await member()
    const token = await sessionFor(user)
    for (const birthday of ['1990-02-30', '2030-01-01']) {
      const refused = await call('PATCH', '/me', { token, body: { birthday } })
      expect(refused.status).toBe(400)
      expect(refused.body.error.details.field).toBe('birthday')
    }
    const set = await call('PATCH', '/me', { token, body: { birthday: '1990-01-10' } })
    expect(set.body.birthday).toBe('1990-01-10')
    const again = await call('PATCH', '/me', { token, body: { birthday: '1990-03-01' } })
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('birthday_locked')
    const unset = await call('PATCH', '/me', { token, body: { birthday: null } })
    expect(unset.status).toBe(409)
    const same = await call('PATCH', '/me', {
      token,
      body: { birthday: '1990-01-10', displayName: 'Still me' },
    })
    expect(same.body).toMatchObject({ birthday: '1990-01-10', displayName: 'Still me' })
  })

  it('the rewards list gives each reward the reason its redemption would be refused', async () => {
    const { view, user } = await member()
    await domain.adjust(view.id, { points: 50, reason: 'test' }, 'test')
    const create = (input: Record<string, unknown>) =>
      domain.rewards.create({ name: 'Reward', kind: 'gift', pointsCost: 10, ...input } as never)
    const once = await create({ name: 'Once', perMemberLimit: 1 })
    await domain.rewards.redeem(view.id, once.id)
    const cases = [
      [once, 'limit_reached'],
      [
        await create({ name: 'Held', kind: 'tier_upgrade', tierCode: 'member' }),
        'tier_already_held',
      ],
      [await create({ name: 'Gone', stock: 0 }), 'out_of_stock'],
      [await create({ name: 'VIP', minTierCode: 'diamond' }), 'tier_required'],
      [await create({ name: 'Dear', pointsCost: 1_000 }), 'insufficient_points'],
      [await create({ name: 'Open', stock: 3 }), null],
    ] as const
    const token = await sessionFor(user)
    const { items } = (await call('GET', '/rewards', { token })).body
    for (const [reward, blockedBy] of cases) {
      expect(items.find((r: { id: string }) => r.id === reward.id)).toMatchObject({ blockedBy })
      if (!blockedBy) continue
      const refused = await call('POST', '/redemptions', {
        headers: { 'idempotency-key': randomUUID() },
        token,
        body: { rewardId: reward.id },
      })
      expect(refused.body.error.code).toBe(blockedBy)
    }
  })

  it('a lottery with nothing left the member can win is listed as exhausted and its draw refused', async () => {
    const { view, user } = await member()
    await domain.adjust(view.id, { points: 50, reason: 'test' }, 'test')
    const once = await domain.rewards.create({
      name: 'Once',
      kind: 'gift',
      pointsCost: 0,
      perMemberLimit: 1,
    })
    const lottery = await domain.lotteries.create({
      title: 'Once draw',
      costPoints: 10,
      freeDrawsPerDay: 0,
      opensAt: new Date(get().clock.now().getTime() - 60_000).toISOString(),
      closesAt: new Date(get().clock.now().getTime() + 86_400_000).toISOString(),
      prizes: [{ name: 'Once', kind: 'reward', rewardId: once.id, weight: 1 }],
    })
    const token = await sessionFor(user)
    const listed = async () =>
      (await call('GET', '/lotteries', { token })).body.items.find(
        (l: { id: string }) => l.id === lottery.id,
      )
    expect(await listed()).toMatchObject({ exhausted: false })
    expect(
      (
        await call('POST', '/draws', {
          headers: { 'idempotency-key': randomUUID() },
          token,
          body: { lotteryId: lottery.id },
        })
      ).status,
    ).toBe(201)
    expect(await listed()).toMatchObject({ exhausted: true, prizes: [{ probability: 0 }] })
    const refused = await call('POST', '/draws', {
      headers: { 'idempotency-key': randomUUID() },
      token,
      body: { lotteryId: lottery.id },
    })
    expect(refused.status).toBe(409)
    expect(refused.body.error).toMatchObject({
      code: 'lottery_exhausted',
      details: { title: 'Once draw' },
    })
    expect((await domain.members.view(view.id)).points.balance).toBe(40)
  })

  it('an English member wins a prize named in both languages and reads the English name in the mini-app', async () => {
    const { user } = await member({ locale: 'en' })
    const voucher = await domain.rewards.create({
      name: { 'zh-CN': '20元券', en: '¥20 voucher' },
      kind: 'coupon',
      pointsCost: 0,
      value: 2_000,
    })
    const lottery = await domain.lotteries.create({
      title: { 'zh-CN': '双语抽奖', en: 'Two-language draw' },
      costPoints: 0,
      freeDrawsPerDay: 1,
      opensAt: new Date(get().clock.now().getTime() - 60_000).toISOString(),
      closesAt: new Date(get().clock.now().getTime() + 86_400_000).toISOString(),
      prizes: [
        {
          name: { 'zh-CN': '20元券', en: '¥20 voucher' },
          kind: 'reward',
          rewardId: voucher.id,
          weight: 1,
        },
      ],
    })
    const token = await sessionFor(user)
    const listed = (await call('GET', '/lotteries', { token })).body.items.find(
      (l: { id: string }) => l.id === lottery.id,
    )
    expect(listed).toMatchObject({ title: 'Two-language draw', prizes: [{ name: '¥20 voucher' }] })
    const drawn = await call('POST', '/draws', {
      headers: { 'idempotency-key': randomUUID() },
      token,
      body: { lotteryId: lottery.id },
    })
    expect(drawn).toMatchObject({ status: 201, body: { prize: { name: '¥20 voucher' } } })
    const coupons = (await call('GET', '/coupons', { token })).body.items
    expect(coupons).toMatchObject([{ rewardName: '¥20 voucher' }])
    const rewards = (await call('GET', '/rewards', { token })).body.items
    expect(rewards.find((r: { id: string }) => r.id === voucher.id)).toMatchObject({
      name: '¥20 voucher',
    })
  })

  it('writes no member data and no credentials to the logs', async () => {
    const { view, user } = await member({ phone: '13912340000' })
    const token = await sessionFor(user)
    await call('GET', '/me', { token })
    await call('GET', '/ledger', { token })
    expect(logs).toContain('/api/miniapp/me')
    for (const secret of [view.id, view.displayName, '13912340000', token, String(user.id)])
      expect(logs).not.toContain(secret)
  })
})
