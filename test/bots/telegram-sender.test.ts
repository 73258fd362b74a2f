import { Telegraf } from 'telegraf'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { TelegramSender } from '../../src/bots/telegram/sender.ts'
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
  // At most the chats whose requests started within one pause, plus the one just sent.
  expect(most).toBeLessThanOrEqual((limits.perSecond * limits.perChatMs) / 1_000 + 1)
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
