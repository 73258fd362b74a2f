import { type Telegram, TelegramError } from 'telegraf'
import type { InlineKeyboardButton } from 'telegraf/types'
import type { MessageSender, OutboundMessage, SendResult } from '../../domain/ports.ts'

export interface TelegramLimits {
  /** Messages a second, all chats together (Telegram's bulk limit is about 30). */
  perSecond: number
  /** At least this long between two messages to one chat (about one a second). */
  perChatMs: number
}

export const TELEGRAM_LIMITS: TelegramLimits = { perSecond: 30, perChatMs: 1_000 }

const UNREACHABLE =
  /blocked by the user|user is deactivated|can't initiate conversation|chat not found|bot was kicked/i
const RETRY_LATER_MS = 5_000
/** How late a turn's timer may fire without the lateness costing the send rate. */
export const TIMER_SLACK_MS = 10

/**
 * Sends marketing messages through the Bot API as fast as Telegram allows and no faster:
 * requests start one at a time, spaced just under the limit from when the previous one was due
 * (a timer a few ms late costs no rate, and no burst for Telegram to catch can form), each chat at
 * most once a second, nothing in the first second (a previous process may have used it),
 * and a 429 pauses every send for its `retry_after`. A 403 or "chat not found" means the
 * member cannot be reached and is reported so; a 5xx or no answer means the Bot API is down.
 */
export class TelegramSender implements MessageSender {
  // Another process may have sent in the second before this one started.
  private readonly startAt = Date.now() + 1_000
  private pausedUntil = 0
  private lastStart = 0
  /**
   * When each chat last had a request start, oldest first; a chat whose pause is over is
   * forgotten, so the map holds only the chats of the last `perChatMs`, however many
   * recipients a campaign has.
   */
  private readonly lastByChat = new Map<string, number>()
  /** Requests start one after another through this gate; only their replies overlap. */
  private gate: Promise<void> = Promise.resolve()

  constructor(
    private readonly telegram: Telegram,
    private readonly limits: TelegramLimits = TELEGRAM_LIMITS,
    /** The server's public address, for the button that opens the member's page. */
    private readonly publicUrl?: string,
  ) {}

  async send(
    recipient: string,
    message: OutboundMessage,
    beforeRequest: () => Promise<boolean> = () => Promise.resolve(true),
  ): Promise<SendResult> {
    await this.slot(recipient)
    if (!(await beforeRequest())) return { ok: false, abandoned: true }
    const rows = (message.buttons ?? []).map(
      (b) => [{ text: b.label, url: b.url }] as InlineKeyboardButton[],
    )
    for (const action of message.actions ?? [])
      rows.push([{ text: action.label, callback_data: action.action }])
    if (message.miniappButton && this.publicUrl) {
      // The link names the campaign or the reminder, so that the visit counts as its open.
      const source = message.campaignId
        ? `?c=${encodeURIComponent(message.campaignId)}`
        : message.reminderId !== undefined
          ? `?r=${message.reminderId}`
          : ''
      const url = `${this.publicUrl}/miniapp/${source}`
      rows.push([{ text: message.miniappButton, web_app: { url } }])
    }
    const reply_markup = rows.length ? { inline_keyboard: rows } : undefined
    try {
      // A stored picture goes up as its bytes: Telegram cannot fetch it from our server.
      const photo = message.image
        ? { source: message.image.bytes, filename: `picture.${message.image.contentType.slice(6)}` }
        : message.imageUrl
      if (photo) {
        await this.telegram.sendPhoto(recipient, photo, {
          caption: message.text.slice(0, 1024),
          reply_markup,
        })
      } else {
        await this.telegram.sendMessage(recipient, message.text, { reply_markup })
      }
      return { ok: true }
    } catch (error) {
      if (error instanceof TelegramError) {
        if (error.code === 429) {
          const retryAfterMs = (error.parameters?.retry_after ?? 1) * 1_000
          this.pausedUntil = Math.max(this.pausedUntil, Date.now() + retryAfterMs)
          return { ok: false, retryAfterMs, error: error.description }
        }
        if (error.code === 403 || (error.code === 400 && UNREACHABLE.test(error.description))) {
          return { ok: false, unreachable: true, error: error.description }
        }
        // A 5xx is the Bot API failing, not this message: the channel is down for now.
        if (error.code >= 500)
          return {
            ok: false,
            retryAfterMs: RETRY_LATER_MS,
            error: error.description,
            channel: 'down',
          }
        return { ok: false, retryAfterMs: RETRY_LATER_MS, error: error.description }
      }
      // No answer at all (refused, reset, no route): the Bot API cannot be reached.
      return { ok: false, retryAfterMs: RETRY_LATER_MS, error: String(error), channel: 'down' }
    }
  }

  /**
   * Waits for this message's turn. Turns are taken one at a time and spaced from the moment
   * the previous one was due (or really started, when its timer fired more than the slack
   * late), so a late timer can never bunch two requests into one second; a 429 seen meanwhile
   * moves every later turn.
   */
  private slot(chat: string): Promise<void> {
    // 3% under the limit: `perSecond` starts then span at least 1.03 s less the timer slack,
    // which leaves 20 ms for the jitter of the database write before each request, the network
    // and the receiving end, so that no second holds more than the limit when they arrive.
    const spacing = 1_000 / (this.limits.perSecond * 0.97)
    const turn = this.gate.then(async () => {
      let now: number
      let at: number
      for (;;) {
        now = Date.now()
        const chatReady = (this.lastByChat.get(chat) ?? 0) + this.limits.perChatMs
        at = Math.max(this.startAt, this.lastStart + spacing, this.pausedUntil, chatReady)
        if (at <= now) break
        await new Promise((resolve) => setTimeout(resolve, at - now))
      }
      // A timer a few ms late would otherwise cost that much rate on every turn (0.947 of the
      // limit under load, #15): the turn counts from when it was due, up to TIMER_SLACK_MS. No
      // window of `perSecond` turns can shrink by more than that once, which the spacing's 3%
      // covers; a timer later than the slack still loses the excess.
      this.lastStart = Math.max(at, now - TIMER_SLACK_MS)
      // Deleted first, so that the map stays in order of the last start.
      this.lastByChat.delete(chat)
      this.lastByChat.set(chat, now)
      this.forgetRestedChats(now)
    })
    this.gate = turn
    return turn
  }

  /** Chats the sender still remembers: those whose pause between two messages is not over. */
  get chatsRemembered(): number {
    return this.lastByChat.size
  }

  private forgetRestedChats(now: number): void {
    for (const [chat, at] of this.lastByChat) {
      if (at + this.limits.perChatMs > now) return
      this.lastByChat.delete(chat)
    }
  }
}
