import pino from 'pino'
import { Telegraf } from 'telegraf'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createApp } from '../../src/api/app.ts'
import { createConversation } from '../../src/bots/core/conversation.ts'
import { createBot } from '../../src/bots/telegram/create-bot.ts'
import { TelegramSender } from '../../src/bots/telegram/sender.ts'
import { nextQuietStart } from '../../src/domain/campaigns/campaigns.ts'
import { webhookHealth } from '../../src/bots/telegram/webhook-health.ts'
import { classifySayError } from '../../src/bots/wechat/say-errors.ts'
import type { MessageSender, OutboundMessage, SendResult } from '../../src/domain/ports.ts'
import { healthReporter } from '../../src/jobs/health.ts'
import { startOutboxWorker } from '../../src/jobs/outbox-worker.ts'
import { describeOnDatabases, programmeWith } from '../helpers/domain.ts'
import { FakeBotApi } from '../helpers/fake-telegram.ts'
import { startWechatHarness } from '../helpers/wechat.ts'

const TOKEN = '123456:TEST-token-for-the-fake-bot-api'
const logger = pino({ level: 'silent' })

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 20_000) {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** A channel whose platform can be switched off: then every send fails as the channel's own. */
class SwitchableSender implements MessageSender {
  down = false
  readonly sent: { recipient: string; text: string }[] = []
  async send(
    recipient: string,
    message: OutboundMessage,
    beforeRequest?: () => Promise<boolean>,
  ): Promise<SendResult> {
    if (beforeRequest && !(await beforeRequest())) return { ok: false, abandoned: true }
    if (this.down) return { ok: false, retryAfterMs: 5_000, error: 'Bad Gateway', channel: 'down' }
    this.sent.push({ recipient, text: message.text })
    return { ok: true }
  }
}

describeOnDatabases('channel health: held, probed, expired, told', (get) => {
  let api: FakeBotApi
  let next = 8_100_000
  beforeAll(async () => {
    api = await new FakeBotApi().start()
    await get().domain.programme.replace(programmeWith({ quietHours: null }))
  })
  afterAll(async () => {
    await api?.close()
  })

  async function tagged(tag: string, identities: Record<string, string>[]): Promise<void> {
    for (const identity of identities) {
      const member = await get().domain.members.register({
        displayName: `M${++next}`,
        marketingConsent: true,
        ...identity,
      })
      await get().domain.tags.add(member.id, [tag])
    }
  }
  async function owner(channel: 'telegram' | 'wechat', externalId: string) {
    const { code } = await get().domain.staff.createInvite('owner')
    return get().domain.staff.acceptInvite(code, channel, externalId, 'Owner')
  }
  const campaign = (tag: string) =>
    get().domain.campaigns.create(
      { name: tag, message: { text: `${tag} 上新` }, segment: { tags: [tag] }, attributionDays: 7 },
      'test',
    )
  /** A campaign to two WeChat members while WeChat is down, its messages held, a worker on. */
  async function heldOnWechat(tag: string) {
    const { domain } = get()
    const wechat = new SwitchableSender()
    wechat.down = true
    await tagged(tag, [
      { wechatId: `wxid_${tag}_${++next}` },
      { wechatId: `wxid_${tag}_${++next}` },
    ])
    const { id } = await campaign(tag)
    const worker = startOutboxWorker({ domain, logger, senders: { wechat }, idleMs: 10 })
    await until(async () => (await domain.campaigns.get(id)).stats.held === 2, 'held messages')
    return { id, wechat, worker }
  }

  it('a broadcast to 500 members through a Bot API that goes down for two minutes mid-way reaches each member exactly once, none failed; staff are told of the outage and the recovery on WeChat', async () => {
    const { domain, clock } = get()
    const chats = Array.from({ length: 500 }, () => String(++next))
    await tagged(
      'outage',
      chats.map((telegramId) => ({ telegramId })),
    )
    const boss = await owner('telegram', String(++next))
    await domain.members.register({
      displayName: 'Boss',
      telegramId: boss.externalId,
      wechatId: 'wxid_boss',
    })
    // The WeChat bot says so at its login (the next test goes through the real adapter).
    await domain.channelHealth.report('wechat', 'up')
    const wechat = new SwitchableSender()
    const telegram = new TelegramSender(
      new Telegraf(TOKEN, { telegram: { apiRoot: api.url } }).telegram,
      {
        perSecond: 1_000,
        perChatMs: 0,
      },
    )
    const sendsBefore = api.calls.filter((c) => c.method === 'sendMessage').length
    const sent = () => api.calls.filter((c) => c.method === 'sendMessage').length - sendsBefore
    const { id } = await campaign('outage')
    const worker = startOutboxWorker({ domain, logger, senders: { telegram, wechat }, idleMs: 10 })
    try {
      await until(() => sent() >= 150, '150 messages')
      api.down = true
      await until(
        async () => (await domain.channelHealth.list()).some((c) => c.state === 'down'),
        'telegram down',
      )
      // Two minutes of outage, in steps: the channel is probed with one message at a time.
      for (let second = 0; second < 120; second += 10) {
        clock.advance(10_000)
        await new Promise((resolve) => setTimeout(resolve, 60))
      }
      const during = await domain.campaigns.get(id)
      expect(during.stats.failed).toBe(0)
      expect(during.stats.held).toBeGreaterThan(0)
      expect(wechat.sent.map((s) => s.text)).toEqual([
        expect.stringContaining('Telegram无法发送消息'),
      ])
      api.down = false
      // Time moves only until the next probe finds the Bot API back: the sends that follow
      // take real time, and their leases must not run out under them.
      await until(async () => {
        clock.advance(10_000)
        return (await domain.channelHealth.list()).every((c) => c.state === 'up')
      }, 'telegram up again')
      await until(
        async () => (await domain.campaigns.get(id)).status === 'completed',
        'the campaign to complete',
      )
      await until(() => wechat.sent.length === 2, 'the recovery notice')
    } finally {
      await worker.stop()
    }
    const received = new Map<string, number>()
    for (const call of api.calls.filter((c) => c.method === 'sendMessage'))
      received.set(
        String(call.payload.chat_id),
        (received.get(String(call.payload.chat_id)) ?? 0) + 1,
      )
    expect(chats.filter((chat) => received.get(chat) !== 1)).toEqual([])
    const { stats } = await domain.campaigns.get(id)
    expect(stats).toMatchObject({ sent: 500, failed: 0, held: 0, expired: 0, pending: 0 })
    // Probed, not hammered: a probe every 5 s doubling to a minute, plus the sends in flight.
    expect(api.refusedWhileDown).toBeGreaterThan(1)
    expect(api.refusedWhileDown).toBeLessThan(40)
    expect(wechat.sent).toEqual([
      { recipient: 'wxid_boss', text: expect.stringContaining('Telegram无法发送消息') },
      { recipient: 'wxid_boss', text: expect.stringContaining('Telegram已恢复') },
    ])
  })

  it('a WeChat logout mid-campaign holds its messages, tells the owner on Telegram, and sends them after the login', async () => {
    const { domain } = get()
    const conversation = createConversation({ domain, logger })
    const health = healthReporter(domain, logger)
    const harness = await startWechatHarness(conversation, { health })
    const bot = createBot(TOKEN, { conversation, logger, apiRoot: api.url, health })
    await bot.start({ url: 'https://example.test/telegram', secret: 'secret' })
    try {
      const contacts = Array.from({ length: 6 }, (_, i) => harness.contact(`会员${i}`))
      await tagged(
        'logout',
        contacts.map((c) => ({ wechatId: c.id })),
      )
      const boss = await owner('wechat', harness.contact('老板').id)
      const bossChat = String(++next)
      await domain.members.register({
        displayName: 'Boss',
        wechatId: boss.externalId,
        telegramId: bossChat,
      })
      let delivered = 0
      // Logged out right after the second message: mid-campaign, at a known point.
      const wechat: MessageSender = {
        reportsHealth: harness.bot.messageSender.reportsHealth,
        async send(recipient, message, beforeRequest) {
          const result = await harness.bot.messageSender.send(recipient, message, beforeRequest)
          if (result.ok && ++delivered === 2) await harness.puppet.logout()
          return result
        },
      }
      const { id } = await campaign('logout')
      const worker = startOutboxWorker({
        domain,
        logger,
        senders: {
          wechat,
          telegram: new TelegramSender(bot.bot.telegram, { perSecond: 100, perChatMs: 0 }),
        },
        idleMs: 10,
        batchSize: 1,
        concurrency: 1,
      })
      try {
        await until(() => api.sentTo(Number(bossChat)).length === 1, 'the owner told on Telegram')
        expect(api.sentTo(Number(bossChat))[0]).toContain('微信无法发送消息')
        const held = await domain.campaigns.get(id)
        expect(held.stats).toMatchObject({ sent: 2, held: 4, failed: 0 })
        harness.mocker.login(harness.self)
        await until(
          async () => (await domain.campaigns.get(id)).status === 'completed',
          'the campaign',
        )
        await until(() => api.sentTo(Number(bossChat)).length === 2, 'the recovery notice')
        expect(api.sentTo(Number(bossChat))[1]).toContain('微信已恢复')
      } finally {
        await worker.stop()
      }
      for (const contact of contacts)
        expect(harness.sent.filter((s) => s.to === contact.id)).toHaveLength(1)
      expect((await domain.campaigns.get(id)).stats).toMatchObject({ sent: 6, failed: 0, held: 0 })
    } finally {
      await bot.stop()
      await harness.stop()
    }
  })

  it('a campaign message held past the campaign’s use expires instead of arriving late, and the campaign counts it', async () => {
    const { domain, clock } = get()
    await domain.programme.replace(programmeWith({ quietHours: null, campaignMaxDelayHours: 1 }))
    try {
      const { id, wechat, worker } = await heldOnWechat('late')
      try {
        clock.advance(2 * 3_600_000)
        await until(async () => (await domain.campaigns.get(id)).stats.expired === 2, 'expiry')
        wechat.down = false
        await domain.channelHealth.report('wechat', 'up')
        await until(
          async () => (await domain.campaigns.get(id)).status === 'completed',
          'completion',
        )
      } finally {
        await worker.stop()
      }
      expect(wechat.sent.filter((s) => s.text.startsWith('late'))).toEqual([])
      expect((await domain.campaigns.get(id)).stats).toMatchObject({
        sent: 0,
        expired: 2,
        failed: 0,
        held: 0,
        pending: 0,
      })
    } finally {
      await domain.programme.replace(programmeWith({ quietHours: null }))
    }
  })

  it('a campaign message held when the quiet hours begin expires then instead of arriving the next morning', async () => {
    const { domain, clock } = get()
    // 21:00 in Shanghai; quiet hours from 22:00.
    clock.set('2026-03-02T13:00:00Z')
    await domain.programme.replace(
      programmeWith({ quietHours: { start: '22:00', end: '08:00' }, campaignMaxDelayHours: 24 }),
    )
    try {
      const { id, wechat, worker } = await heldOnWechat('evening')
      try {
        const expiry = await get()
          .store.db.selectFrom('outbox')
          .select('expiresAt')
          .where('campaignId', '=', id)
          .execute()
        expect(expiry.map((row) => row.expiresAt)).toEqual([
          '2026-03-02T14:00:00.000Z',
          '2026-03-02T14:00:00.000Z',
        ])
        clock.set('2026-03-02T14:00:01Z')
        await until(async () => (await domain.campaigns.get(id)).stats.expired === 2, 'expiry')
        // Back the next morning, the channel sends nothing of the evening's campaign.
        clock.set('2026-03-03T00:30:00Z')
        wechat.down = false
        await domain.channelHealth.report('wechat', 'up')
        await until(
          async () => (await domain.campaigns.get(id)).status === 'completed',
          'completion',
        )
      } finally {
        await worker.stop()
      }
      expect(wechat.sent.filter((s) => s.text.startsWith('evening'))).toEqual([])
      expect((await domain.campaigns.get(id)).stats).toMatchObject({ sent: 0, expired: 2 })
    } finally {
      await domain.programme.replace(programmeWith({ quietHours: null }))
    }
  })

  it('/readyz reports each channel’s state as JSON while /healthz keeps answering ok', async () => {
    const { domain } = get()
    const app = createApp({ domain, logger })
    await domain.channelHealth.report('wechat', 'up')
    await domain.channelHealth.report('wechat', 'down', 'logged out')
    await domain.channelHealth.report('telegram', 'up')
    const ready = await app.request('/readyz')
    expect(ready.status).toBe(200)
    expect(await ready.json()).toMatchObject({
      status: 'degraded',
      channels: [
        { channel: 'telegram', state: 'up', reason: null },
        { channel: 'wechat', state: 'down', reason: 'logged out' },
      ],
    })
    expect((await app.request('/healthz')).status).toBe(200)
    await domain.channelHealth.report('wechat', 'up')
    expect(await (await app.request('/readyz')).json()).toMatchObject({ status: 'ok' })
  })

  it('a webhook Telegram cannot reach makes Telegram degraded with its error, and up again once updates flow', async () => {
    const { domain } = get()
    const conversation = createConversation({ domain, logger })
    const health = healthReporter(domain, logger)
    const bot = createBot(TOKEN, {
      conversation,
      logger,
      apiRoot: api.url,
      health,
      webhookCheckMs: 20,
    })
    await domain.channelHealth.report('telegram', 'up')
    await bot.start({ url: 'https://shop.example/telegram', secret: 'secret' })
    const telegram = async () =>
      (await domain.channelHealth.list()).find((c) => c.channel === 'telegram')
    try {
      api.webhookTrouble = {
        last_error_date: Math.floor(Date.now() / 1000),
        last_error_message: 'Connection timed out',
        pending_update_count: 7,
      }
      await until(async () => (await telegram())?.state === 'degraded', 'degraded')
      expect((await telegram())?.reason).toContain('Connection timed out (7 waiting)')
      api.webhookTrouble = { ...api.webhookTrouble, pending_update_count: 0 }
      await until(async () => (await telegram())?.state === 'up', 'up again')
    } finally {
      api.webhookTrouble = {}
      await bot.stop()
    }
  })

  it('a WeChat say is retried only when WeChat refused it before sending; one that may have arrived is uncertain and not sent again', async () => {
    expect(classifySayError(new Error('not logged in'))).toBe('logged_out')
    expect(classifySayError(new Error('发送消息过于频繁'))).toBe('too_frequent')
    expect(classifySayError(new Error('contact not found'))).toBe('refused')
    expect(classifySayError(new Error('ETIMEDOUT'))).toBe('uncertain')
    const harness = await startWechatHarness(createConversation({ domain: get().domain, logger }))
    try {
      const member = harness.contact('会员')
      let calls = 0
      const original = harness.puppet.messageSendText.bind(harness.puppet)
      harness.puppet.messageSendText = async (conversationId: string, text: string) => {
        calls++
        await original(conversationId, text)
        throw new Error('timeout waiting for the server to confirm')
      }
      const result = await harness.bot.messageSender.send(member.id, { text: '你好' })
      expect(result).toMatchObject({ ok: false, uncertain: true })
      expect(calls).toBe(1)
      await harness.puppet.logout()
      expect(await harness.bot.messageSender.send(member.id, { text: '你好' })).toMatchObject({
        ok: false,
        channel: 'down',
      })
      expect(calls).toBe(1)
    } finally {
      await harness.stop()
    }
  })
})

it('the next quiet hours start this evening by day, and the next evening inside them, in the programme’s zone', () => {
  const quiet = { start: '22:00', end: '08:00' }
  const next = (iso: string) => nextQuietStart(new Date(iso), quiet, 'Asia/Shanghai')?.toISOString()
  expect(next('2026-03-02T06:00:00Z')).toBe('2026-03-02T14:00:00.000Z')
  expect(next('2026-03-02T14:00:00Z')).toBe('2026-03-03T14:00:00.000Z')
  expect(next('2026-03-02T17:00:00Z')).toBe('2026-03-03T14:00:00.000Z')
  expect(nextQuietStart(new Date(), null, 'Asia/Shanghai')).toBeNull()
})

it('a webhook pointing elsewhere or removed is degraded; an old error with nothing waiting is history', () => {
  const url = 'https://shop.example/telegram'
  const now = 1_800_000_000
  expect(
    webhookHealth({ url: 'https://other.example/x', pending_update_count: 0 }, url, 0, now),
  ).toMatchObject({ state: 'degraded', reason: expect.stringContaining('another address') })
  expect(webhookHealth({ url: '', pending_update_count: 0 }, url, 0, now)).toMatchObject({
    state: 'degraded',
    reason: expect.stringContaining('removed'),
  })
  const error = { url, last_error_message: 'Bad Gateway', pending_update_count: 4 }
  expect(webhookHealth({ ...error, last_error_date: now - 10 }, url, now - 60, now).state).toBe(
    'degraded',
  )
  // Before this webhook was set, or long ago: not an incident of ours.
  expect(webhookHealth({ ...error, last_error_date: now - 120 }, url, now - 60, now).state).toBe(
    'up',
  )
  expect(webhookHealth({ ...error, last_error_date: now - 400 }, url, 0, now).state).toBe('up')
})
