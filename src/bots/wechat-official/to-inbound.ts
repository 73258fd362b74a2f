import { COMMANDS, slashOf } from '../core/commands.ts'
import type { Inbound } from '../core/messages.ts'

/** A message or event as WeChat posts it, verified and decrypted: the fields of its `<xml>`. */
export type OfficialMessage = Record<string, string>

/** What a post from WeChat means for the bot. */
export type OfficialEvent =
  | { kind: 'message'; openid: string; inbound: Inbound }
  | { kind: 'follow'; openid: string; scene?: string }
  | { kind: 'scan'; openid: string; scene: string }
  | { kind: 'unfollow'; openid: string }
  | { kind: 'massSendFinished'; msgId: string; result: MassSendReport }
  | { kind: 'ignored' }

/** WeChat's report of a finished mass send (MASSSENDJOBFINISH). */
export interface MassSendReport {
  /** `send success`, `send fail`, `err(10001)` ... */
  status: string
  total: number
  filtered: number
  sent: number
  errors: number
}

/** A count of WeChat's report: a whole number, or 0 when missing or malformed. */
function countOf(value: string | undefined): number {
  const n = Number(value)
  return Number.isSafeInteger(n) && n >= 0 ? n : 0
}

/** Kinds a follower may send that the bot cannot read: answered with a hint, not ignored. */
const UNREADABLE = new Set(['image', 'voice', 'video', 'shortvideo', 'location', 'link', 'file'])

const SCENE_PREFIX = 'qrscene_'

// WeChat gives an Official Account no nickname without the member's consent (snsapi_userinfo).
const DISPLAY_NAME = '微信用户'

/**
 * A post from WeChat as the core sees it. A menu click's key is the id of a command in the
 * command table (`checkin`, `points`), run as if its word had been typed; a follow or scan
 * through a channel QR code carries its scene. WeChat retries a
 * post it got no answer to within 5 seconds: a message is the same delivery by its MsgId,
 * an event by its sender and CreateTime. A mass send's end (MASSSENDJOBFINISH) carries the
 * send's MsgID and WeChat's counts.
 */
export function toEvent(message: OfficialMessage): OfficialEvent {
  const openid = message.FromUserName
  if (!openid) return { kind: 'ignored' }
  const inbound = (text: string, updateKey: string | undefined): OfficialEvent => ({
    kind: 'message',
    openid,
    inbound: {
      channel: 'wechat_official',
      userId: openid,
      displayName: DISPLAY_NAME,
      updateKey,
      commands: 'words',
      text,
    },
  })
  const type = message.MsgType
  if (type === 'text') return inbound(message.Content ?? '', message.MsgId)
  if (type && UNREADABLE.has(type)) return inbound('', message.MsgId)
  if (type !== 'event') return { kind: 'ignored' }
  switch (message.Event) {
    case 'subscribe': {
      // Through a channel QR code WeChat names its scene, prefixed: qrscene_<scene>.
      const scene = message.EventKey?.startsWith(SCENE_PREFIX)
        ? message.EventKey.slice(SCENE_PREFIX.length)
        : undefined
      return scene ? { kind: 'follow', openid, scene } : { kind: 'follow', openid }
    }
    case 'SCAN':
      // A follower scanning a channel QR code: the scene as it is.
      return message.EventKey
        ? { kind: 'scan', openid, scene: message.EventKey }
        : { kind: 'ignored' }
    case 'unsubscribe':
      return { kind: 'unfollow', openid }
    case 'MASSSENDJOBFINISH':
      // The account's own report (MsgID with a capital D, unlike a message's MsgId).
      return message.MsgID
        ? {
            kind: 'massSendFinished',
            msgId: message.MsgID,
            result: {
              status: message.Status ?? '',
              total: countOf(message.TotalCount),
              filtered: countOf(message.FilterCount),
              sent: countOf(message.SentCount),
              errors: countOf(message.ErrorCount),
            },
          }
        : { kind: 'ignored' }
    case 'CLICK': {
      const command = COMMANDS.find((c) => c.id === message.EventKey)
      if (!command) return { kind: 'ignored' }
      return inbound(slashOf(command), `event:${openid}:${message.CreateTime ?? ''}`)
    }
    default:
      return { kind: 'ignored' }
  }
}
