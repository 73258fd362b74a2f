import type { Logger } from 'pino'
import { ChatQueue } from '../core/chat-queue.ts'
import type { Conversation } from '../core/conversation.ts'
import { t } from '../core/i18n.ts'
import type { Reply } from '../core/messages.ts'
import { toText } from './send-reply.ts'
import { type MassSendReport, type OfficialMessage, toEvent } from './to-inbound.ts'

/** WeChat waits 5 seconds for a passive reply; the rest is for the network. */
const PASSIVE_REPLY_MS = 4_000
/** WeChat cuts a passive text reply longer than this (UTF-8 bytes). */
const PASSIVE_REPLY_BYTES = 2_048

export interface OfficialAccountBotDeps {
  conversation: Conversation
  logger: Logger
  /** Sends a text by customer-service message: the replies that were not ready in time. */
  sendText(openid: string, text: string): Promise<void>
  /** Records that the member wrote now, which opens WeChat's 48 hours for writing back. */
  touched(openid: string): Promise<void>
  /** Records a follow or scan through the channel QR code of `scene`. */
  cameThrough(openid: string, scene: string, event: 'subscribe' | 'scan'): Promise<void>
  /** Records WeChat's report that the mass send `msgId` finished, against its campaign. */
  massSendFinished?(msgId: string, result: MassSendReport): Promise<void>
  /** Resolves when a passive reply would come too late; tests pass one already resolved. */
  deadline?: () => Promise<void>
}

export interface OfficialAccountBot {
  /** Answers one verified post from WeChat with a passive reply's text, or undefined for none. */
  handle(message: OfficialMessage): Promise<string | undefined>
  /** Resolves when every reply that came too late for a passive reply has been sent. */
  idle(): Promise<void>
}

const LATE = Symbol('late')

/**
 * The Official Account adapter: posts from WeChat become the core's inbound messages, each
 * member's in order on their own queue. A reply ready before the deadline is the passive
 * reply; a slower (or longer) one is answered `success` and sent as customer-service messages.
 */
export function createOfficialAccountBot(deps: OfficialAccountBotDeps): OfficialAccountBot {
  const { conversation, logger } = deps
  const deadline =
    deps.deadline ?? (() => new Promise<void>((resolve) => setTimeout(resolve, PASSIVE_REPLY_MS)))
  const queue = new ChatQueue((err) => logger.error({ err }, 'wechat official message failed'))
  const late = new Set<Promise<void>>()

  async function sendLate(openid: string, replies: Reply[]): Promise<void> {
    for (const reply of replies) await deps.sendText(openid, toText(reply))
  }

  return {
    async handle(message) {
      const event = toEvent(message)
      if (event.kind === 'ignored') return undefined
      if (event.kind === 'unfollow') {
        await conversation.reachable('wechat_official', event.openid, false)
        return undefined
      }
      if (event.kind === 'massSendFinished') {
        await deps.massSendFinished?.(event.msgId, event.result)
        return undefined
      }
      if (event.kind === 'follow') {
        await conversation.reachable('wechat_official', event.openid, true)
        await deps.touched(event.openid)
        if (event.scene) await deps.cameThrough(event.openid, event.scene, 'subscribe')
        return t('zh-CN', 'greeting.friend')
      }
      if (event.kind === 'scan') {
        await deps.touched(event.openid)
        await deps.cameThrough(event.openid, event.scene, 'scan')
        return undefined
      }
      const { openid, inbound } = event
      // After the turn, so that a member who has just joined is recorded too.
      const answered = new Promise<Reply[]>((resolve) =>
        queue.push(openid, async () => {
          const replies = await conversation.handle(inbound)
          await deps
            .touched(openid)
            .catch((err: unknown) =>
              logger.error({ err }, 'wechat official: last message not recorded'),
            )
          resolve(replies)
        }),
      )
      const first = await Promise.race([answered, deadline().then((): typeof LATE => LATE)])
      if (first !== LATE) {
        if (first.length === 0) return undefined
        const text = first.map(toText).join('\n\n')
        if (Buffer.byteLength(text) <= PASSIVE_REPLY_BYTES) return text
      }
      // Too late or too long for one passive reply: each reply goes as a message of its own.
      const sending = answered
        .then((replies) => sendLate(openid, replies))
        .catch((err: unknown) => logger.error({ err }, 'wechat official: late reply not sent'))
      late.add(sending)
      void sending.finally(() => late.delete(sending))
      return undefined
    },
    async idle() {
      await queue.idle()
      while (late.size > 0) await Promise.all([...late])
    },
  }
}
