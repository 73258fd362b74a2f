import { type Telegram, Telegraf } from 'telegraf'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { TIMER_SLACK_MS, TelegramSender } from '../../src/bots/telegram/sender.ts'
import { FakeBotApi } from '../helpers/fake-telegram.ts'

let api: FakeBotApi

beforeAll(async () => {
  api = await new FakeBotApi().start()
})

afterAll(async () => {
  await api.close()
})

it('remembers only the chats of the last pause between messages, however many recipients there are', async () => {
  const telegram = new Telegraf('123:sender-test', { telegram: { apiRoot: api.url } }).telegram
  const limits = { perSecond: 2_000, perChatMs: 20 }
  const sender = new TelegramSender(telegram, limits)
  let most = 0
  for (let chat = 1; chat <= 1_500; chat++) {
    const result = await sender.send(String(10_000 + chat), { text: 'hi' })
    expect(result).toEqual({ ok: true })
    most = Math.max(most, sender.chatsRemembered)
  }
  // At most the chats whose requests started within one pause (widened by the timer slack a
  // turn may be counted from), plus the one just sent.
  expect(most).toBeLessThanOrEqual(
    (limits.perSecond * (limits.perChatMs + TIMER_SLACK_MS)) / 1_000 + 1,
  )
  expect(api.calls.filter((c) => c.method === 'sendMessage')).toHaveLength(1_500)
}, 60_000)

it('still spaces two messages to one chat by the pause after forgetting others', async () => {
  const telegram = new Telegraf('123:sender-test', { telegram: { apiRoot: api.url } }).telegram
  const sender = new TelegramSender(telegram, { perSecond: 2_000, perChatMs: 200 })
  await sender.send('1', { text: 'first' })
  for (let chat = 2; chat <= 20; chat++) await sender.send(String(chat), { text: 'other' })
  const before = Date.now()
  await sender.send('1', { text: 'second' })
  const [first, second] = api.calls.filter(
    (c) => c.method === 'sendMessage' && String(c.payload.chat_id) === '1',
  )
  expect(second!.at - first!.at).toBeGreaterThanOrEqual(200 - 5)
  expect(Date.now() - before).toBeLessThan(1_000)
})

it('sends a staff digest’s offer as a button that answers the bot, beside its link buttons', async () => {
  const telegram = new Telegraf('123:sender-test', { telegram: { apiRoot: api.url } }).telegram
  const sender = new TelegramSender(telegram, { perSecond: 2_000, perChatMs: 0 })
  await sender.send('77', {
    text: 'digest',
    buttons: [{ label: 'Report', url: 'https://shop.example/report' }],
    actions: [{ label: 'Send the win-back now (3)', action: 'slip:2025-03-03' }],
  })
  const call = api.calls.find((c) => c.method === 'sendMessage' && c.payload.text === 'digest')
  expect(call!.payload.reply_markup).toEqual({
    inline_keyboard: [
      [{ text: 'Report', url: 'https://shop.example/report' }],
      [{ text: 'Send the win-back now (3)', callback_data: 'slip:2025-03-03' }],
    ],
  })
})

/** Sends `sends` messages to 100 chats, every timer the sender sets fired late by `lateMs` in turn. */
async function startsWithLateTimers(sends: number, lateMs: number[]): Promise<number[]> {
  // Date is a fake clock and each timer is fired here, as late as the pattern says: the timing
  // is the test's, not the machine's.
  vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-01-05T00:00:00Z') })
  const timers: { due: number; fire: () => void }[] = []
  vi.stubGlobal('setTimeout', (fire: () => void, ms: number) => {
    timers.push({ due: Date.now() + ms, fire })
    return 0
  })
  const starts: number[] = []
  const telegram = {
    sendMessage: () => {
      starts.push(Date.now())
      return Promise.resolve({})
    },
  } as unknown as Telegram
  try {
    const sender = new TelegramSender(telegram, { perSecond: 30, perChatMs: 1_000 })
    const sent = Array.from({ length: sends }, (_, i) =>
      sender.send(String(i % 100), { text: 'hi' }),
    )
    for (let fired = 0; starts.length < sends; fired++) {
      // Everything the last timer set going runs to its next timer before the clock moves.
      await new Promise((resolve) => setImmediate(resolve))
      const timer = timers.shift()
      if (!timer) break
      vi.setSystemTime(timer.due + lateMs[fired % lateMs.length]!)
      timer.fire()
    }
    await Promise.all(sent)
  } finally {
    vi.unstubAllGlobals()
    vi.useRealTimers()
  }
  return starts
}

const rateOf = (starts: number[]) =>
  ((starts.length - 1) * 1_000) / (starts[starts.length - 1]! - starts[0]!)

it('keeps 0.95 of the limit when its timers fire a few ms late, as they do on a busy machine', async () => {
  const starts = await startsWithLateTimers(600, [0, 3, 1, 9, 0, 2, 6, 1, 0, 5])
  expect(starts).toHaveLength(600)
  // Counted from each late start instead, this pattern (2.7 ms late on average) gives 26.4/s.
  expect(rateOf(starts)).toBeGreaterThanOrEqual(0.95 * 30)
  expect(rateOf(starts)).toBeLessThanOrEqual(30)
})

it('never lets a second hold more than the limit, however late its timers fire', async () => {
  const starts = await startsWithLateTimers(300, [0, 40, 0, 0, 10, 10, 10, 0, 120, 0])
  expect(starts).toHaveLength(300)
  // The first second is left to a previous process; a 31st send within 1 s of the 30 before it
  // would be answered 429.
  for (let i = 30; i < starts.length; i++)
    expect(starts[i]! - starts[i - 30]!).toBeGreaterThanOrEqual(1_000)
})
