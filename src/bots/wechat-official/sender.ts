import type { MessageSender, SendResult } from '../../domain/ports.ts'
import { type OfficialAccountApi, WechatApiError } from './api.ts'

/** WeChat lets an account write by customer-service message this long after the member's last message. */
const WINDOW_MS = 48 * 3_600_000
/** 43004: the member does not follow the account. */
const NOT_FOLLOWING = 43004
/** 45015: outside the 48 hours, or the member unfollowed meanwhile. */
const OUT_OF_TIME = 45015
/** 45009: the account's daily API quota is spent; it comes back the next day. */
const QUOTA_SPENT = 45009
const QUOTA_RETRY_MS = 3_600_000
const RETRY_MS = 60_000

export interface OfficialAccountSenderDeps {
  /** When the member last wrote to the account (message, menu click, follow), if known. */
  lastInbound(openid: string): Promise<Date | undefined>
  now(): number
}

/**
 * Campaign and reminder messages to followers, by customer-service message and only where
 * WeChat allows one: within 48 hours of the member's last message. Outside it nothing is sent
 * and the message is skipped, as a member who has not written lately is not ours to reach now.
 */
export class OfficialAccountSender implements MessageSender {
  constructor(
    private readonly api: OfficialAccountApi,
    private readonly deps: OfficialAccountSenderDeps,
  ) {}

  async send(
    recipient: string,
    message: Parameters<MessageSender['send']>[1],
    beforeRequest: () => Promise<boolean> = async () => true,
  ): Promise<SendResult> {
    const last = await this.deps.lastInbound(recipient)
    if (!last || this.deps.now() - last.getTime() > WINDOW_MS)
      return {
        ok: false,
        skipped: true,
        reason: 'outside the 48 hours after the member last wrote',
      }
    if (!(await beforeRequest())) return { ok: false, abandoned: true }
    const links = (message.buttons ?? []).map((b) => `${b.label}：${b.url}`)
    try {
      await this.api.sendText(recipient, [message.text, ...links].join('\n'))
      return { ok: true }
    } catch (error) {
      if (!(error instanceof WechatApiError))
        return { ok: false, retryAfterMs: RETRY_MS, error: String(error) }
      if (error.errcode === NOT_FOLLOWING)
        return { ok: false, unreachable: true, error: error.message }
      if (error.errcode === OUT_OF_TIME) return { ok: false, skipped: true, reason: error.message }
      // A spent quota is the account's, not this message's: the channel is degraded until then.
      if (error.errcode === QUOTA_SPENT)
        return {
          ok: false,
          retryAfterMs: QUOTA_RETRY_MS,
          error: error.message,
          channel: 'degraded',
        }
      return { ok: false, retryAfterMs: RETRY_MS, error: error.message }
    }
  }
}
