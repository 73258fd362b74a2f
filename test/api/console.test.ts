import { randomUUID } from 'node:crypto'
import pino from 'pino'
import { beforeAll, expect, it } from 'vitest'
import { createApp } from '../../src/api/app.ts'
import { createDomain } from '../../src/domain/index.ts'
import {
  CONSOLE_LINK_TTL_SECONDS,
  DEFAULT_STAFF_SESSION_LIFETIMES,
} from '../../src/domain/staff/staff-sessions.service.ts'
import type { StaffRole } from '../../src/domain/staff/staff.service.ts'
import { RATE_LIMIT_DEFAULTS } from '../../src/shared/rate-limits.ts'
import { describeOnDatabases } from '../helpers/domain.ts'
import { MINIAPP_BOT_TOKEN, initDataFor } from '../helpers/miniapp.ts'

const STAFF_SESSION_IDLE_SECONDS = DEFAULT_STAFF_SESSION_LIFETIMES.idleSeconds
const STAFF_SESSION_MAX_SECONDS = DEFAULT_STAFF_SESSION_LIFETIMES.maxSeconds

describeOnDatabases('console sessions, the staff API and the audit log', (get) => {
  let app: ReturnType<typeof createApp>
  let domain: ReturnType<typeof createDomain>
  beforeAll(() => {
    domain = createDomain(
      { store: get().store, clock: get().clock },
      { miniapp: { telegramBotToken: MINIAPP_BOT_TOKEN, initDataMaxAgeSeconds: 3_600 } },
    )
    app = createApp({
      domain,
      logger: pino({ level: 'silent' }),
    })
  })

  const call = async (
    method: string,
    path: string,
    options: { token?: string; body?: unknown } = {},
  ) => {
    const response = await app.request(path, {
      method,
      headers: {
        'idempotency-key': randomUUID(),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    })
    const text = await response.text()
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test reads the JSON it expects
    const body: any = text ? JSON.parse(text) : null
    return { status: response.status, body }
  }

  let nextTelegramId = 770_000
  /** A staff member with a chat identity, as an accepted invite makes them. */
  async function staffMember(role: StaffRole, name = `${role} ${nextTelegramId}`) {
    const telegramId = String(++nextTelegramId)
    const { code } = await domain.staff.createInvite(role)
    const record = await domain.staff.acceptInvite(code, 'telegram', telegramId, name)
    return { id: record.id, telegramId, name }
  }
  async function signIn(staffId: string) {
    const { code } = await domain.staffSessions.createLink(staffId)
    const res = await call('POST', '/api/console/session', { body: { code } })
    expect(res.status).toBe(200)
    return res.body.token as string
  }

  it('a staff member opens a session from Telegram initData and calls /api/v1 with it', async () => {
    const manager = await staffMember('manager', 'Mia')
    const user = { id: Number(manager.telegramId), first_name: 'Mia' }
    const res = await call('POST', '/api/console/session', {
      body: { initData: initDataFor(user, get().clock.now()) },
    })
    expect(res.status).toBe(200)
    expect(res.body.staff).toEqual({ id: manager.id, name: 'Mia', role: 'manager' })
    expect(res.body.token).toMatch(/^jfs_/)
    const token = res.body.token as string
    const me = (await call('GET', '/api/console/session', { token })).body
    expect(me).toMatchObject(res.body.staff)
    // What the console may show: the manager's operations from the access table, no more.
    expect(me.operations).toContain('POST /api/v1/members/{id}/adjustments')
    expect(me.operations).toContain('GET /api/v1/members')
    expect(me.operations).not.toContain('GET /api/v1/staff')
    expect(me.operations).not.toContain('GET /api/miniapp/me')
    // The calendar the console counts days in is the programme's, not the browser's.
    expect(me.timezone).toBe((await get().domain.programme.current()).config.timezone)
    expect((await call('GET', '/api/v1/reminders/templates', { token })).status).toBe(200)
    // The token is kept only as its hash.
    const rows = await get().store.db.selectFrom('staffSessions').selectAll().execute()
    expect(JSON.stringify(rows)).not.toContain(token.slice(4))
  })

  it('a Telegram user who is not on the staff gets no console session', async () => {
    const user = { id: 779_999, first_name: 'Stranger' }
    const res = await call('POST', '/api/console/session', {
      body: { initData: initDataFor(user, get().clock.now()) },
    })
    expect(res.status).toBe(401)
    expect(res.body.error).toMatchObject({
      code: 'unauthorized',
      message: 'this Telegram account is not on the staff',
    })
    const forged = initDataFor(user, get().clock.now(), '999:other-bot')
    expect(
      (await call('POST', '/api/console/session', { body: { initData: forged } })).status,
    ).toBe(401)
  })

  it('a one-time login link opens one session, once, and not after it expires', async () => {
    const clerk = await staffMember('staff')
    const { code } = await domain.staffSessions.createLink(clerk.id)
    const first = await call('POST', '/api/console/session', { body: { code } })
    expect(first.status).toBe(200)
    expect(first.body.staff).toMatchObject({ id: clerk.id, role: 'staff' })
    const again = await call('POST', '/api/console/session', { body: { code } })
    expect(again.status).toBe(401)
    expect(again.body.error.code).toBe('unauthorized')

    const late = await domain.staffSessions.createLink(clerk.id)
    get().clock.advance(CONSOLE_LINK_TTL_SECONDS * 1000 + 1)
    expect((await call('POST', '/api/console/session', { body: { code: late.code } })).status).toBe(
      401,
    )
    const links = await get().store.db.selectFrom('consoleLinks').selectAll().execute()
    expect(JSON.stringify(links)).not.toContain(late.code)
  })

  it('a session ends on sign-out, after its idle timeout and at its absolute lifetime', async () => {
    const clerk = await staffMember('staff')
    const ended = await signIn(clerk.id)
    expect((await call('DELETE', '/api/console/session', { token: ended })).status).toBe(204)
    expect((await call('GET', '/api/v1/rewards', { token: ended })).status).toBe(401)

    const idle = await signIn(clerk.id)
    get().clock.advance((STAFF_SESSION_IDLE_SECONDS - 60) * 1000)
    expect((await call('GET', '/api/v1/rewards', { token: idle })).status).toBe(200)
    get().clock.advance((STAFF_SESSION_IDLE_SECONDS - 60) * 1000)
    // Used a moment ago, so the idle deadline moved on.
    expect((await call('GET', '/api/v1/rewards', { token: idle })).status).toBe(200)
    get().clock.advance(STAFF_SESSION_IDLE_SECONDS * 1000 + 1)
    expect((await call('GET', '/api/v1/rewards', { token: idle })).status).toBe(401)

    const busy = await signIn(clerk.id)
    for (let hour = 0; hour < STAFF_SESSION_MAX_SECONDS / 3_600; hour++) {
      expect((await call('GET', '/api/v1/rewards', { token: busy })).status).toBe(200)
      get().clock.advance(20 * 60_000)
      expect((await call('GET', '/api/v1/rewards', { token: busy })).status).toBe(200)
      get().clock.advance(20 * 60_000)
      expect((await call('GET', '/api/v1/rewards', { token: busy })).status).toBe(200)
      get().clock.advance(20 * 60_000)
    }
    expect((await call('GET', '/api/v1/rewards', { token: busy })).status).toBe(401)
  })

  it('session lifetimes are settings: a console configured for 10 minutes idle and 1 hour at most ends then', async () => {
    const short = createDomain(
      { store: get().store, clock: get().clock },
      { console: { idleSeconds: 600, maxSeconds: 3_600 } },
    )
    const clerk = await staffMember('staff')
    const idle = await short.staffSessions.openFromLink(
      (await short.staffSessions.createLink(clerk.id)).code,
    )
    get().clock.advance(599_000)
    await expect(short.staffSessions.principalOf(idle.token)).resolves.toMatchObject({
      staffId: clerk.id,
    })
    get().clock.advance(601_000)
    await expect(short.staffSessions.principalOf(idle.token)).rejects.toMatchObject({
      code: 'unauthorized',
    })

    const busy = await short.staffSessions.openFromLink(
      (await short.staffSessions.createLink(clerk.id)).code,
    )
    expect(new Date(busy.expiresAt).getTime() - get().clock.now().getTime()).toBe(3_600_000)
    for (let minute = 0; minute < 55; minute += 5) {
      get().clock.advance(5 * 60_000)
      await short.staffSessions.principalOf(busy.token)
    }
    get().clock.advance(5 * 60_000)
    await expect(short.staffSessions.principalOf(busy.token)).rejects.toMatchObject({
      code: 'unauthorized',
    })
  })

  it('a revoked staff member’s open session is refused on its next request', async () => {
    const owner = await staffMember('owner')
    const clerk = await staffMember('staff')
    const ownerToken = await signIn(owner.id)
    const clerkToken = await signIn(clerk.id)
    const other = await signIn(clerk.id)
    expect((await call('GET', '/api/v1/rewards', { token: clerkToken })).status).toBe(200)
    expect((await call('DELETE', `/api/v1/staff/${clerk.id}`, { token: ownerToken })).status).toBe(
      204,
    )
    for (const token of [clerkToken, other]) {
      const refused = await call('GET', '/api/v1/rewards', { token })
      expect(refused.status).toBe(401)
      expect(refused.body.error.code).toBe('unauthorized')
    }
    expect(await domain.staff.roleOf('telegram', clerk.telegramId)).toBeNull()
    const open = await get()
      .store.db.selectFrom('staffSessions')
      .select('endedAt')
      .where('staffId', '=', clerk.id)
      .execute()
    expect(open.every((row) => row.endedAt !== null)).toBe(true)
  })

  it('a demoted manager loses manager operations on the next request', async () => {
    const owner = await staffMember('owner')
    const manager = await staffMember('manager')
    const ownerToken = await signIn(owner.id)
    const token = await signIn(manager.id)
    expect((await call('GET', '/api/v1/reports/weekly', { token })).status).toBe(200)
    const patched = await call('PATCH', `/api/v1/staff/${manager.id}`, {
      token: ownerToken,
      body: { role: 'staff' },
    })
    expect(patched.status).toBe(200)
    expect(patched.body).toMatchObject({ id: manager.id, role: 'staff' })
    const refused = await call('GET', '/api/v1/reports/weekly', { token })
    expect(refused.status).toBe(403)
    expect(refused.body.error).toMatchObject({
      code: 'forbidden',
      message: 'this needs the manager role, not staff',
    })
    expect((await call('GET', '/api/v1/rewards', { token })).status).toBe(200)
  })

  it('the owner lists staff, invites with a role and the invite works in chat once', async () => {
    const owner = await staffMember('owner', 'Olga')
    const token = await signIn(owner.id)
    const invited = await call('POST', '/api/v1/staff/invites', {
      token,
      body: { role: 'manager' },
    })
    expect(invited.status).toBe(201)
    expect(invited.body).toMatchObject({ role: 'manager', code: expect.stringMatching(/^ADM-/) })
    const joined = await domain.staff.acceptInvite(invited.body.code, 'wechat', 'wx-new', 'Wen')
    expect(joined.role).toBe('manager')
    const list = await call('GET', '/api/v1/staff', { token })
    expect(list.status).toBe(200)
    expect(list.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: owner.id, role: 'owner', displayName: 'Olga' }),
        expect.objectContaining({ id: joined.id, role: 'manager', channel: 'wechat' }),
      ]),
    )
    expect((await call('DELETE', '/api/v1/staff/stf_nobody', { token })).status).toBe(404)
    const manager = await signIn(joined.id)
    expect((await call('GET', '/api/v1/staff', { token: manager })).status).toBe(403)
  })

  it('the audit log records a console adjustment with before and after, and is owner-only', async () => {
    const owner = await staffMember('owner', 'Odile')
    const manager = await staffMember('manager', 'Max')
    const ownerToken = await signIn(owner.id)
    const token = await signIn(manager.id)
    const member = await domain.members.register({ displayName: 'Audited' })
    await domain.adjust(member.id, { points: 100, reason: 'opening' }, 'test')
    const adjusted = await call('POST', `/api/v1/members/${member.id}/adjustments`, {
      token,
      body: { points: 50, reason: 'goodwill' },
    })
    expect(adjusted.status).toBe(201)
    const entry = await get()
      .store.db.selectFrom('ledgerEntries')
      .select('actor')
      .where('memberId', '=', member.id)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow()
    expect(entry.actor).toBe(`staff:${manager.id}`)

    expect((await call('GET', '/api/v1/audit-log', { token })).status).toBe(403)
    const log = await call(
      'GET',
      `/api/v1/audit-log?actorId=${manager.id}&operation=${encodeURIComponent('POST /api/v1/members/{id}/adjustments')}`,
      { token: ownerToken },
    )
    expect(log.status).toBe(200)
    expect(log.body.items).toHaveLength(1)
    expect(log.body.items[0]).toMatchObject({
      actor: { kind: 'staff', id: manager.id, name: 'Max', role: 'manager' },
      operation: 'POST /api/v1/members/{id}/adjustments',
      targetId: member.id,
      status: 201,
      before: { id: member.id, points: { balance: 100 } },
      after: { member: { points: { balance: 150 } }, entry: { points: 50 } },
    })
    expect(log.body.items[0].at).toBe(get().clock.now().toISOString())
    // Reads leave nothing in the log.
    const everything = await call('GET', `/api/v1/audit-log?actorId=${manager.id}`, {
      token: ownerToken,
    })
    expect(everything.body.items).toHaveLength(1)
  })

  it('the audit log keeps a staff role change with the role before and after, and pages by period', async () => {
    const owner = await staffMember('owner', 'Oren')
    const clerk = await staffMember('staff')
    const token = await signIn(owner.id)
    const start = get().clock.now().toISOString()
    for (const role of ['manager', 'staff', 'manager'] as const) {
      get().clock.advance(1_000)
      await call('PATCH', `/api/v1/staff/${clerk.id}`, { token, body: { role } })
    }
    const ask = (query: string) =>
      call('GET', `/api/v1/audit-log?targetId=${clerk.id}&${query}`, { token })
    const first = await ask(`from=${start}&limit=2`)
    expect(first.body.items.map((e: { after: { role: string } }) => e.after.role)).toEqual([
      'manager',
      'staff',
    ])
    expect(first.body.items[0]).toMatchObject({
      actor: { kind: 'staff', id: owner.id, role: 'owner' },
      operation: 'PATCH /api/v1/staff/{id}',
      before: { role: 'staff' },
    })
    const rest = await ask(`from=${start}&limit=2&cursor=${first.body.nextCursor}`)
    expect(rest.body.items.map((e: { before: { role: string } }) => e.before.role)).toEqual([
      'staff',
    ])
    expect(rest.body.nextCursor).toBeNull()
    expect((await ask(`to=${start}`)).body.items).toEqual([])
  })

  it('a member’s mini-app session is refused on console and staff operations', async () => {
    const telegramId = 778_001
    await domain.members.register({ displayName: 'Nosy', telegramId: String(telegramId) })
    const session = await call('POST', '/api/miniapp/session', {
      body: { initData: initDataFor({ id: telegramId, first_name: 'Nosy' }, get().clock.now()) },
    })
    const token = session.body.token as string
    for (const path of ['/api/console/session', '/api/v1/staff', '/api/v1/rewards'])
      expect((await call('GET', path, { token })).status).toBe(401)
    // Nor does being a member's Telegram account make a console session.
    expect(
      (
        await call('POST', '/api/console/session', {
          body: {
            initData: initDataFor({ id: telegramId, first_name: 'Nosy' }, get().clock.now()),
          },
        })
      ).status,
    ).toBe(401)
  })

  it('the login code exchange is rate-limited per address like the mini-app sign-in', async () => {
    const limited = createApp({
      domain,
      logger: pino({ level: 'silent' }),
      rateLimits: {
        ...RATE_LIMIT_DEFAULTS,
        sessionPerIp: { points: 3, seconds: 60 },
        trustProxy: 1,
      },
    })
    // An address of its own, so that no other test's sign-ins count against it.
    const address = `console-${randomUUID()}`
    const exchange = async (i: number) =>
      (
        await limited.request('/api/console/session', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
          body: JSON.stringify({ code: `guess-${i}` }),
        })
      ).status
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push(await exchange(i))
    expect(statuses).toEqual([401, 401, 401, 429])
  })
})
