import { type IncomingMessage, type Server, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface WechatApiCall {
  /** The path: /cgi-bin/token, /cgi-bin/message/custom/send, ... */
  path: string
  query: Record<string, string>
  body: unknown
  /** Whether WeChat accepted it. */
  ok?: boolean
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
 * a call (custom message, menu) with any other than the newest is refused with 40001, and a
 * test queues the error codes the next sends answer (42001 expired, 45015 out of the 48
 * hours, 43004 not following, 45009 quota).
 */
export class FakeWechatOfficial {
  readonly calls: WechatApiCall[] = []
  /** Errcodes the next sends answer, one each, before they succeed again. */
  readonly failNextSends: number[] = []
  private tokens = 0
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
          res.writeHead(200, { 'content-type': 'application/json; encoding=utf-8' })
          res.end(JSON.stringify(payload))
        }
        if (url.pathname === '/cgi-bin/token') {
          if (query.appid !== this.appId || query.secret !== this.appSecret)
            return answer({ errcode: 40125, errmsg: 'invalid appsecret' })
          this.tokens += 1
          return answer({ access_token: `token-${this.tokens}`, expires_in: 7200 })
        }
        if (query.access_token !== `token-${this.tokens}`)
          return answer({
            errcode: 40001,
            errmsg: 'invalid credential, access_token is invalid or not latest',
          })
        if (url.pathname === '/cgi-bin/message/custom/send') {
          const errcode = this.failNextSends.shift()
          if (errcode === 42001) {
            this.tokens += 1
            return answer({ errcode, errmsg: 'access_token expired' })
          }
          if (errcode !== undefined) return answer({ errcode, errmsg: `error ${errcode}` })
          return answer({ errcode: 0, errmsg: 'ok' })
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
