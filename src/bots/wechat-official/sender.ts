import { createHash } from 'node:crypto'
import {
  type MessageSender,
  OFFICIAL_TEMPLATES,
  type OutboundMessage,
  type SendResult,
} from '../../domain/ports.ts'
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
/**
 * 40037: no such template id; 47003: a field WeChat refuses (not in the template, or a value
 * outside its type's rules). Both are the merchant's setup: every retry would be refused alike.
 */
const TEMPLATE_REFUSED = new Set([40037, 47003])
const RETRY_MS = 60_000
/** A mass send by openid takes 2 to 10,000 followers. */
const MASS_MIN = 2
const MASS_MAX = 10_000
/** How long a mass send waits for one more follower of the same campaign before it leaves. */
const MASS_GATHER_MS = 1_000
/** ...and at most this many times as long in all. */
const MASS_GATHER_ROUNDS = 10

export interface OfficialAccountSenderDeps {
  /** When the member last wrote to the account (message, menu click, follow), if known. */
  lastInbound(openid: string): Promise<Date | undefined>
  now(): number
  /** The member page through the account's OAuth: where a template message or a link leads. */
  memberPageUrl?: string
  /** How long a mass send gathers followers; tests make it short. */
  massGatherMs?: number
}

interface MassBatch {
  text: string
  openids: string[]
  settle: ((result: SendResult) => void)[]
  /** When it leaves however many more would join. */
  leavesBy: number
  timer?: ReturnType<typeof setTimeout>
}

/**
 * Messages to followers, each by the way WeChat allows at the moment it leaves: within 48
 * hours of the member's last message by customer-service message; outside them a notification
 * with a template goes as a template message, and a campaign whose merchant chose it as a mass
 * send; anything else is skipped, as a member who has not written lately is not ours to reach
 * then. The result names the way it went (`custom`, `template`, `mass`), for the outbox.
 */
export class OfficialAccountSender implements MessageSender {
  private readonly batches = new Map<string, MassBatch>()

  constructor(
    private readonly api: OfficialAccountApi,
    private readonly deps: OfficialAccountSenderDeps,
  ) {}

  async send(
    recipient: string,
    message: OutboundMessage,
    beforeRequest: () => Promise<boolean> = async () => true,
    parked?: () => void,
  ): Promise<SendResult> {
    const last = await this.deps.lastInbound(recipient)
    const inWindow = last !== undefined && this.deps.now() - last.getTime() <= WINDOW_MS
    const way = inWindow ? 'custom' : this.outsideWindow(message)
    if (!way)
      return {
        ok: false,
        skipped: true,
        reason: 'outside the 48 hours after the member last wrote',
      }
    if (!(await beforeRequest())) return { ok: false, abandoned: true }
    if (way === 'mass') {
      const result = this.gather(recipient, message)
      parked?.()
      return result
    }
    const sent = await this.attempt(way, recipient, message)
    // WeChat's 48 hours ended before our record of them (a message we did not see): the
    // notification still has its template.
    if ('skipped' in sent && way === 'custom' && this.outsideWindow(message) === 'template')
      return this.attempt('template', recipient, message)
    return sent
  }

  private outsideWindow(message: OutboundMessage): 'template' | 'mass' | undefined {
    if (message.officialTemplate) return 'template'
    if (message.officialMassSend && message.campaignId) return 'mass'
    return undefined
  }

  private async attempt(
    way: 'custom' | 'template',
    recipient: string,
    message: OutboundMessage,
  ): Promise<SendResult> {
    try {
      if (way === 'template') {
        const messageId = await this.api.sendTemplate(
          recipient,
          message.officialTemplate!,
          message.miniappButton ? this.deps.memberPageUrl : undefined,
        )
        return { ok: true, via: 'template', messageId, part: OFFICIAL_TEMPLATES }
      }
      await this.api.sendText(recipient, this.textOf(message))
      return { ok: true, via: 'custom' }
    } catch (error) {
      if (
        way === 'template' &&
        error instanceof WechatApiError &&
        TEMPLATE_REFUSED.has(error.errcode)
      )
        return {
          ok: false,
          failed: true,
          error: `template ${message.officialTemplate!.templateId}: ${error.message}`,
          part: OFFICIAL_TEMPLATES,
        }
      return refusal(error)
    }
  }

