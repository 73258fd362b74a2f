import pino from 'pino'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { OfficialAccountApi, templateValue } from '../../src/bots/wechat-official/api.ts'
import { createConversation } from '../../src/bots/core/conversation.ts'
import { createOfficialAccountBot } from '../../src/bots/wechat-official/create-bot.ts'
import { OfficialAccountSender } from '../../src/bots/wechat-official/sender.ts'
import { startOutboxWorker } from '../../src/jobs/outbox-worker.ts'
import { describeOnDatabases, programmeWith } from '../helpers/domain.ts'
import { FakeWechatOfficial } from '../helpers/fake-wechat-official.ts'
import { OFFICIAL_ACCOUNT } from '../helpers/wechat-official.ts'

const logger = pino({ level: 'silent' })
const HOUR = 3_600_000
const MEMBER_PAGE = 'https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx0123456789abcdef'

describeOnDatabases('the Official Account through the outbox worker', (get) => {
  let wechat: FakeWechatOfficial
  let api: OfficialAccountApi
  let sender: OfficialAccountSender
  let members = 0
  let orders = 0

  beforeAll(async () => {
    wechat = await new FakeWechatOfficial(
      OFFICIAL_ACCOUNT.appId,
      OFFICIAL_ACCOUNT.appSecret,
    ).start()
    wechat.templateIds.add('TPL-SHIPPED')
    const { domain, clock } = get()
    api = new OfficialAccountApi({
      ...OFFICIAL_ACCOUNT,
      apiRoot: wechat.url,
      tokens: domain.platformTokens,
    })
    sender = new OfficialAccountSender(api, {
      lastInbound: (openid) => domain.members.lastInboundAt('wechat_official', openid),
      now: () => clock.now().getTime(),
      memberPageUrl: MEMBER_PAGE,
      massGatherMs: 100,
    })
    await domain.programme.replace(
      programmeWith({
        reminders: {
          orderSurvey: { enabled: false },
          tierUpgrade: { enabled: false },
          usageCycle: { enabled: false },
          winBack: { enabled: false },
          officialTemplates: {
            order_shipped: {
              templateId: 'TPL-SHIPPED',
              data: {
                character_string1: { 'zh-CN': '{order}', en: '{order}' },
                thing2: { 'zh-CN': '获得{earned}积分，共{balance}积分', en: '{earned} points' },
              },
            },
          },
        },
      }),
    )
  })
  afterAll(async () => {
    await wechat?.stop()
  })

  /** A follower who joined and last wrote now. */
  async function follower(name: string): Promise<{ id: string; openid: string }> {
    const openid = `oOutbox${++members}_${Date.now()}`
    const member = await get().domain.members.register({
      displayName: name,
      officialOpenId: openid,
      marketingConsent: true,
    })
    await get().domain.members.touch('wechat_official', openid)
    return { id: member.id, openid }
  }

  /** Runs an outbox worker on the Official Account until nothing due is left in the outbox. */
  async function drain(): Promise<void> {
    const { domain, store } = get()
    const worker = startOutboxWorker({
      domain,
      logger,
      senders: { wechat_official: sender },
      idleMs: 5,
    })
    try {
      for (let quiet = 0; quiet < 3;) {
        await new Promise((resolve) => setTimeout(resolve, 25))
        const open = await store.db
          .selectFrom('outbox')
          .select('id')
          .where((eb) =>
            eb.or([
              eb('status', 'in', ['claimed', 'sending']),
              eb.and([
                eb('status', '=', 'pending'),
                eb('notBefore', '<=', get().clock.now().toISOString()),
              ]),
            ]),
          )
          .execute()
        quiet = open.length === 0 ? quiet + 1 : 0
      }
    } finally {
      await worker.stop()
    }
  }

  async function shipOrder(memberId: string): Promise<string> {
    const id = `OA-${++orders}`
    await get().domain.orders.ingest({ id, member: { id: memberId }, amount: 5_000 })
    await get().domain.reminders.recordOrderEvent(id, { type: 'shipped' })
    await get().domain.reminders.run()
    await drain()
    return id
  }

  const rowsOf = (memberId: string) =>
    get()
      .store.db.selectFrom('outbox')
      .select(['status', 'sentVia', 'platformMessageId', 'lastError', 'attempts', 'notBefore'])
      .where('memberId', '=', memberId)
      .orderBy('id')
      .execute()

  it('sends a notification by customer-service message within the 48 hours and as its template after them, recording which', async () => {
    const lin = await follower('林')
    const first = await shipOrder(lin.id)
    expect(wechat.customMessages.filter((m) => m.touser === lin.openid)).toEqual([
      {
        touser: lin.openid,
        content: expect.stringMatching(
          new RegExp(`^林，你的订单${first}已发货。[^]*\\n打开会员中心：`),
        ),
      },
    ])
    get().clock.advance(48 * HOUR + 60_000)
    const second = await shipOrder(lin.id)
    expect(wechat.customMessages.filter((m) => m.touser === lin.openid)).toHaveLength(1)
    const { balance } = (await get().domain.members.get({ id: lin.id })).points
    expect(wechat.templateMessages.filter((m) => m.touser === lin.openid)).toEqual([
      {
        touser: lin.openid,
        templateId: 'TPL-SHIPPED',
        url: MEMBER_PAGE,
        data: { character_string1: second, thing2: `获得50积分，共${balance}积分` },
      },
    ])
    expect(await rowsOf(lin.id)).toMatchObject([
      { status: 'sent', sentVia: 'custom', platformMessageId: null },
      { status: 'sent', sentVia: 'template', platformMessageId: expect.stringMatching(/^\d+$/) },
    ])
  })

  it('does not deliver a message queued for a follower who then unfollowed: the row ends blocked and the member unreachable, as a blocked bot’s', async () => {
    const { domain, store } = get()
    const gone = await follower('退')
    const id = `OA-${++orders}`
    await domain.orders.ingest({ id, member: { id: gone.id }, amount: 5_000 })
    await domain.reminders.recordOrderEvent(id, { type: 'shipped' })
    await domain.reminders.run()
    expect(await rowsOf(gone.id)).toMatchObject([{ status: 'pending' }])
    // The unfollow WeChat posts: the bot marks the identity unreachable (see wechat-official.test.ts).
    wechat.unfollowed.add(gone.openid)
    await domain.members.setReachable('wechat_official', gone.openid, false)
    await drain()
    expect(await rowsOf(gone.id)).toMatchObject([{ status: 'blocked', sentVia: null }])
    expect(wechat.customMessages.filter((m) => m.touser === gone.openid)).toEqual([])
    expect(wechat.templateMessages.filter((m) => m.touser === gone.openid)).toEqual([])
    const identity = await store.db
      .selectFrom('memberIdentities')
      .select('unreachableAt')
      .where('externalId', '=', gone.openid)
      .executeTakeFirstOrThrow()
    expect(identity.unreachableAt).not.toBeNull()
  })

  it('skips a notification without a template outside the 48 hours, and says why', async () => {
    const mo = await follower('Mo')
    get().clock.advance(48 * HOUR + 60_000)
    const id = `OA-${++orders}`
    await get().domain.orders.ingest({ id, member: { id: mo.id }, amount: 5_000 })
    await get().domain.reminders.recordOrderEvent(id, { type: 'delivered' })
    await get().domain.reminders.run()
    await drain()
    expect(await rowsOf(mo.id)).toMatchObject([
      { status: 'skipped', sentVia: null, lastError: expect.stringContaining('48 hours') },
    ])
    expect(wechat.calls.filter((c) => JSON.stringify(c.body ?? '').includes(mo.openid))).toEqual([])
  })

  it('sends a campaign that chose mass send to followers outside the 48 hours by mass send with its msg_id, the others by customer service', async () => {
    const away = [await follower('甲'), await follower('乙')]
    get().clock.advance(48 * HOUR + 60_000)
    const near = await follower('丙')
    const campaign = await get().domain.campaigns.create(
      {
        name: '周末双倍',
        message: { text: '周末双倍积分', officialMassSend: true },
        segment: {},
      },
      'test',
    )
    await drain()
    // Followers gathered while the worker sends go together; each is in one mass send.
    const mass = wechat.massSends.filter((m) => m.content === '周末双倍积分')
    const sendOf = (openid: string) => mass.filter((m) => m.touser.includes(openid))
    for (const member of away) expect(sendOf(member.openid)).toHaveLength(1)
    expect(sendOf(near.openid)).toEqual([])
    expect(wechat.customMessages.filter((m) => m.touser === near.openid)).toEqual([
      { touser: near.openid, content: '周末双倍积分' },
    ])
    const rows = await get()
      .store.db.selectFrom('outbox')
      .select(['memberId', 'status', 'sentVia', 'platformMessageId'])
      .where('campaignId', '=', campaign.id)
      .execute()
    const byMember = new Map(rows.map((r) => [r.memberId, r]))
    for (const member of away)
      expect(byMember.get(member.id)).toMatchObject({
        status: 'sent',
        sentVia: 'mass',
        platformMessageId: sendOf(member.openid)[0]!.msgId,
      })
    expect(byMember.get(near.id)).toMatchObject({ status: 'sent', sentVia: 'custom' })
  })

  it('gathers more followers into one mass send than the worker has slots: a follower waiting for the batch holds none', async () => {
    const away = await Promise.all(Array.from({ length: 12 }, (_, i) => follower(`群${i}`)))
    get().clock.advance(48 * HOUR + 60_000)
    await get().domain.campaigns.create(
      { name: '十二人', message: { text: '十二人群发', officialMassSend: true }, segment: {} },
      'test',
    )
    // The worker's default is 8 sends at once; awaited, each batch would stop at 8.
    await drain()
    const mass = wechat.massSends.filter((m) => m.content === '十二人群发')
    expect(mass).toHaveLength(1)
    expect(mass[0]!.touser).toEqual(expect.arrayContaining(away.map((m) => m.openid)))
    for (const member of away)
      expect(await rowsOf(member.id)).toMatchObject([{ status: 'sent', sentVia: 'mass' }])
  })

  it('records WeChat’s report of a finished mass send (MASSSENDJOBFINISH) against its campaign, once, so the campaign shows what WeChat sent', async () => {
    const { domain, clock } = get()
    const away = [await follower('癸'), await follower('子')]
    clock.advance(48 * HOUR + 60_000)
    const campaign = await domain.campaigns.create(
      { name: '结果', message: { text: '群发结果', officialMassSend: true }, segment: {} },
      'test',
    )
    await drain()
    const sends = wechat.massSends.filter((m) => m.content === '群发结果')
    expect(sends.flatMap((m) => m.touser)).toEqual(
      expect.arrayContaining(away.map((m) => m.openid)),
    )
    const send = sends[0]!
    const bot = createOfficialAccountBot({
      conversation: createConversation({ domain, logger }),
      logger,
      sendText: async () => {},
      touched: async () => {},
      cameThrough: async () => {},
      massSendFinished: async (msgId, result) => {
        await domain.campaigns.recordMassSendResult(msgId, result)
      },
    })
    const finished = (msgId: string, sent: number) =>
      bot.handle({
        ToUserName: OFFICIAL_ACCOUNT.originalId,
        FromUserName: 'oAccountItself',
        CreateTime: String(Math.floor(clock.now().getTime() / 1000)),
        MsgType: 'event',
        Event: 'MASSSENDJOBFINISH',
        MsgID: msgId,
        Status: 'send success',
        TotalCount: String(send.touser.length),
        FilterCount: String(send.touser.length),
        SentCount: String(sent),
        ErrorCount: String(send.touser.length - sent),
      })
    const massSendOf = async (msgId: string) =>
      (await domain.campaigns.get(campaign.id)).stats.massSends.find((m) => m.msgId === msgId)
    expect((await domain.campaigns.get(campaign.id)).stats.massSends).toHaveLength(sends.length)
    expect(await massSendOf(send.msgId)).toEqual({
      msgId: send.msgId,
      followers: send.touser.length,
      result: null,
    })
    expect(await finished(send.msgId, send.touser.length - 1)).toBeUndefined()
    // WeChat posting it again, and a send of the admin pages that is none of ours, change nothing.
    await finished(send.msgId, 0)
    await finished('99999999', 5)
    expect(await massSendOf(send.msgId)).toEqual({
      msgId: send.msgId,
      followers: send.touser.length,
      result: {
        status: 'send success',
        total: send.touser.length,
        filtered: send.touser.length,
        sent: send.touser.length - 1,
        errors: 1,
        finishedAt: clock.now().toISOString(),
      },
    })
    expect(
      await get().store.db.selectFrom('massSendResults').select('msgId').execute(),
    ).not.toContainEqual({ msgId: '99999999' })
  })

  it('keeps a mass send that hit the daily quota (45009) waiting an hour, not failed, and sends it then', async () => {
    const away = [await follower('丁'), await follower('戊')]
    get().clock.advance(48 * HOUR + 60_000)
    wechat.failNext['/cgi-bin/message/mass/send'] = [45009]
    await get().domain.campaigns.create(
      {
        name: '额度',
        message: { text: '会员日', officialMassSend: true },
        segment: {},
      },
      'test',
    )
    await drain()
    for (const member of away)
      expect(await rowsOf(member.id)).toMatchObject([
        { status: 'pending', lastError: expect.stringContaining('45009') },
      ])
    expect(wechat.massSends.filter((m) => m.content === '会员日')).toEqual([])
    get().clock.advance(HOUR)
    await drain()
    expect(wechat.massSends.filter((m) => m.content === '会员日')).toHaveLength(1)
    for (const member of away)
      expect(await rowsOf(member.id)).toMatchObject([{ status: 'sent', sentVia: 'mass' }])
  })

  it('fails a template message WeChat refuses for its template id (40037) or a field (47003) for good, not retried, and tells the owner once what to fix', async () => {
    const { domain, store, clock } = get()
    const { code } = await domain.staff.createInvite('owner')
    const owner = await domain.staff.acceptInvite(code, 'wechat_official', 'oOwnerOA', 'Owner')
    await domain.channelHealth.report('wechat_official', 'up')
    const templateCalls = (openid: string) =>
      wechat.calls.filter(
        (c) =>
          c.path === '/cgi-bin/message/template/send' &&
          (c.body as { touser: string }).touser === openid,
      )
    const [a, b, c] = [await follower('庚'), await follower('辛'), await follower('壬')]
    clock.advance(48 * HOUR + 60_000)
    wechat.failNext['/cgi-bin/message/template/send'] = [40037]
    await shipOrder(a.id)
    wechat.failNext['/cgi-bin/message/template/send'] = [47003]
    await shipOrder(b.id)
    for (const member of [a, b])
      expect(await rowsOf(member.id)).toMatchObject([
        { status: 'failed', attempts: 1, lastError: expect.stringContaining('TPL-SHIPPED') },
      ])
    expect((await rowsOf(a.id))[0]!.lastError).toContain('40037')
    expect((await rowsOf(b.id))[0]!.lastError).toContain('47003')
    // Later runs of the worker leave them failed: the same setup would be refused again.
    clock.advance(HOUR)
    await drain()
    expect(templateCalls(a.openid)).toHaveLength(1)
    expect(templateCalls(b.openid)).toHaveLength(1)
    const notices = () =>
      store.db
        .selectFrom('outbox')
        .select(['kind', 'payloadJson'])
        .where('staffId', '=', owner.id)
        .orderBy('id')
        .execute()
    // One incident for both refusals: the owner is told once, in their language, what to fix.
    expect(await notices()).toEqual([
      {
        kind: 'channel_degraded',
        payloadJson: expect.stringMatching(
          /微信拒绝了公众号模板消息（template TPL-SHIPPED: wechat 40037[^]*officialTemplates/,
        ),
      },
    ])
    expect(
      (await domain.channelHealth.list()).find((h) => h.channel === 'wechat_official:templates'),
    ).toMatchObject({ state: 'degraded', reason: expect.stringContaining('40037') })
    // The merchant fixed it: the next template message goes, and the owner hears so.
    await shipOrder(c.id)
    expect(await rowsOf(c.id)).toMatchObject([{ status: 'sent', sentVia: 'template' }])
    expect((await notices()).map((n) => n.kind)).toEqual(['channel_degraded', 'channel_up'])
    expect(
      (await domain.channelHealth.list()).find((h) => h.channel === 'wechat_official:templates'),
    ).toMatchObject({ state: 'up' })
  })

  it('cuts each template value to its field type’s limit in characters, never inside an emoji, so WeChat takes it rather than refusing it (47003)', async () => {
    const long = '会员'.repeat(9) + '🎉🎉🎉'
    expect(templateValue('thing1', long)).toBe('会员'.repeat(9) + '🎉…')
    expect(Array.from(templateValue('thing1', long))).toHaveLength(20)
    expect(templateValue('character_string2', 'A'.repeat(40))).toBe('A'.repeat(32))
    expect(templateValue('phrase3', '配送中心已发出')).toBe('配送中心已')
    expect(templateValue('time4', '2026年12月3日 15:01:00 至 2026年12月4日')).toBe(
      '2026年12月3日 15:01:00 至 2026年12月4日',
    )
    expect(templateValue('thing5', '短')).toBe('短')
    const follower = `oCut_${Date.now()}`
    await api.sendTemplate(follower, {
      templateId: 'TPL-SHIPPED',
      data: { thing1: long, character_string2: 'A'.repeat(40) },
    })
    expect(wechat.templateMessages.filter((m) => m.touser === follower)).toEqual([
      {
        touser: follower,
        templateId: 'TPL-SHIPPED',
        data: { thing1: '会员'.repeat(9) + '🎉…', character_string2: 'A'.repeat(32) },
      },
    ])
  })

  it('tells a follower outside the 48 hours of points moved outside the chat — an adjustment, an order’s points, expiry — by the points_changed template, and not of a check-in', async () => {
    const { domain, clock } = get()
    wechat.templateIds.add('TPL-POINTS')
    await domain.programme.replace(
      programmeWith({
        // The clock has moved by hours and days through the file: no quiet hours to fall into.
        quietHours: null,
        reminders: {
          orderSurvey: { enabled: false },
          tierUpgrade: { enabled: false },
          usageCycle: { enabled: false },
          winBack: { enabled: false },
          pointsExpiring: { enabled: false },
          pointsChanged: { enabled: true },
          officialTemplates: {
            points_changed: {
              templateId: 'TPL-POINTS',
              data: {
                thing1: { 'zh-CN': '{reason}', en: '{reason}' },
                character_string2: { 'zh-CN': '{change}', en: '{change}' },
                character_string3: { 'zh-CN': '{balance}', en: '{balance}' },
              },
            },
          },
        },
      }),
    )
    const fang = await follower('方')
    await domain.interactions.checkIn(fang.id)
    clock.advance(48 * HOUR + 60_000)
    await domain.adjust(fang.id, { points: 30, reason: 'goodwill' }, 'test')
    await domain.orders.ingest({ id: `OA-${++orders}`, member: { id: fang.id }, amount: 5_000 })
    await domain.reminders.run()
    await drain()
    const told = () =>
      wechat.templateMessages.filter((m) => m.touser === fang.openid).map((m) => m.data)
    const balance = async () => (await domain.members.get({ id: fang.id })).points.balance
    const now = await balance()
    // Sent side by side by the worker: in either order.
    expect(told()).toHaveLength(2)
    expect(told()).toEqual(
      expect.arrayContaining([
        { thing1: '积分调整', character_string2: '+30', character_string3: String(now) },
        { thing1: '消费积分', character_string2: '+50', character_string3: String(now) },
      ]),
    )
    // Told once: planning again finds the same entries planned.
    await domain.reminders.run()
    await drain()
    expect(told()).toHaveLength(2)
    clock.advance(400 * 24 * HOUR)
    await domain.ledger.expireDue()
    await domain.reminders.run()
    await drain()
    expect(told().slice(2)).toEqual([
      {
        thing1: '积分过期',
        character_string2: `-${now - (await balance())}`,
        character_string3: String(await balance()),
      },
    ])
    expect(await rowsOf(fang.id)).toMatchObject([
      { status: 'sent', sentVia: 'template' },
      { status: 'sent', sentVia: 'template' },
      { status: 'sent', sentVia: 'template' },
    ])
  })
})
