import { XMLBuilder, XMLParser } from 'fast-xml-parser'
import { WechatMessageCrypto, wechatSignature } from '../../src/shared/wechat-crypto.ts'

/** The test account: an AppID of the admin pages' shape, its server token and EncodingAESKey. */
export const OFFICIAL_ACCOUNT = {
  appId: 'wx0123456789abcdef',
  appSecret: 'test-app-secret',
  token: 'jifen2026',
  aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  /** The account's own id, WeChat's ToUserName of every message. */
  originalId: 'gh_0123456789ab',
} as const

const parser = new XMLParser({ parseTagValue: false })
const builder = new XMLBuilder({ cdataPropName: '__cdata' })

/** An `<xml>` as WeChat writes it: text fields in CDATA, numbers bare. */
export function wechatXml(fields: Record<string, string | number>): string {
  const xml: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(fields))
    xml[name] = typeof value === 'number' ? value : { __cdata: value }
  return builder.build({ xml })
}

export function parseXml(xml: string): Record<string, string> {
  return (parser.parse(xml) as { xml: Record<string, string> }).xml
}

interface PostOptions {
  /** Safe mode: the body encrypted, with msg_signature, as WeChat posts it then. */
  safe?: boolean
  timestamp?: string
  nonce?: string
  token?: string
  appId?: string
}

/** The path with WeChat's query and the body of a POST of `fields`, signed as WeChat signs it. */
export function officialPost(
  fields: Record<string, string | number>,
  options: PostOptions = {},
): { path: string; body: string } {
  const token = options.token ?? OFFICIAL_ACCOUNT.token
  const timestamp = options.timestamp ?? '1736481600'
  const nonce = options.nonce ?? '1320562132'
  const query = new URLSearchParams({
    signature: wechatSignature(token, timestamp, nonce),
    timestamp,
    nonce,
    openid: String(fields.FromUserName ?? ''),
  })
  if (!options.safe) return { path: `/wechat/official?${query}`, body: wechatXml(fields) }
  const crypto = new WechatMessageCrypto(
    OFFICIAL_ACCOUNT.aesKey,
    options.appId ?? OFFICIAL_ACCOUNT.appId,
  )
  const encrypted = crypto.encrypt(wechatXml(fields))
  query.set('encrypt_type', 'aes')
  query.set('msg_signature', wechatSignature(token, timestamp, nonce, encrypted))
  return {
    path: `/wechat/official?${query}`,
    body: wechatXml({ ToUserName: String(fields.ToUserName ?? ''), Encrypt: encrypted }),
  }
}

/** A text message from `openid` to the test account. */
export function textMessage(
  openid: string,
  content: string,
  msgId: string,
  createTime = 1736481600,
) {
  return {
    ToUserName: OFFICIAL_ACCOUNT.originalId,
    FromUserName: openid,
    CreateTime: createTime,
    MsgType: 'text',
    Content: content,
    MsgId: msgId,
  }
}

/** An event (subscribe, unsubscribe, SCAN, CLICK) from `openid`. */
export function eventMessage(
  openid: string,
  event: string,
  createTime: number,
  eventKey?: string,
): Record<string, string | number> {
  return {
    ToUserName: OFFICIAL_ACCOUNT.originalId,
    FromUserName: openid,
    CreateTime: createTime,
    MsgType: 'event',
    Event: event,
    ...(eventKey === undefined ? {} : { EventKey: eventKey }),
  }
}