  /**
   * The text with its buttons as lines of links. A picture is left out: the Official Account
   * sends one only as media uploaded to WeChat first (media/upload, then an image message),
   * which this sender does not do yet.
   */
  private textOf(message: OutboundMessage): string {
    const links = (message.buttons ?? []).map((b) => `${b.label}：${b.url}`)
    if (message.miniappButton && this.deps.memberPageUrl)
      links.push(`${message.miniappButton}：${this.deps.memberPageUrl}`)
    return [message.text, ...links].join('\n')
  }

  /**
   * Joins the campaign's mass send that is gathering followers, or starts one. WeChat takes a
   * list of openids per call and counts each send against every follower's four a month, so
   * followers are sent to together rather than one call each. The outbox worker is told the
   * message is parked, so that waiting followers hold none of its slots and a batch can grow to
   * whatever the outbox hands over within the gathering time.
   */
  private gather(recipient: string, message: OutboundMessage): Promise<SendResult> {
    const key = message.campaignId!
    const gatherMs = this.deps.massGatherMs ?? MASS_GATHER_MS
    const batch = this.batches.get(key) ?? {
      text: this.textOf(message),
      openids: [],
      settle: [],
      leavesBy: Date.now() + gatherMs * MASS_GATHER_ROUNDS,
    }
    this.batches.set(key, batch)
    const result = new Promise<SendResult>((resolve) => batch.settle.push(resolve))
    batch.openids.push(recipient)
    // Each follower who joins gives the next as long again, up to a bound: the worker hands
    // them over one by one, at the pace of the database.
    clearTimeout(batch.timer)
    const wait = Math.max(0, Math.min(gatherMs, batch.leavesBy - Date.now()))
    if (batch.openids.length >= MASS_MAX) void this.flush(key, batch)
    else batch.timer = setTimeout(() => void this.flush(key, batch), wait)
    return result
  }

  private async flush(key: string, batch: MassBatch): Promise<void> {
    if (this.batches.get(key) !== batch) return
    clearTimeout(batch.timer)
    this.batches.delete(key)
    let result: SendResult
    if (batch.openids.length < MASS_MIN) {
      result = { ok: false, skipped: true, reason: 'a mass send needs two followers or more' }
    } else {
      // The same followers and campaign name the same send: a retried batch is sent once.
      const clientMsgId = createHash('sha256')
        .update(`${key}\n${[...batch.openids].sort().join('\n')}`)
        .digest('hex')
        .slice(0, 64)
      try {
        const messageId = await this.api.massSendText(batch.openids, batch.text, clientMsgId)
        result = { ok: true, via: 'mass', messageId }
      } catch (error) {
        result = refusal(error)
      }
    }
    for (const settle of batch.settle) settle(result)
  }
}

/** What WeChat's refusal means for the message. */
function refusal(error: unknown): SendResult {
  if (!(error instanceof WechatApiError))
    return { ok: false, retryAfterMs: RETRY_MS, error: String(error) }
  if (error.errcode === NOT_FOLLOWING) return { ok: false, unreachable: true, error: error.message }
  if (error.errcode === OUT_OF_TIME) return { ok: false, skipped: true, reason: error.message }
  // A spent quota is the account's, not this message's: the channel is degraded until it comes
  // back, and the message waits for it.
  if (error.errcode === QUOTA_SPENT)
    return { ok: false, retryAfterMs: QUOTA_RETRY_MS, error: error.message, channel: 'degraded' }
  return { ok: false, retryAfterMs: RETRY_MS, error: error.message }
}
