import pino from 'pino'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { createApp } from '../../src/api/app.ts'
import { createConversation } from '../../src/bots/core/conversation.ts'
import { OfficialAccountApi } from '../../src/bots/wechat-official/api.ts'
import {
  type OfficialAccountBot,
  createOfficialAccountBot,
} from '../../src/bots/wechat-official/create-bot.ts'
import { WechatMessageCrypto } from '../../src/shared/wechat-crypto.ts'
import { createDomain } from '../../src/domain/index.ts'
import { OfficialAccountSender } from '../../src/bots/wechat-official/sender.ts'
import { memberPageOAuthUrl, officialAccountLogin } from '../../src/bots/wechat-official/oauth.ts'
import { describeOnDatabases } from '../helpers/domain.ts'
import { FakeWechatOfficial } from '../helpers/fake-wechat-official.ts'
import {
  OFFICIAL_ACCOUNT,
  eventMessage,
  officialPost,
  parseXml,
  textMessage,
} from '../helpers/wechat-official.ts'

describeOnDatabases('WeChat Official Account', (get) => {
  let wechat: FakeWechatOfficial
  let bot: OfficialAccountBot
  let sender: OfficialAccountSender
  let app: ReturnType<typeof createApp>
  let safeApp: ReturnType<typeof createApp>
  /** When set, every reply misses the passive reply's deadline. */
  let slow = false
  let followers = 0
  let messages = 0
  let seconds = 1_736_481_600

  beforeAll(async () => {
    wechat = await new FakeWechatOfficial(
      OFFICIAL_ACCOUNT.appId,
      OFFICIAL_ACCOUNT.appSecret,
    ).start()
    const api = new OfficialAccountApi({
      ...OFFICIAL_ACCOUNT,
      apiRoot: wechat.url,
      tokens: get().domain.platformTokens,
    })
    const logger = pino({ level: 'silent' })
    sender = new OfficialAccountSender(api, {
      lastInbound: (openid) => get().domain.members.lastInboundAt('wechat_official', openid),
      now: () => get().clock.now().getTime(),
    })
    bot = createOfficialAccountBot({
      conversation: createConversation({ domain: get().domain, logger }),
      logger,
      sendText: (openid, text) => api.sendText(openid, text),
      touched: (openid) => get().domain.members.touch('wechat_official', openid),
      cameThrough: async (openid, scene, event) => {
        await get().domain.channelSources.touch('wechat_official', openid, scene, event)
      },
      // Never too late unless the test says so: no test waits for a real clock.
      deadline: () => (slow ? Promise.resolve() : new Promise(() => {})),
    })
    const endpoint = {
      token: OFFICIAL_ACCOUNT.token,
      appId: OFFICIAL_ACCOUNT.appId,
      handle: (message: Record<string, string>) => bot.handle(message),
    }
    app = createApp({
      domain: get().domain,
      logger,
      wechatOfficial: endpoint,
      channelQrCodes: { create: (scene) => api.createQrCode(scene) },
    })
    safeApp = createApp({
      domain: get().domain,
      logger,
      wechatOfficial: { ...endpoint, aesKey: OFFICIAL_ACCOUNT.aesKey },
    })
  })
  afterAll(async () => {
    await bot?.idle()
    await wechat?.stop()
  })
  beforeEach(() => {
    slow = false
  })

  const newFollower = () => `oFollower${++followers}_${Date.now()}`
  const memberOf = (openid: string) => get().domain.members.get({ officialOpenId: openid })

  /** Posts as WeChat posts; the passive reply's text, or `success` for none. */
  async function post(
    fields: Record<string, string | number>,
    options: { safe?: boolean } = {},
  ): Promise<string> {
    // Signed now, as WeChat signs: the endpoint refuses a timestamp minutes away from its clock.
    const timestamp = String(Math.floor(get().clock.now().getTime() / 1000))
    const request = officialPost(fields, { ...options, timestamp })
    const response = await (options.safe ? safeApp : app).request(request.path, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: request.body,
    })
    expect(response.status).toBe(200)
    const body = await response.text()
    if (body === 'success') return body
    const envelope = parseXml(body)
    if (!options.safe) return envelope.Content!
    const crypto = new WechatMessageCrypto(OFFICIAL_ACCOUNT.aesKey, OFFICIAL_ACCOUNT.appId)
    return parseXml(crypto.decrypt(envelope.Encrypt!)).Content!
  }
  const say = (openid: string, text: string, options: { safe?: boolean } = {}) =>
    post(textMessage(openid, text, String(++messages)), options)
  const event = (openid: string, name: string, key?: string) =>
    post(eventMessage(openid, name, ++seconds, key))

  async function join(openid: string): Promise<void> {
    await say(openid, '注册')
    await say(openid, '1')
    await say(openid, '4')
  }

  it('greets a new follower, who joins by words, checks points, checks in and redeems', async () => {
    const openid = newFollower()
    expect(await event(openid, 'subscribe')).toContain('回复「注册」加入会员')
    const consent = await say(openid, '注册')
    expect(consent).toContain('是否同意')
    expect(consent).toContain('回复 1 同意并加入\n回复 2 暂不加入')
    expect(await say(openid, '1')).toContain('回复 3 接收\n回复 4 不接收')
    expect(await say(openid, '4')).toContain('欢迎加入')
    const member = await memberOf(openid)
    expect(member.sourceChannel).toBe('wechat_official')
    await get().domain.adjust(member.id, { points: 100, reason: 't' }, 'test')
    expect(await say(openid, '积分')).toContain('当前积分：100')
    expect(await say(openid, '签到')).toContain('签到成功，+5')
    await get().domain.rewards.create({
      name: 'OA Mug',
      kind: 'coupon',
      pointsCost: 60,
      stock: 5,
      value: 1_000,
      validDays: 30,
    })
    const list = await say(openid, '兑换')
    const [, pick] = /回复 (\d+) 兑换 OA Mug（60）/.exec(list)!
    const confirm = await say(openid, pick!)
    const [, yes] = /回复 (\d+) 确认兑换/.exec(confirm)!
    expect(await say(openid, yes!)).toMatch(/已兑换「OA Mug」，剩余 45 积分[\s\S]*券码：/)
    expect((await memberOf(openid)).points.balance).toBe(45)
  })

  it('talks the same in safe mode, encrypted both ways', async () => {
    expect(await say(newFollower(), '积分', { safe: true })).toBe(
      '你还不是会员。发送「注册」加入，只需一分钟。',
    )
  })

  it('handles each delivery once across WeChat’s retries, messages by MsgId and clicks by sender and time', async () => {
    const openid = newFollower()
    await join(openid)
    const checkin = textMessage(openid, '签到', String(++messages))
    expect(await post(checkin)).toContain('签到成功，+5')
    expect(await post(checkin)).toBe('success')
    expect(await post(checkin)).toBe('success')
    expect((await memberOf(openid)).points.balance).toBe(5)
    const click = eventMessage(openid, 'CLICK', ++seconds, 'points')
    expect(await post(click)).toContain('当前积分：5')
    expect(await post(click)).toBe('success')
  })

  it('runs the command a menu key names, and ignores an unknown key', async () => {
    const openid = newFollower()
    await join(openid)
    expect(await event(openid, 'CLICK', 'checkin')).toContain('签到成功，+5')
    expect(await event(openid, 'CLICK', 'no-such-command')).toBe('success')
  })

  it('answers success when the reply is late, and sends it as a customer-service message', async () => {
    const openid = newFollower()
    slow = true
    expect(await say(openid, '积分')).toBe('success')
    await bot.idle()
    expect(wechat.customMessages.filter((m) => m.touser === openid)).toEqual([
      { touser: openid, content: '你还不是会员。发送「注册」加入，只需一分钟。' },
    ])
  })

  it('fetches a new access token once when WeChat says it expired mid-send', async () => {
    const openid = newFollower()
    slow = true
    await say(openid, 'hello')
    await bot.idle()
    const before = wechat.tokenRequests
    wechat.failNextSends.push(42001)
    await say(openid, '积分')
    await bot.idle()
    expect(wechat.tokenRequests).toBe(before + 1)
    expect(wechat.customMessages.filter((m) => m.touser === openid)).toHaveLength(2)
  })

  /** An API client as a process of its own makes it: its own domain on the same database. */
  const apiOfProcess = (account: FakeWechatOfficial, appId: string, appSecret: string) =>
    new OfficialAccountApi({
      appId,
      appSecret,
      apiRoot: account.url,
      tokens: createDomain({ store: get().store, clock: get().clock }).platformTokens,
    })

  it('shares one access token between processes: fetched once, renewed before it expires', async () => {
    const other = await new FakeWechatOfficial('wx00000000000000aa', 'other-secret').start()
    try {
      // Two processes on the same database: each has its own domain and API client.
      const processes = [1, 2].map(() => apiOfProcess(other, 'wx00000000000000aa', 'other-secret'))
      await Promise.all(processes.map((api, i) => api.sendText(`o_process_${i}`, 'hi')))
      expect(other.tokenRequests).toBe(1)
      expect(other.customMessages).toHaveLength(2)
      // WeChat's token lasts 7,200 s; within the last five minutes a new one is fetched first.
      get().clock.advance(7_200_000 - 4 * 60_000)
      await Promise.all(processes.map((api, i) => api.sendText(`o_process_${i}`, 'again')))
      expect(other.tokenRequests).toBe(2)
      expect(other.customMessages).toHaveLength(4)
      expect(other.calls.filter((call) => call.ok === false)).toEqual([])
    } finally {
      await other.stop()
    }
  })

  it('fetches one token, not one per send, when several sends of one process find it expired at once', async () => {
    const other = await new FakeWechatOfficial('wx00000000000000ab', 'third-secret').start()
    try {
      const api = apiOfProcess(other, 'wx00000000000000ab', 'third-secret')
      await api.sendText('o_first', 'hi')
      get().clock.advance(7_200_000)
      // A second token from WeChat invalidates the first: sends that each fetched their own
      // would be refused 40001 but for the last.
      await Promise.all(Array.from({ length: 6 }, (_, i) => api.sendText(`o_burst_${i}`, 'hi')))
      expect(other.tokenRequests).toBe(2)
      expect(other.calls.filter((call) => call.ok === false)).toEqual([])
      expect(other.customMessages).toHaveLength(7)
    } finally {
      await other.stop()
    }
  })

  it('sends a campaign message by customer service within 48 hours of the member’s last message, and nothing after', async () => {
    const openid = newFollower()
    await join(openid)
    const sent = () => wechat.customMessages.filter((m) => m.touser === openid)
    expect(await sender.send(openid, { text: '周末双倍积分' })).toEqual({ ok: true, via: 'custom' })
    expect(sent()).toEqual([{ touser: openid, content: '周末双倍积分' }])
    get().clock.advance(48 * 3_600_000 + 60_000)
    expect(await sender.send(openid, { text: '再来一次' })).toMatchObject({
      ok: false,
      skipped: true,
    })
    expect(sent()).toHaveLength(1)
    expect(await sender.send(newFollower(), { text: '从未来过' })).toMatchObject({ skipped: true })
  })

  it('reads WeChat’s refusals for what they mean: not following, out of time, quota spent', async () => {
    const openid = newFollower()
    await join(openid)
    wechat.failNextSends.push(43004, 45015, 45009)
    expect(await sender.send(openid, { text: 'a' })).toMatchObject({ ok: false, unreachable: true })
    expect(await sender.send(openid, { text: 'b' })).toMatchObject({ ok: false, skipped: true })
    expect(await sender.send(openid, { text: 'c' })).toMatchObject({
      ok: false,
      retryAfterMs: 3_600_000,
    })
    expect(wechat.customMessages.filter((m) => m.touser === openid)).toEqual([])
  })

  it('makes a member who unfollows unreachable, and reachable again on a new follow', async () => {
    const openid = newFollower()
    await join(openid)
    const identity = () =>
      get()
        .store.db.selectFrom('memberIdentities')
        .select('unreachableAt')
        .where('channel', '=', 'wechat_official')
        .where('externalId', '=', openid)
        .executeTakeFirstOrThrow()
    expect(await event(openid, 'unsubscribe')).toBe('success')
    expect((await identity()).unreachableAt).not.toBeNull()
    await event(openid, 'subscribe')
    expect((await identity()).unreachableAt).toBeNull()
  })

  /** The server of the member page, signing in Official Account followers by the web login. */
  function memberPageServer(options: { secureCookie?: boolean } = {}) {
    const domain = createDomain(
      { store: get().store, clock: get().clock },
      {
        miniapp: {
          officialAccountLogin: officialAccountLogin({ ...OFFICIAL_ACCOUNT, apiRoot: wechat.url }),
        },
      },
    )
    return createApp({
      domain,
      logger: pino({ level: 'silent' }),
      wechatOfficial: {
        token: OFFICIAL_ACCOUNT.token,
        appId: OFFICIAL_ACCOUNT.appId,
        handle: async () => undefined,
        authorizeUrl: (state) =>
          memberPageOAuthUrl(OFFICIAL_ACCOUNT.appId, 'https://shop.example/miniapp/', state),
        ...options,
      },
    })
  }

  /** What the menu's 会员中心 does: our server starts the web login, binding its state. */
  async function startWebLogin(page: ReturnType<typeof memberPageServer>) {
    const started = await page.request('/wechat/official/login')
    const location = new URL(started.headers.get('location')!)
    const setCookie = started.headers.get('set-cookie') ?? ''
    return {
      status: started.status,
      location,
      setCookie,
      state: location.searchParams.get('state')!,
      cookie: /jifen_oa_state=[^;]+/.exec(setCookie)![0],
    }
  }

  it('signs the member page opened from the menu in by the web-login code, exchanged once for the openid', async () => {
    const openid = newFollower()
    await join(openid)
    const page = memberPageServer()
    const startLogin = async () => {
      const { status, state, cookie } = await startWebLogin(page)
      expect(status).toBe(302)
      return { state, cookie }
    }
    let login = await startLogin()
    const signIn = (
      wechatCode: string,
      state = login.state,
      cookie: string | null = login.cookie,
    ) =>
      page.request('/api/miniapp/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
        body: JSON.stringify({ wechatCode, state }),
      })
    const code = wechat.oauthCodeFor(openid)
    const signed = await signIn(code)
    expect(signed.status).toBe(200)
    const { token } = (await signed.json()) as { token: string }
    const me = await page.request('/api/miniapp/me', {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(((await me.json()) as { member: { id: string } }).member.id).toBe(
      (await memberOf(openid)).id,
    )
    for (const refused of [code, 'made-up-code']) {
      login = await startLogin()
      const again = await signIn(refused)
      expect(again.status).toBe(401)
      expect(await again.json()).toMatchObject({
        error: {
          code: 'unauthorized',
          message: expect.stringContaining('refused this sign-in code'),
        },
      })
    }
    login = await startLogin()
    const stranger = await signIn(wechat.oauthCodeFor(newFollower()))
    expect(stranger.status).toBe(404)
    expect(await stranger.json()).toMatchObject({ error: { code: 'member_not_found' } })
  })

  it('takes a web-login code only with the state its login bound to this browser: another state, no cookie or a spent one is refused in both languages, before WeChat is asked', async () => {
    const openid = newFollower()
    await join(openid)
    const page = memberPageServer({ secureCookie: true })
    const start = () => startWebLogin(page)
    const mine = await start()
    const theirs = await start()
    expect(mine.location.origin + mine.location.pathname).toBe(
      'https://open.weixin.qq.com/connect/oauth2/authorize',
    )
    expect(mine.state).toMatch(/^[\w-]{24}$/)
    expect(mine.state).not.toBe(theirs.state)
    expect(mine.setCookie).toMatch(/HttpOnly/i)
    expect(mine.setCookie).toMatch(/Secure/i)
    expect(mine.setCookie).toMatch(/SameSite=Lax/i)
    expect(mine.setCookie).toMatch(/Path=\/api\/miniapp\/session/)
    const exchanges = () => wechat.calls.filter((c) => c.path === '/sns/oauth2/access_token').length
    const before = exchanges()
    const signIn = (state: string, cookie?: string) =>
      page.request('/api/miniapp/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
        body: JSON.stringify({ wechatCode: wechat.oauthCodeFor(openid), state }),
      })
    // A code from a login someone else started (their state, my browser), or without the cookie.
    for (const refused of [await signIn(theirs.state, mine.cookie), await signIn(mine.state)]) {
      expect(refused.status).toBe(403)
      expect(await refused.json()).toMatchObject({
        error: {
          code: 'oauth_state_mismatch',
          message: expect.stringMatching(/浏览器[^]*this browser/),
        },
      })
    }
    expect(exchanges()).toBe(before)
    const signed = await signIn(mine.state, mine.cookie)
    expect(signed.status).toBe(200)
    // The answer spends the cookie, so the same state cannot sign in twice.
    expect(signed.headers.get('set-cookie')).toMatch(/jifen_oa_state=;[^]*Max-Age=0/i)
  })

  it('attributes followers to the channel QR code they came through: the first touch kept, later scans recorded, in segments and the report', async () => {
    const { key: manager } = await get().domain.staff.createApiKey('manager', 'admin')
    const { key: till } = await get().domain.staff.createApiKey('till', 'pos')
    const call = async (method: string, path: string, key: string, body?: unknown) => {
      const response = await app.request(path, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      })

      return { status: response.status, body: await response.json() }
    }
    const store = await call('POST', '/api/v1/channel-sources', manager, {
      name: '南京西路店',
      kind: 'store',
    })
    expect(store.status).toBe(201)
    expect(store.body).toMatchObject({
      name: '南京西路店',
      kind: 'store',
      scene: store.body.id,
      qrUrl: expect.stringMatching(/^http:\/\/weixin\.qq\.com\/q\//),
      imageUrl: expect.stringMatching(
        /^https:\/\/mp\.weixin\.qq\.com\/cgi-bin\/showqrcode\?ticket=/,
      ),
    })
    expect(wechat.calls.filter((c) => c.path === '/cgi-bin/qrcode/create').at(-1)!.body).toEqual({
      action_name: 'QR_LIMIT_STR_SCENE',
      action_info: { scene: { scene_str: store.body.id } },
    })
    expect((await call('POST', '/api/v1/channel-sources', till, { name: 'x' })).status).toBe(403)
    const poster = (await call('POST', '/api/v1/channel-sources', manager, { name: '地铁海报' }))
      .body
    expect(poster.kind).toBe('other')

    const viaStore = newFollower()
    await event(viaStore, 'subscribe', `qrscene_${store.body.scene}`)
    await join(viaStore)
    await event(viaStore, 'SCAN', poster.scene)
    const viaPoster = newFollower()
    await event(viaPoster, 'subscribe')
    await event(viaPoster, 'SCAN', poster.scene)
    await event(viaPoster, 'SCAN', 'a-scene-of-no-source')
    await join(viaPoster)

    const report = await call('GET', '/api/v1/reports/sources', manager)
    expect(report.body.items).toEqual([
      {
        sourceId: store.body.id,
        name: '南京西路店',
        kind: 'store',
        members: 1,
        follows: 1,
        scans: 0,
      },
      { sourceId: poster.id, name: '地铁海报', kind: 'other', members: 1, follows: 0, scans: 2 },
    ])
    for (const [source, member] of [
      [store.body.id, viaStore],
      [poster.id, viaPoster],
    ]) {
      const preview = await call('POST', '/api/v1/segments/preview', manager, {
        filter: { sources: [source], optedIn: false },
      })
      expect(preview.body.size).toBe(1)
      const segment = await call('POST', '/api/v1/segments', manager, {
        name: `from ${source}`,
        filter: { sources: [source], optedIn: false },
      })
      const listed = await call('GET', `/api/v1/segments/${segment.body.id}/members`, manager)
      expect(listed.body.items.map((m: { id: string }) => m.id)).toEqual([
        (await memberOf(member)).id,
      ])
    }
    expect((await call('GET', '/api/v1/channel-sources', manager)).body.items).toHaveLength(2)
  })
})
