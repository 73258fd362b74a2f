import type { SharedTokens } from '../../domain/ports.ts'

/** An answer of WeChat's API: errcode 0 (or none) is success. */
export interface WechatApiAnswer {
  errcode?: number
  errmsg?: string
  [field: string]: unknown
}

/** An id WeChat answers as a number (msgid, msg_id): read as text, as JSON numbers may be long. */
function idOf(value: unknown): string | undefined {
  return typeof value === 'number' || typeof value === 'string' ? String(value) : undefined
}

export class WechatApiError extends Error {
  constructor(
    readonly errcode: number,
    errmsg: string,
    /** The msg_id WeChat names in a refusal (45065: that mass send exists already). */
    readonly msgId?: string,
  ) {
    super(`wechat ${errcode}: ${errmsg}`)
  }
}

/** 45065: a mass send with this clientmsgid exists; the answer names its msg_id. */
const MASS_ALREADY_SENT = 45065

/** The access token is invalid (40001) or expired (42001): fetch a new one and try again once. */
const TOKEN_EXPIRED = new Set([40001, 42001])
/** A token is renewed this long before WeChat says it expires, so no request carries a dead one. */
const RENEW_EARLY_MS = 5 * 60_000

/**
 * The most characters WeChat takes in a template field's value, by the field's type (its name
 * without the number: thing01 → thing). A category template (thing01, character_string2 ...)
 * refuses a longer value with 47003; a history template (keyword1 ...) folds what passes 20.
 * Values of a format (time, date, amount) are never cut: cut, they would be wrong, not short.
 */
const TEMPLATE_VALUE_LIMITS: Record<string, number> = {
  thing: 20,
  keyword: 20,
  character_string: 32,
  number: 32,
  letter: 32,
  symbol: 5,
  phrase: 5,
  name: 10,
  phone_number: 17,
  car_number: 8,
}
const FORMAT_TYPES = new Set(['time', 'date', 'amount', 'const', 'enum'])
/** Free-text types, where a cut is shown with an ellipsis inside the limit. */
const TEXT_TYPES = new Set(['thing', 'keyword'])

/**
 * A template field's value within WeChat's limit for its type, counted in characters (code
 * points, as WeChat counts them: an emoji is one, not two UTF-16 units, and is never split).
 * A type the table does not name is held to the history templates' 20.
 */
export function templateValue(field: string, value: string): string {
  const type = /^([a-z_]+?)\d*$/.exec(field)?.[1] ?? field
  if (FORMAT_TYPES.has(type)) return value
  const limit = TEMPLATE_VALUE_LIMITS[type] ?? 20
  const chars = Array.from(value)
  if (chars.length <= limit) return value
  return TEXT_TYPES.has(type)
    ? `${chars.slice(0, limit - 1).join('')}…`
    : chars.slice(0, limit).join('')
}

export interface OfficialAccountApiOptions {
  appId: string
  appSecret: string
  /** https://api.weixin.qq.com, or a test double. */
  apiRoot: string
  /** Where the account's token is kept for every process (the database). */
  tokens: SharedTokens
}

/**
 * The Official Account's server API: one access token for the account, shared by every process,
 * renewed before it expires; a request refused for its token fetches a new one once.
 */
export class OfficialAccountApi {
  constructor(private readonly options: OfficialAccountApiOptions) {}

  private async fetchToken(): Promise<{ token: string; expiresInSeconds: number }> {
    const url = new URL('/cgi-bin/token', this.options.apiRoot)
    url.search = new URLSearchParams({
      grant_type: 'client_credential',
      appid: this.options.appId,
      secret: this.options.appSecret,
    }).toString()
    const answer = (await (await fetch(url)).json()) as WechatApiAnswer
    if (typeof answer.access_token !== 'string' || typeof answer.expires_in !== 'number')
      throw new WechatApiError(answer.errcode ?? -1, answer.errmsg ?? 'no access_token')
    return { token: answer.access_token, expiresInSeconds: answer.expires_in }
  }

  /** A valid access token; `stale`, one WeChat refused, is replaced (once, by one process). */
  accessToken(stale?: string): Promise<string> {
    return this.options.tokens.get(
      `wechat_official:${this.options.appId}`,
      () => this.fetchToken(),
      {
        renewEarlyMs: RENEW_EARLY_MS,
        stale,
      },
    )
  }

  /** POSTs `body` as JSON; throws WechatApiError for a non-zero errcode. */
  async post(path: string, body: unknown): Promise<WechatApiAnswer> {
    let token = await this.accessToken()
    for (let attempt = 0; ; attempt++) {
      const url = new URL(path, this.options.apiRoot)
      url.searchParams.set('access_token', token)
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      const answer = (await response.json()) as WechatApiAnswer
      const errcode = answer.errcode ?? 0
      if (errcode === 0) return answer
      if (attempt === 0 && TOKEN_EXPIRED.has(errcode)) {
        token = await this.accessToken(token)
        continue
      }
      throw new WechatApiError(errcode, answer.errmsg ?? '', idOf(answer.msg_id))
    }
  }

  /** A customer-service text message (客服消息), allowed within 48 hours of the member's last message. */
  async sendText(openid: string, content: string): Promise<void> {
    await this.post('/cgi-bin/message/custom/send', {
      touser: openid,
      msgtype: 'text',
      text: { content },
    })
  }

  /**
   * A template message (模板消息), allowed at any time to a follower; `url` is where tapping it
   * leads. Each value is cut to its field type's limit (`templateValue`). Answers WeChat's msgid.
   */
  async sendTemplate(
    openid: string,
    template: { templateId: string; data: Record<string, string> },
    url?: string,
  ): Promise<string> {
    const answer = await this.post('/cgi-bin/message/template/send', {
      touser: openid,
      template_id: template.templateId,
      ...(url && { url }),
      data: Object.fromEntries(
        Object.entries(template.data).map(([field, value]) => [
          field,
          { value: templateValue(field, value) },
        ]),
      ),
    })
    return idOf(answer.msgid) ?? ''
  }

  /**
   * A text mass send (群发) to 2 to 10,000 followers by openid. `clientMsgId` names the send:
   * WeChat answers a second one with the same id by 45065 and the first's msg_id, so a retried
   * batch is sent once. Answers the msg_id.
   */
  async massSendText(openids: string[], content: string, clientMsgId: string): Promise<string> {
    try {
      const answer = await this.post('/cgi-bin/message/mass/send', {
        touser: openids,
        msgtype: 'text',
        text: { content },
        clientmsgid: clientMsgId,
      })
      return idOf(answer.msg_id) ?? ''
    } catch (error) {
      if (error instanceof WechatApiError && error.errcode === MASS_ALREADY_SENT && error.msgId)
        return error.msgId
      throw error
    }
  }

  /**
   * A permanent channel QR code (QR_LIMIT_STR_SCENE) for `scene` (1 to 64 characters): WeChat
   * sends the scene back when someone follows (`qrscene_<scene>`) or scans (`<scene>`) through it.
   */
  async createQrCode(scene: string): Promise<{ ticket: string; url: string }> {
    const answer = await this.post('/cgi-bin/qrcode/create', {
      action_name: 'QR_LIMIT_STR_SCENE',
      action_info: { scene: { scene_str: scene } },
    })
    if (typeof answer.ticket !== 'string' || typeof answer.url !== 'string')
      throw new WechatApiError(-1, 'no ticket in the answer')
    return { ticket: answer.ticket, url: answer.url }
  }

  /** Replaces the account's menu (自定义菜单). */
  async createMenu(menu: unknown): Promise<void> {
    await this.post('/cgi-bin/menu/create', menu)
  }
}
