import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { DEFAULT_PACING, PacedSender, type PacingOptions } from '../../src/bots/wechat/sender.ts'
import { InstantClock } from '../helpers/wechat.ts'

interface Delivery {
  chat: string
  n: number
  at: number
}

function setUp(options: Partial<PacingOptions>, seed = 1) {
  const clock = new InstantClock()
  const logs: { msg: string }[] = []
  let state = seed
  const sender = new PacedSender(options, {
    logger: pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) }),
    clock,
    random: () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31,
  })
  const delivered: Delivery[] = []
  const send = (chat: string, n: number, deliver?: () => Promise<void>) =>
    sender.send(chat, async () => {
      await deliver?.()
      delivered.push({ chat, n, at: clock.now() })
    })
  return { clock, logs, sender, delivered, send }
}

/** Checks every limit on a record of deliveries, so that a broken limiter fails here. */
function expectPaced(delivered: Delivery[], options: PacingOptions): void {
  const { perMinute, chatIntervalMs, recipientPauseMs } = options
  for (let i = perMinute; i < delivered.length; i++)
    expect(delivered[i]!.at - delivered[i - perMinute]!.at).toBeGreaterThanOrEqual(60_000)
  for (let i = 1; i < delivered.length; i++) {
    const [previous, current] = [delivered[i - 1]!, delivered[i]!]
    if (previous.chat !== current.chat)
      expect(current.at - previous.at).toBeGreaterThanOrEqual(recipientPauseMs[0])
  }
  for (const chat of new Set(delivered.map((d) => d.chat))) {
    const list = delivered.filter((d) => d.chat === chat)
    for (let i = 1; i < list.length; i++) {
      expect(list[i]!.at - list[i - 1]!.at).toBeGreaterThanOrEqual(chatIntervalMs)
      expect(list[i]!.n).toBeGreaterThan(list[i - 1]!.n)
    }
  }
}

describe('the WeChat sending pace', () => {
  it('sends 50 messages to 5 chats within the configured rate, each chat in order', async () => {
    const options: PacingOptions = {
      ...DEFAULT_PACING,
      perMinute: 8,
      chatIntervalMs: 4_000,
      recipientPauseMs: [1_000, 2_000],
    }
    const { delivered, send, sender } = setUp(options)
    const sends = Array.from({ length: 50 }, (_, n) => send(`chat-${n % 5}`, n))
    await Promise.all(sends)
    await sender.idle()
    expect(delivered).toHaveLength(50)
    expectPaced(delivered, options)
    const span = delivered.at(-1)!.at - delivered[0]!.at
    // 50 messages at 8 a minute: a little over six minutes, not much more.
    expect(span).toBeGreaterThanOrEqual(6 * 60_000)
    expect(span).toBeLessThan(7 * 60_000)
  })

  it('keeps the defaults of platforms.md: one every 3 s per chat, 3–5 s between chats, 40 a minute', async () => {
    const { delivered, send } = setUp({})
    await Promise.all(Array.from({ length: 50 }, (_, n) => send(n % 2 ? 'a' : `c${n}`, n)))
    expectPaced(delivered, DEFAULT_PACING)
    for (let i = 1; i < delivered.length; i++) {
      const gap = delivered[i]!.at - delivered[i - 1]!.at
      if (delivered[i]!.chat !== delivered[i - 1]!.chat) expect(gap).toBeLessThanOrEqual(5_000)
    }
    expect(DEFAULT_PACING).toMatchObject({ perMinute: 40, dailyCap: 500 })
  })

  it('holds messages over the daily cap until the day has room, and says so once', async () => {
    const { delivered, send, logs } = setUp({ dailyCap: 5, recipientPauseMs: [0, 0] })
    await Promise.all(Array.from({ length: 8 }, (_, n) => send(`c${n}`, n)))
    expect(delivered).toHaveLength(8)
    expect(delivered[5]!.at - delivered[0]!.at).toBeGreaterThanOrEqual(24 * 3_600_000)
    expect(delivered[4]!.at - delivered[0]!.at).toBeLessThan(60_000)
    expect(logs.filter((l) => l.msg.startsWith('wechat daily message cap reached'))).toHaveLength(1)
  })

  it('retries a failed message with backoff, in its chat’s order, while other chats go on', async () => {
    const { delivered, send, logs } = setUp({ retryBaseMs: 30_000, recipientPauseMs: [0, 0] })
    let failures = 0
    const flaky = () =>
      failures++ < 2 ? Promise.reject(new Error('network glitch')) : Promise.resolve()
    await Promise.all([send('a', 1, flaky), send('a', 2), send('b', 3), send('b', 4)])
    expect(delivered.map((d) => d.n)).toEqual([3, 4, 1, 2])
    const [, , first] = delivered
    expect(first!.at - delivered[0]!.at).toBeGreaterThanOrEqual(30_000 + 60_000)
    expect(logs.filter((l) => l.msg === 'wechat message failed: retrying')).toHaveLength(2)
  })

  it('gives a message up loudly after every retry, and goes on with the next', async () => {
    const { delivered, send, logs } = setUp({ retries: 2, retryBaseMs: 10 })
    const broken = send('a', 1, () => Promise.reject(new Error('contact deleted us')))
    await expect(broken).rejects.toThrow('contact deleted us')
    await send('a', 2)
    expect(delivered.map((d) => d.n)).toEqual([2])
    expect(
      logs.find((l) => l.msg === 'wechat message not sent: gave up after every retry'),
    ).toMatchObject({
      attempts: 3,
      chat: 'a',
    })
  })

  it('pauses every chat when WeChat says the account sends too often', async () => {
    const { delivered, send, clock } = setUp({ coolDownMs: 600_000, recipientPauseMs: [0, 0] })
    const start = clock.now()
    let refused = false
    await Promise.all([
      send('a', 1, () => {
        if (refused) return Promise.resolve()
        refused = true
        return Promise.reject(new Error('发送消息过于频繁'))
      }),
      send('b', 2),
    ])
    expect(delivered.every((d) => d.at - start >= 600_000)).toBe(true)
  })
})

it('remembers only the chats whose pause between two messages is not over, however many recipients there are', async () => {
  const { sender, send } = setUp({
    perMinute: 600,
    dailyCap: 10_000,
    chatIntervalMs: 1_000,
    recipientPauseMs: [100, 100],
  })
  let most = 0
  for (let chat = 1; chat <= 1_500; chat++) {
    await send(`wx-${chat}`, chat)
    most = Math.max(most, sender.chatsRemembered)
  }
  // One message every 100 ms: at most 10 go out within one chat interval, plus the one just sent.
  expect(most).toBeLessThanOrEqual(11)
})
