import { type IncomingMessage, type Server, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface WechatApiCall {
  /** The path: /cgi-bin/token, /cgi-bin/message/custom/send, ... */
  path: string
  query: Record<string, string>
  body: unknown
  /** Whether WeChat accepted it. */
  ok?: boolean
  /** What WeChat answered. */
  answer?: Record<string, unknown>
}

/**
 * The category templates' rules for a field's value by its type, as WeChat documents them
 * (thing: 20 characters; character_string: 32 digits, letters or symbols, no Chinese; phrase: 5
 * Chinese characters ...); a value outside them is refused with 47003. History fields (keyword1)
 * are folded by WeChat, not refused.
 */
const FIELD_RULES: Record<string, (value: string) => boolean> = {
  thing: (v) => Array.from(v).length <= 20,
  character_string: (v) => v.length <= 32 && /^[\x21-\x7e]*$/.test(v),
  number: (v) => v.length <= 32 && /^[\d.]*$/.test(v),
  phrase: (v) => Array.from(v).length <= 5,
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  return text ? (JSON.parse(text) as unknown) : undefined
}

/**
 * WeChat's server API on 127.0.0.1, with the request and answer shapes of the official
 * documents: `cgi-bin/token` gives numbered tokens (`token-1`, `token-2`...) valid 7,200 s,
 * a call (custom, template and mass sends, menu, QR code) with any other than the newest is
 * refused with 40001, and a test queues the error codes the next sends answer (42001 expired,
 * 45015 out of the 48 hours, 43004 not following, 45009 quota). A template message is refused
 * with 40037 for a template id the account lacks and 47003 for a field value outside its type's
 * rules (`FIELD_RULES`). The web login's
 * `sns/oauth2/access_token` takes the app's id and secret and a code, which works once.
 */
export class FakeWechatOfficial {
  readonly calls: WechatApiCall[] = []
  /** Errcodes the next customer-service sends answer, one each, before they succeed again. */
  readonly failNextSends: number[] = []
  /** The same for other paths: errcodes their next calls answer. */
  readonly failNext: Record<string, number[]> = {}
  /** Followers who unfollowed: a message to them is refused with 43004, as WeChat does. */
  readonly unfollowed = new Set<string>()
  /** Template ids of the account (模板ID); another is refused with 40037. */
  readonly templateIds = new Set<string>()
  private tokens = 0
  private messageIds = 1_000
  private readonly massByClientId = new Map<string, number>()
  /** OAuth codes not yet exchanged, with the follower each stands for. */
  private readonly oauthCodes = new Map<string, string>()
  private server: Server | undefined

  constructor(
    private readonly appId: string,
    private readonly appSecret: string,
  ) {}

  get url(): string {
    const { port } = this.server!.address() as AddressInfo
    return `http://127.0.0.1:${port}`
  }

  /** The customer-service messages sent, as recipient and text. */
  get customMessages(): { touser: string; content: string }[] {
    return this.calls
      .filter((call) => call.path === '/cgi-bin/message/custom/send' && call.ok)
      .map((call) => {
        const body = call.body as { touser: string; text: { content: string } }
        return { touser: body.touser, content: body.text.content }
      })
  }

  /** The template messages sent, as recipient, template id, url and each field's value. */
  get templateMessages(): {
    touser: string
    templateId: string
    url?: string
    data: Record<string, string>
  }[] {
    return this.calls
      .filter((call) => call.path === '/cgi-bin/message/template/send' && call.ok)
      .map((call) => {
        const body = call.body as {
          touser: string
          template_id: string
          url?: string
          data: Record<string, { value: string }>
        }
        return {
          touser: body.touser,
          templateId: body.template_id,
          ...(body.url ? { url: body.url } : {}),
          data: Object.fromEntries(Object.entries(body.data).map(([k, v]) => [k, v.value])),
        }
      })
  }

  /** The mass sends made, as recipients, text and WeChat's msg_id. */
  get massSends(): { touser: string[]; content: string; msgId: string }[] {
    return this.calls
      .filter((call) => call.path === '/cgi-bin/message/mass/send' && call.ok)
      .map((call) => {
        const body = call.body as { touser: string[]; text: { content: string } }
        return {
          touser: body.touser,
          content: body.text.content,
          msgId: String(call.answer!.msg_id),
        }
      })
  }

  /**
   * What WeChat's authorize page does when `openid` opens the OAuth link: a code for the
   * redirect, valid for one exchange.
   */
  oauthCodeFor(openid: string): string {
    const code = `code-${this.oauthCodes.size + 1}-${openid}`
    this.oauthCodes.set(code, openid)
    return code
  }

  get tokenRequests(): number {
    return this.calls.filter((call) => call.path === '/cgi-bin/token').length
  }

  /** Makes the token in use expire, as after 7,200 s or another process's fetch of a new one. */
  expireToken(): void {
    this.tokens += 1
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1')
        const query = Object.fromEntries(url.searchParams)
        const body = req.method === 'POST' ? await readJson(req) : undefined
        const call: WechatApiCall = { path: url.pathname, query, body }
        this.calls.push(call)
        const answer = (payload: { errcode?: number; [field: string]: unknown }) => {
          call.ok = !payload.errcode
          call.answer = payload
          res.writeHead(200, { 'content-type': 'application/json; encoding=utf-8' })
          res.end(JSON.stringify(payload))
        }
        if (url.pathname === '/cgi-bin/token') {
          if (query.appid !== this.appId || query.secret !== this.appSecret)
            return answer({ errcode: 40125, errmsg: 'invalid appsecret' })
          this.tokens += 1
          return answer({ access_token: `token-${this.tokens}`, expires_in: 7200 })
        }
        if (url.pathname === '/sns/oauth2/access_token') {
          if (query.appid !== this.appId || query.secret !== this.appSecret)
            return answer({ errcode: 40125, errmsg: 'invalid appsecret' })
          const openid = this.oauthCodes.get(query.code ?? '')
          if (query.grant_type !== 'authorization_code' || !openid)
            return answer({ errcode: 40029, errmsg: 'invalid code' })
          // A code is good for one exchange; a second one is refused like a wrong code.
          this.oauthCodes.delete(query.code!)
          return answer({
            access_token: `web-token-${openid}`,
            expires_in: 7200,
            refresh_token: `refresh-${openid}`,
            openid,
            scope: 'snsapi_base',
          })
        }
        if (query.access_token !== `token-${this.tokens}`)
          return answer({
            errcode: 40001,
            errmsg: 'invalid credential, access_token is invalid or not latest',
          })
        const errcode =
          url.pathname === '/cgi-bin/message/custom/send'
            ? this.failNextSends.shift()
            : this.failNext[url.pathname]?.shift()
        if (errcode === 42001) {
          this.tokens += 1
          return answer({ errcode, errmsg: 'access_token expired' })
        }
        if (errcode !== undefined) return answer({ errcode, errmsg: `error ${errcode}` })
        const { touser } = (body ?? {}) as { touser?: unknown }
        if (typeof touser === 'string' && this.unfollowed.has(touser))
          return answer({ errcode: 43004, errmsg: 'require subscribe' })
        if (url.pathname === '/cgi-bin/message/custom/send')
          return answer({ errcode: 0, errmsg: 'ok' })
        if (url.pathname === '/cgi-bin/message/template/send') {
          const { template_id, data } = body as {
            template_id?: string
            data?: Record<string, { value?: string }>
          }
          if (this.templateIds.size > 0 && !this.templateIds.has(template_id ?? ''))
            return answer({ errcode: 40037, errmsg: 'invalid template_id' })
          for (const [field, { value }] of Object.entries(data ?? {})) {
            const rule = FIELD_RULES[/^([a-z_]+?)\d*$/.exec(field)?.[1] ?? '']
            if (rule && !rule(value ?? ''))
              return answer({
                errcode: 47003,
                errmsg: `argument invalid! data.${field}.value invalid`,
              })
          }
          return answer({ errcode: 0, errmsg: 'ok', msgid: ++this.messageIds })
        }
        if (url.pathname === '/cgi-bin/message/mass/send') {
          const { touser, clientmsgid } = body as { touser?: string[]; clientmsgid?: string }
          if (!Array.isArray(touser) || touser.length < 2 || touser.length > 10_000)
            return answer({
              errcode: 40130,
              errmsg: 'invalid openid list size, at least two openid',
            })
          const earlier = clientmsgid ? this.massByClientId.get(clientmsgid) : undefined
          if (earlier !== undefined)
            return answer({ errcode: 45065, errmsg: 'clientmsgid exist', msg_id: earlier })
          const msgId = ++this.messageIds
          if (clientmsgid) this.massByClientId.set(clientmsgid, msgId)
          return answer({
            errcode: 0,
            errmsg: 'send job submission success',
            msg_id: msgId,
            msg_data_id: msgId + 1,
          })
        }
        if (url.pathname === '/cgi-bin/qrcode/create') {
          const { action_name, action_info } = body as {
            action_name?: string
            action_info?: { scene?: { scene_str?: string } }
          }
          const scene = action_info?.scene?.scene_str ?? ''
          if (action_name !== 'QR_LIMIT_STR_SCENE' || scene.length < 1 || scene.length > 64)
            return answer({ errcode: 40097, errmsg: 'invalid args' })
          const ticket = Buffer.from(`ticket:${scene}`).toString('base64')
          return answer({ ticket, url: `http://weixin.qq.com/q/${encodeURIComponent(scene)}` })
        }
        if (url.pathname === '/cgi-bin/menu/create') return answer({ errcode: 0, errmsg: 'ok' })
        res.writeHead(404)
        res.end()
      })()
    })
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve))
    return this
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve))
  }
}
