import type { Logger } from 'pino'
import { TOO_FREQUENT } from './say-errors.ts'

/**
 * How fast one WeChat account may send. WeChat restricts accounts that send like a machine
 * ("发送消息过于频繁"), for a day or a week; the defaults are those of platforms.md.
 */
export interface PacingOptions {
  /** At most this many messages in any 60 seconds, all chats together. */
  perMinute: number
  /** At least this long between two messages to the same chat. */
  chatIntervalMs: number
  /** A random pause in [min, max] before writing to a different chat than the last one. */
  recipientPauseMs: readonly [number, number]
  /** At most this many messages in any 24 hours; more wait, they are not dropped. */
  dailyCap: number
  /** Attempts after the first before a message is given up (loudly). */
  retries: number
  /** The first retry waits this long, each next one twice as long, up to 5 minutes. */
  retryBaseMs: number
  /** How long the whole account pauses when WeChat says it is sending too often. */
  coolDownMs: number
}

export const DEFAULT_PACING: PacingOptions = {
  perMinute: 40,
  chatIntervalMs: 3_000,
  recipientPauseMs: [3_000, 5_000],
  dailyCap: 500,
  retries: 5,
  retryBaseMs: 5_000,
  coolDownMs: 10 * 60_000,
}

/** Time for the sender alone, so that tests can check the pacing of many messages at once. */
export interface PacingClock {
  now(): number
  sleep(ms: number): Promise<void>
}

export const realPacingClock: PacingClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE
const MAX_RETRY_DELAY = 5 * MINUTE

interface Job {
  chat: string
  deliver: () => Promise<unknown>
  attempts: number
  notBefore: number
  done: () => void
  fail: (error: unknown) => void
}

export interface PacedSenderDeps {
  logger: Logger
  clock?: PacingClock
  /** In [0, 1); the recipient pause is drawn from it. */
  random?: () => number
}

/**
 * The one way out for an account's messages: paced like a person, in order within each chat,
 * a failed message retried with backoff while other chats go on. Resolves `send` when the
 * message is out; rejects it only after every retry failed, and logs that as an error.
 */
export class PacedSender {
  private readonly options: PacingOptions
  private readonly clock: PacingClock
  private readonly random: () => number
  private readonly logger: Logger
  private readonly queue: Job[] = []
  /** Times of the attempts of the last 24 hours, oldest first. */
  private readonly sent: number[] = []
  private readonly lastByChat = new Map<string, number>()
  private lastChat: string | undefined
  private pause = 0
  private pausedUntil = 0
  private capWarned = false
  private draining: Promise<void> | undefined

  constructor(options: Partial<PacingOptions>, deps: PacedSenderDeps) {
    this.options = { ...DEFAULT_PACING, ...options }
    this.clock = deps.clock ?? realPacingClock
    this.random = deps.random ?? Math.random
    this.logger = deps.logger
  }

  /** Queues a message to `chat`: `deliver` sends it, and may be called again if it throws. */
  send(chat: string, deliver: () => Promise<unknown>): Promise<void> {
    return new Promise((done, fail) => {
      this.queue.push({ chat, deliver, attempts: 0, notBefore: 0, done, fail })
      this.draining ??= this.drain().finally(() => (this.draining = undefined))
    })
  }

  /** Messages waiting to go out. */
  get pending(): number {
    return this.queue.length
  }

  /** Chats the sender still remembers: those whose interval between two messages is not over. */
  get chatsRemembered(): number {
    return this.lastByChat.size
  }

  /** Resolves when every message queued so far is out or given up. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const { job, at } = this.next()
      const wait = at - this.clock.now()
      if (wait > 0) {
        await this.clock.sleep(wait)
        // Another chat's message may have come in and be due sooner: choose again.
        continue
      }
      await this.attempt(job)
    }
  }

  /** The message that may go out first: the oldest of each chat, the earliest due of those. */
  private next(): { job: Job; at: number } {
    const now = this.clock.now()
    while (this.sent.length > 0 && this.sent[0]! <= now - DAY) this.sent.shift()
    this.forgetRestedChats(now)
    const seen = new Set<string>()
    let best: { job: Job; at: number } | undefined
    for (const job of this.queue) {
      if (seen.has(job.chat)) continue
      seen.add(job.chat)
      const at = this.dueAt(job, now)
      if (!best || at < best.at) best = { job, at }
    }
    return best!
  }

  private forgetRestedChats(now: number): void {
    for (const [chat, at] of this.lastByChat) {
      if (at + this.options.chatIntervalMs > now) return
      this.lastByChat.delete(chat)
    }
  }

  private dueAt(job: Job, now: number): number {
    const { perMinute, chatIntervalMs, dailyCap } = this.options
    const times = [job.notBefore, this.pausedUntil]
    const lastToChat = this.lastByChat.get(job.chat)
    if (lastToChat !== undefined) times.push(lastToChat + chatIntervalMs)
    const last = this.sent.at(-1)
    if (last !== undefined && this.lastChat !== job.chat) times.push(last + this.pause)
    // The perMinute-th latest send must be a minute old, the dailyCap-th latest a day old.
    const minuteAgo = this.sent.at(-perMinute)
    if (minuteAgo !== undefined && minuteAgo > now - MINUTE) times.push(minuteAgo + MINUTE)
    const dayAgo = this.sent.at(-dailyCap)
    if (dayAgo !== undefined) {
      if (!this.capWarned) {
        this.logger.warn(
          { dailyCap, waiting: this.queue.length },
          'wechat daily message cap reached: messages wait until the oldest of the day is 24 hours old',
        )
      }
      this.capWarned = true
      times.push(dayAgo + DAY)
    } else {
      this.capWarned = false
    }
    return Math.max(...times)
  }

  private async attempt(job: Job): Promise<void> {
    const [min, max] = this.options.recipientPauseMs
    const now = this.clock.now()
    // An attempt that failed may still have reached WeChat, so every attempt counts as a send.
    this.sent.push(now)
    // Kept in order of the last send, so that the rested chats are always the first ones.
    this.lastByChat.delete(job.chat)
    this.lastByChat.set(job.chat, now)
    this.lastChat = job.chat
    this.pause = min + this.random() * (max - min)
    job.attempts += 1
    try {
      await job.deliver()
      this.queue.splice(this.queue.indexOf(job), 1)
      job.done()
    } catch (error) {
      this.failed(job, error)
    }
  }

  private failed(job: Job, error: unknown): void {
    const { retries, retryBaseMs, coolDownMs } = this.options
    const message = error instanceof Error ? error.message : String(error)
    if (TOO_FREQUENT.test(message)) {
      this.pausedUntil = this.clock.now() + coolDownMs
      this.logger.warn(
        { err: error, coolDownMs },
        'WeChat says the account sends too often: pausing every message',
      )
    }
    if (job.attempts > retries) {
      this.queue.splice(this.queue.indexOf(job), 1)
      this.logger.error(
        // Not the text: replies carry binding and coupon codes.
        { err: error, chat: job.chat, attempts: job.attempts },
        'wechat message not sent: gave up after every retry',
      )
      job.fail(error)
      return
    }
    const delay = Math.min(retryBaseMs * 2 ** (job.attempts - 1), MAX_RETRY_DELAY)
    job.notBefore = this.clock.now() + delay
    this.logger.warn(
      { err: error, chat: job.chat, attempt: job.attempts, retryInMs: delay },
      'wechat message failed: retrying',
    )
  }
}
