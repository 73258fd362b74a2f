import { XMLBuilder, XMLParser } from 'fast-xml-parser'
import { randomBytes } from 'node:crypto'
import { type Context, Hono } from 'hono'
import { setCookie } from 'hono/cookie'
import type { Logger } from 'pino'
import type { Clock } from '../../shared/clock.ts'
import { randomCode } from '../../shared/ids.ts'
import {
  WechatCryptoError,
  WechatMessageCrypto,
  sameSignature,
  wechatSignature,
} from '../../shared/wechat-crypto.ts'
import { errorJson } from '../errors.ts'

export const WECHAT_OFFICIAL_PATH = '/wechat/official'
/**
 * Where the account's menu and template messages open the member page: it starts WeChat's web
 * login with a fresh `state` bound to this browser, so that a code WeChat hands back is taken
 * only in the browser that asked for it (no one can sign a member into a page another opened).
 */
export const WECHAT_OFFICIAL_LOGIN_PATH = '/wechat/official/login'
/** The cookie that binds the web login's `state` to the browser; read at /api/miniapp/session. */
export const OAUTH_STATE_COOKIE = 'jifen_oa_state'
/** A web login must come back within this long: WeChat's code itself lives 5 minutes. */
const OAUTH_STATE_SECONDS = 600

/** A message or event as WeChat posts it: the fields of its `<xml>`, as text. */
export type OfficialAccountMessage = Record<string, string>

export interface WechatOfficialEndpoint {
  /** The server token (令牌) of the admin pages. */
  token: string
  appId: string
  /** The EncodingAESKey: when set, safe mode, where every message is encrypted and so is the reply. */
  aesKey?: string
  /**
   * Answers one verified message with the text of a passive reply, or undefined for none.
   * The route does not know the adapter (api never imports bots/).
   */
  handle(message: OfficialAccountMessage): Promise<string | undefined>
  /**
   * WeChat's authorize address for the member page with this `state` (see oauth.ts); without
   * it, no web login starts here.
   */
  authorizeUrl?: (state: string) => string
  /** The state cookie only over HTTPS (PUBLIC_URL is https). */
  secureCookie?: boolean
}

// MsgId is a 64-bit number: read as a number it would lose its last digits, and with them the
// de-duplication of WeChat's retries.
const parser = new XMLParser({ parseTagValue: false, ignoreAttributes: true })
const builder = new XMLBuilder({ cdataPropName: '__cdata' })

/**
 * How far a POST's signed timestamp may be from our clock. In plain mode the signature covers
 * only the query (timestamp and nonce), not the body: a captured address could carry another
 * body later. WeChat's own retries of a message come within about 15 seconds, so five minutes
 * (either way, for clocks that drift) refuses a replay without refusing WeChat.
 */
export const MAX_POST_AGE_SECONDS = 300

/** What WeChat takes for "no passive reply": it then waits for nothing and does not retry. */
const NO_REPLY = 'success'

function fieldsOf(xml: string): OfficialAccountMessage | undefined {
  let parsed: unknown
  try {
    parsed = parser.parse(xml, true)
  } catch {
    return undefined
  }
  const root = (parsed as { xml?: unknown } | null)?.xml
  if (typeof root !== 'object' || root === null) return undefined
  const fields: OfficialAccountMessage = {}
  for (const [name, value] of Object.entries(root))
    if (typeof value === 'string') fields[name] = value
  return fields
}

/** A CDATA section ends at the first `]]>`: a member's text must not close it early. */
function cdata(text: string) {
  return { __cdata: text.replaceAll(']]>', ']] >') }
}

function textReply(message: OfficialAccountMessage, text: string, now: number): string {
  return builder.build({
    xml: {
      ToUserName: cdata(message.FromUserName ?? ''),
      FromUserName: cdata(message.ToUserName ?? ''),
      CreateTime: now,
      MsgType: cdata('text'),
      Content: cdata(text),
    },
  })
}

