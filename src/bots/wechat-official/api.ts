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
   * leads. Answers WeChat's msgid.
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
        Object.entries(template.data).map(([field, value]) => [field, { value }]),
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
