import pino from 'pino'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createConversation } from '../../src/bots/core/conversation.ts'
import { type TelegramBot, createBot } from '../../src/bots/telegram/create-bot.ts'
import { FakeBotApi } from '../helpers/fake-telegram.ts'
import { describeOnDatabases } from '../helpers/domain.ts'
import { inspectPng } from '../helpers/png.ts'
import { type TgUser, textUpdate } from '../helpers/telegram-updates.ts'

const TOKEN = '123456:TEST-token-for-the-fake-bot-api'

/**
 * On 10 January 2025 (the fixture's clock) three members joined; two bought (¥300 and ¥100,
 * one of them twice) and a guest bought for ¥100. The 30 days up to today: 12 Dec – 10 Jan.
 */
describeOnDatabases('/stats in the bot', (get) => {
  let api: FakeBotApi
  let telegram: TelegramBot
  const owner: TgUser = { id: 81_001, first_name: 'Owner', language_code: 'en' }
  const clerk: TgUser = { id: 81_002, first_name: '店员', language_code: 'zh-hans' }

  beforeAll(async () => {
    const { domain } = get()
    api = await new FakeBotApi().start()
    const logger = pino({ level: 'silent' })
    telegram = createBot(TOKEN, {
      conversation: createConversation({ domain, logger }),
      logger,
      apiRoot: api.url,
    })
    await telegram.start({ url: 'https://shop.example/telegram/webhook', secret: 's3cret' })
    const [a, b] = await Promise.all(
      ['Ann', 'Bao', 'Cui'].map((displayName) => domain.members.register({ displayName })),
    )
    await domain.orders.ingest({ id: 'o-1', member: { id: a!.id }, amount: 20_000 })
    await domain.orders.ingest({ id: 'o-2', member: { id: a!.id }, amount: 10_000 })
    await domain.orders.ingest({ id: 'o-3', member: { id: b!.id }, amount: 10_000 })
    await domain.guestSales.record({ id: 'walk-in', amount: 10_000 })
    await domain.segments.recompute()
    for (const [user, role] of [
      [owner, 'owner'],
      [clerk, 'staff'],
    ] as const) {
      const { code } = await domain.staff.createInvite(role)
      await say(user, `/admin ${code}`)
    }
  })
  afterAll(async () => {
    await telegram?.stop()
    await api?.close()
  })

  async function say(user: TgUser, text: string) {
    const before = api.calls.length
    await telegram.handleUpdate(textUpdate(user, text) as never)
    await telegram.idle()
    return api.calls
      .slice(before)
      .filter((call) => String(call.payload.chat_id) === String(user.id))
  }

  it('answers staff with the key figures and a chart of members, sales and segments', async () => {
    const [photo, ...rest] = await say(owner, '/stats')
    expect(rest).toEqual([])
    expect(photo!.method).toBe('sendPhoto')
    const caption = String(photo!.payload.caption)
    expect(caption).toContain('2024-12-12 to 2025-01-10')
    // Nobody was a member before the period, so there is no new-member rate to give.
    expect(caption).toContain('Members: 3 (new 3, new-member rate —)')
    // ¥400 of ¥500 by members; 2 of 3 members bought; Ann bought twice of the 2 buyers.
    expect(caption).toContain('Member share of sales: 80% (members ¥400.00 of ¥500.00)')
    expect(caption).toContain('Active members: 2 (activity rate 66.67%)')
    expect(caption).toContain('repeat-purchase rate: 50%')
    expect(caption).toContain('Points: issued 400, redeemed 0, expired 0, outstanding 400')
    const file = photo!.payload.photo as { bytes: number; content: Buffer }
    expect(file.bytes).toBeGreaterThan(1_000)
    const picture = await inspectPng(file.content)
    expect(picture).toMatchObject({ width: 1_200, height: 600 })
    expect(picture.colours).toBeGreaterThan(20)
  })

  it('answers in Chinese to staff who write in Chinese', async () => {
    const [photo] = await say(clerk, '/stats')
    expect(photo!.method).toBe('sendPhoto')
    expect(String(photo!.payload.caption)).toContain('会员总数：3（新增 3，新增率 —）')
    expect(String(photo!.payload.caption)).toContain('会员消费占比：80%')
  })

  it('refuses members who are not staff, without a chart', async () => {
    const stranger: TgUser = { id: 81_003, first_name: 'Wang', language_code: 'zh-hans' }
    const [answer] = await say(stranger, '/stats')
    expect(answer!.method).toBe('sendMessage')
    expect(String(answer!.payload.text)).toBe('/stats 仅限店员及以上使用。')
  })
})