/**
 * WeChat's server endpoint of an Official Account: the address check (GET) and the messages
 * and events (POST). Every request is verified before its body is read; in safe mode the
 * message is decrypted and checked for the account's AppID, and the reply encrypted. A request
 * failing a check is refused and logged, and nothing of it reaches the handler.
 */
export function wechatOfficialRoute(
  endpoint: WechatOfficialEndpoint,
  logger: Logger,
  clock: Clock,
): Hono {
  const crypto = endpoint.aesKey
    ? new WechatMessageCrypto(endpoint.aesKey, endpoint.appId)
    : undefined

  function refuse(c: Context, reason: string) {
    logger.warn({ path: c.req.path, method: c.req.method, reason }, 'wechat official: refused')
    return errorJson(c, 401, 'unauthorized', reason)
  }

  function signed(c: Context): boolean {
    const { signature, timestamp, nonce } = c.req.query()
    if (!timestamp || !nonce) return false
    return sameSignature(signature, wechatSignature(endpoint.token, timestamp, nonce))
  }

  const { authorizeUrl } = endpoint
  return new Hono()
    .get(WECHAT_OFFICIAL_LOGIN_PATH, (c) => {
      if (!authorizeUrl)
        return errorJson(c, 404, 'not_found', 'the web login is not set up on this server')
      const state = randomBytes(18).toString('base64url')
      setCookie(c, OAUTH_STATE_COOKIE, state, {
        httpOnly: true,
        sameSite: 'Lax',
        secure: endpoint.secureCookie ?? false,
        path: '/api/miniapp/session',
        maxAge: OAUTH_STATE_SECONDS,
      })
      return c.redirect(authorizeUrl(state), 302)
    })
    .get(WECHAT_OFFICIAL_PATH, (c) => {
      if (!signed(c)) return refuse(c, 'wrong or missing signature')
      return c.text(c.req.query('echostr') ?? '')
    })
    .post(WECHAT_OFFICIAL_PATH, async (c) => {
      if (!signed(c)) return refuse(c, 'wrong or missing signature')
      const age = clock.now().getTime() / 1000 - Number(c.req.query('timestamp'))
      if (!(Math.abs(age) <= MAX_POST_AGE_SECONDS))
        return refuse(c, `the timestamp is more than ${MAX_POST_AGE_SECONDS} s from now`)
      let message = fieldsOf(await c.req.text())
      if (!message) return errorJson(c, 400, 'invalid_input', 'the body is not WeChat XML')
      const { timestamp = '', nonce = '' } = c.req.query()
      if (crypto) {
        const encrypted = message.Encrypt
        if (!encrypted) return refuse(c, 'safe mode: the message is not encrypted')
        const expected = wechatSignature(endpoint.token, timestamp, nonce, encrypted)
        if (!sameSignature(c.req.query('msg_signature'), expected))
          return refuse(c, 'wrong or missing msg_signature')
        try {
          message = fieldsOf(crypto.decrypt(encrypted))
        } catch (error) {
          if (!(error instanceof WechatCryptoError)) throw error
          return refuse(c, error.message)
        }
        if (!message) return errorJson(c, 400, 'invalid_input', 'the message is not WeChat XML')
      }
      const text = await endpoint.handle(message)
      if (text === undefined) return c.text(NO_REPLY)
      const now = Math.floor(clock.now().getTime() / 1000)
      const reply = textReply(message, text, now)
      if (!crypto) return c.body(reply, 200, { 'content-type': 'application/xml; charset=utf-8' })
      const replyNonce = randomCode(10)
      const encrypted = crypto.encrypt(reply)
      return c.body(
        builder.build({
          xml: {
            Encrypt: cdata(encrypted),
            MsgSignature: cdata(
              wechatSignature(endpoint.token, String(now), replyNonce, encrypted),
            ),
            TimeStamp: now,
            Nonce: cdata(replyNonce),
          },
        }),
        200,
        { 'content-type': 'application/xml; charset=utf-8' },
      )
    })
}
