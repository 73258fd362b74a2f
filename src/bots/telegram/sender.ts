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

/**
 * Sends marketing messages through the Bot API as fast as Telegram allows and no faster:
 * requests start one at a time, spaced just under the limit from when the previous one really
 * started (no bursts for it to catch, however late a timer fires), each chat at
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
   * the previous request really started, so a late timer can never bunch two requests into
   * one second; a 429 seen meanwhile moves every later turn.
   */
  private slot(chat: string): Promise<void> {
    // 2% under the limit: starts this far apart leave room for the jitter of the network and of
    // the receiving end, so that no second holds more than the limit when the messages arrive.
    const spacing = 1_000 / (this.limits.perSecond * 0.98)
    const turn = this.gate.then(async () => {
      for (;;) {
        const now = Date.now()
        const chatReady = (this.lastByChat.get(chat) ?? 0) + this.limits.perChatMs
        const at = Math.max(this.startAt, this.lastStart + spacing, this.pausedUntil, chatReady)
        if (at <= now) break
        await new Promise((resolve) => setTimeout(resolve, at - now))
      }
      this.lastStart = Date.now()
      // Deleted first, so that the map stays in order of the last start.
      this.lastByChat.delete(chat)
      this.lastByChat.set(chat, this.lastStart)
      this.forgetRestedChats(this.lastStart)
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
