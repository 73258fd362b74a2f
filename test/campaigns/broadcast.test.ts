import { type ChildProcess, spawn } from 'node:child_process'
import pino from 'pino'
import { Telegraf } from 'telegraf'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { TelegramSender } from '../../src/bots/telegram/sender.ts'
import { startOutboxWorker } from '../../src/jobs/outbox-worker.ts'
import { describeOnDatabases, programmeWith } from '../helpers/domain.ts'
import { FakeBotApi } from '../helpers/fake-telegram.ts'

const TOKEN = '123456:TEST-token-for-the-fake-bot-api'
const logger = pino({ level: 'silent' })

async function until(
  check: () => boolean | Promise<boolean>,
  ms: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describeOnDatabases('campaign broadcasts through the durable outbox', (get) => {
  let api: FakeBotApi
  let nextId = 5_000_000
  beforeAll(async () => {
    api = await new FakeBotApi().start()
    api.perSecondLimit = 30
    // Tests run at any hour; quiet hours have their own test.
    await get().domain.programme.replace(programmeWith({ quietHours: null }))
  })
  afterAll(async () => {
    await api?.close()
  })

  /** `count` members on Telegram; returns their chat ids. */
  async function members(count: number, extra: Record<string, unknown> = {}): Promise<string[]> {
    const ids = Array.from({ length: count }, () => String(++nextId))
    for (let i = 0; i < ids.length; i += 100) {
      await Promise.all(
        ids.slice(i, i + 100).map((telegramId) =>
          get().domain.members.register({
            displayName: `M${telegramId}`,
            telegramId,
            marketingConsent: true,
            ...extra,
          }),
        ),
      )
    }
    return ids
  }
  const received = (chat: string) =>
    api.calls.filter((c) => c.method === 'sendMessage' && String(c.payload.chat_id) === chat).length
  const tagged = (tag: string) => ({ tags: [tag] })

  function startProcess(): ChildProcess {
    return spawn('node', ['--import', 'tsx', 'test/helpers/outbox-worker-process.ts'], {
      env: {
        ...process.env,
        DATABASE_URL: get().store.url,
        CLOCK_NOW: get().clock.now().toISOString(),
        TELEGRAM_API_ROOT: api.url,
        TELEGRAM_BOT_TOKEN: TOKEN,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
  }

  it('2,000 members each get exactly one message at the enforced 30 a second, even when the worker is killed and restarted; opted-out and blocked members are skipped', async () => {
    const tag = `big-${nextId}`
    const reachable = await members(2_000)
    const optedOut = await members(30, { marketingConsent: false })
    const blocked = reachable.slice(0, 20)
    for (const chat of blocked) api.blocked.add(chat)
    const all = [...reachable, ...optedOut]
    for (let i = 0; i < all.length; i += 200) {
      await Promise.all(
        all
          .slice(i, i + 200)
          .map(async (telegramId) =>
            get().domain.tags.add((await get().domain.members.get({ telegramId })).id, [tag]),
          ),
      )
    }
    const campaign = await get().domain.campaigns.create(
      {
        name: 'Spring sale',
        message: { text: '春季大促，全场八折！' },
        segment: tagged(tag),
        attributionDays: 7,
      },
      'test',
    )
    const before = api.calls.length
    const sentSoFar = () => api.calls.slice(before).filter((c) => c.method === 'sendMessage').length

    let worker = startProcess()
    await until(() => sentSoFar() >= 600, 60_000, '600 messages')
    worker.kill('SIGKILL')
    await new Promise((resolve) => worker.on('exit', resolve))
    const atKill = sentSoFar()
    expect(atKill).toBeLessThan(2_000)

    worker = startProcess()
    await until(
      async () => (await get().domain.campaigns.get(campaign.id)).status === 'completed',
      120_000,
      'the campaign to complete',
    )
    worker.kill('SIGTERM')
    await new Promise((resolve) => worker.on('exit', resolve))

    const view = await get().domain.campaigns.get(campaign.id)
    // A message whose request was cut by the kill is reported as uncertain and never sent
    // again: nobody gets two. Every other member gets exactly one.
    expect(view.stats).toMatchObject({ targeted: 2_000, blocked: 20, failed: 0, pending: 0 })
    expect(view.stats.sent + view.stats.uncertain).toBe(1_980)
    expect(view.stats.uncertain).toBeLessThanOrEqual(8)
    const uncertain = await get()
      .store.db.selectFrom('outbox')
      .select('recipient')
      .where('campaignId', '=', campaign.id)
      .where('status', '=', 'uncertain')
      .execute()
    const unsure = new Set(uncertain.map((u) => u.recipient))
    for (const chat of reachable.slice(20)) {
      if (unsure.has(chat)) expect(received(chat)).toBeLessThanOrEqual(1)
      else expect(received(chat)).toBe(1)
    }
    for (const chat of [...optedOut, ...blocked]) expect(received(chat)).toBe(0)
    const identities = await get()
      .store.db.selectFrom('memberIdentities')
      .select('unreachableAt')
      .where('externalId', 'in', blocked)
      .execute()
    expect(identities.every((i) => i.unreachableAt !== null)).toBe(true)
    // At most 1% of the requests were answered 429.
    expect(api.tooManyRequests).toBeLessThan(0.01 * (sentSoFar() + api.tooManyRequests))
  }, 240_000)

  it('a worker stopped gracefully mid-way gives its claimed rows back; another finishes with no duplicate', async () => {
    const tag = `stop-${nextId}`
    const chats = await members(120)
    for (const telegramId of chats)
      await get().domain.tags.add((await get().domain.members.get({ telegramId })).id, [tag])
    const campaign = await get().domain.campaigns.create(
      { name: 'Stop and go', message: { text: 'hello' }, segment: tagged(tag) },
      'test',
    )
    const telegram = new Telegraf(TOKEN, { telegram: { apiRoot: api.url } }).telegram
    const first = startOutboxWorker({
      domain: get().domain,
      logger,
      senders: { telegram: new TelegramSender(telegram) },
      idleMs: 50,
    })
    await until(() => chats.filter((c) => received(c) > 0).length >= 40, 30_000, '40 messages')
    await first.stop()
    const second = startOutboxWorker({
      domain: get().domain,
      logger,
      senders: { telegram: new TelegramSender(telegram) },
      idleMs: 50,
    })
    await until(
      async () => (await get().domain.campaigns.get(campaign.id)).status === 'completed',
      30_000,
      'completion',
    )
    await second.stop()
    for (const chat of chats) expect(received(chat)).toBe(1)
  }, 60_000)

  it('pausing stops the sending within a second; resuming finishes; cancelling drops what is left', async () => {
    const tag = `pause-${nextId}`
    const chats = await members(200)
    for (const telegramId of chats)
      await get().domain.tags.add((await get().domain.members.get({ telegramId })).id, [tag])
    const campaign = await get().domain.campaigns.create(
      { name: 'Pause me', message: { text: 'hi' }, segment: tagged(tag) },
      'test',
    )
    const telegram = new Telegraf(TOKEN, { telegram: { apiRoot: api.url } }).telegram
    const worker = startOutboxWorker({
      domain: get().domain,
      logger,
      senders: { telegram: new TelegramSender(telegram) },
      idleMs: 50,
    })
    const sent = () => chats.filter((c) => received(c) > 0).length
    await until(() => sent() >= 30, 30_000, '30 messages')
    await get().domain.campaigns.pause(campaign.id)
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    const oneSecondAfterPause = sent()
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    expect(sent()).toBe(oneSecondAfterPause)
    expect(oneSecondAfterPause).toBeLessThan(200)
    expect((await get().domain.campaigns.get(campaign.id)).status).toBe('paused')

    await get().domain.campaigns.resume(campaign.id)
    await until(() => sent() >= oneSecondAfterPause + 20, 30_000, 'more messages after resuming')
    const cancelled = await get().domain.campaigns.cancel(campaign.id)
    await new Promise((resolve) => setTimeout(resolve, 800))
    await worker.stop()
    const final = await get().domain.campaigns.get(campaign.id)
    expect(cancelled.status).toBe('cancelled')
    expect(final.stats.sent + final.stats.cancelled).toBe(200)
    expect(final.stats.cancelled).toBeGreaterThan(0)
    for (const chat of chats) expect(received(chat)).toBeLessThanOrEqual(1)
  }, 90_000)

  it('holds marketing back during the merchant’s quiet hours and sends it in the morning', async () => {
    await get().domain.programme.replace(
      programmeWith({ quietHours: { start: '22:00', end: '08:00' } }),
    )
    const tag = `quiet-${nextId}`
    const [chat] = await members(1)
    await get().domain.tags.add((await get().domain.members.get({ telegramId: chat! })).id, [tag])
    get().clock.set('2025-03-03T15:00:00Z') // 23:00 in Shanghai
    const campaign = await get().domain.campaigns.create(
      { name: 'Night', message: { text: 'late' }, segment: tagged(tag) },
      'test',
    )
    await get().domain.campaigns.dispatchDue()
    expect(await get().domain.outbox.claim('w', ['telegram'], 10)).toEqual([])
    get().clock.set('2025-03-04T00:30:00Z') // 08:30 in Shanghai
    const claimed = (await get().domain.outbox.claim('w', ['telegram'], 100)).filter(
      (c) => c.campaignId === campaign.id,
    )
    expect(claimed).toHaveLength(1)
    await get().domain.outbox.settle('w', claimed[0]!, { status: 'sent' })
    await get().domain.programme.replace(programmeWith({ quietHours: null }))
    get().clock.set('2025-01-10T04:00:00Z')
  })

  it('reports sales attributed within the window and ROI = sales ÷ cost × 100%', async () => {
    const tag = `roi-${nextId}`
    const chats = await members(3)
    const ids = await Promise.all(
      chats.map(async (telegramId) => (await get().domain.members.get({ telegramId })).id),
    )
    for (const id of ids) await get().domain.tags.add(id, [tag])
    get().clock.set('2025-01-10T04:00:00Z')
    const campaign = await get().domain.campaigns.create(
      {
        name: 'ROI',
        message: { text: 'buy' },
        segment: tagged(tag),
        cost: 10_000,
        attributionDays: 7,
      },
      'test',
    )
    await get().domain.campaigns.dispatchDue()
    for (const row of await get().domain.outbox.claim('w', ['telegram'], 10)) {
      if (row.campaignId === campaign.id)
        await get().domain.outbox.settle('w', row, { status: 'sent' })
    }
    get().clock.set('2025-01-12T04:00:00Z')
    await get().domain.orders.ingest({
      id: `roi-${nextId}-a`,
      member: { id: ids[0]! },
      amount: 30_000,
    })
    await get().domain.orders.ingest({
      id: `roi-${nextId}-b`,
      member: { id: ids[1]! },
      amount: 20_000,
    })
    get().clock.set('2025-01-20T04:00:00Z') // after the 7-day window
    await get().domain.orders.ingest({
      id: `roi-${nextId}-c`,
      member: { id: ids[2]! },
      amount: 99_000,
    })
    await get().domain.campaigns.recordOpen(campaign.id, ids[0]!)
    await get().domain.campaigns.recordOpen(campaign.id, ids[0]!)
    const stats = await get().domain.campaigns.stats(campaign.id)
    expect(stats).toMatchObject({
      targeted: 3,
      sent: 3,
      opened: 1,
      orders: 2,
      sales: 50_000,
      cost: 10_000,
      roi: 500,
    })
    get().clock.set('2025-01-10T04:00:00Z')
  })

  it('a campaign’s or a reminder’s member-page button opens the mini-app naming it; opens count only targeted members', async () => {
    const telegram = new Telegraf(TOKEN, { telegram: { apiRoot: api.url } }).telegram
    const sender = new TelegramSender(
      telegram,
      { perSecond: 1_000, perChatMs: 0 },
      'https://shop.example',
    )
    const result = await sender.send('4242', {
      text: 'sale',
      miniappButton: 'My page',
      campaignId: 'cmp_x',
      buttons: [{ label: 'Shop', url: 'https://shop.example/s' }],
    })
    expect(result).toEqual({ ok: true })
    const markup = api.calls.filter((c) => c.payload.chat_id === '4242').at(-1)!.payload
      .reply_markup as { inline_keyboard: unknown[][] }
    expect(markup.inline_keyboard).toEqual([
      [{ text: 'Shop', url: 'https://shop.example/s' }],
      [{ text: 'My page', web_app: { url: 'https://shop.example/miniapp/?c=cmp_x' } }],
    ])
    // A reminder's button names the reminder, so that its opens count too.
    await sender.send('4242', { text: 'tea', miniappButton: 'My page', reminderId: 41 })
    expect(
      api.calls.filter((c) => c.payload.chat_id === '4242').at(-1)!.payload.reply_markup,
    ).toEqual({
      inline_keyboard: [
        [{ text: 'My page', web_app: { url: 'https://shop.example/miniapp/?r=41' } }],
      ],
    })
    const tag = `open-${nextId}`
    const [targeted, other] = await members(2)
    const targetedId = (await get().domain.members.get({ telegramId: targeted! })).id
    await get().domain.tags.add(targetedId, [tag])
    const campaign = await get().domain.campaigns.create(
      { name: 'Opens', message: { text: 'x' }, segment: { tags: [tag] } },
      'test',
    )
    await get().domain.campaigns.dispatchDue()
    for (const row of await get().domain.outbox.claim('w2', ['telegram'], 100)) {
      if (row.campaignId === campaign.id)
        await get().domain.outbox.settle('w2', row, { status: 'sent' })
      else await get().domain.outbox.release('w2', [row.id])
    }
    await get().domain.campaigns.recordOpen(campaign.id, targetedId)
    await get().domain.campaigns.recordOpen(
      campaign.id,
      (await get().domain.members.get({ telegramId: other! })).id,
    )
    expect((await get().domain.campaigns.stats(campaign.id)).opened).toBe(1)
  })
})
