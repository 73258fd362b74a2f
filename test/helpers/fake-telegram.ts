import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface BotApiCall {
  method: string
  /** When the server took the call (ms since the epoch). */
  at: number
  /**
   * The JSON payload, or for multipart uploads (photos, documents) the text fields and, for the
   * file part, `{ bytes, filename, content }`.
   */
  payload: Record<string, unknown>
}

/** The methods that send a message to a chat. */
const SENDS = ['sendMessage', 'sendPhoto', 'sendDocument']

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** The fields of a multipart body; the file part as its size, file name and bytes. */
function multipartFields(body: Buffer, contentType: string): Record<string, unknown> {
  const boundary = /boundary=(.+)$/.exec(contentType)?.[1]
  if (!boundary) return {}
  const fields: Record<string, unknown> = {}
  for (const part of body.toString('latin1').split(`--${boundary}`)) {
    const name = /name="([^"]+)"/.exec(part)?.[1]
    if (!name) continue
    const value = part.slice(part.indexOf('\r\n\r\n') + 4).replace(/\r\n$/, '')
    const filename = /filename="([^"]*)"/.exec(part)?.[1]
    fields[name] =
      filename !== undefined
        ? { bytes: value.length, filename, content: Buffer.from(value, 'latin1') }
        : Buffer.from(value, 'latin1').toString('utf8')
  }
  return fields
}

/**
 * A Bot API double on 127.0.0.1: answers the methods the bot uses, records every call, and
 * serves queued updates to getUpdates (long polling). Start it, point Telegraf's apiRoot at `url`.
 */
export class FakeBotApi {
  readonly calls: BotApiCall[] = []
  private readonly server: Server
  private readonly pending: unknown[] = []
  private messageId = 0
  private readonly recentSends: number[] = []
  url = ''
  /** Enforced like Telegram: more sends than this in any second are answered 429. */
  perSecondLimit: number | undefined
  /** Chats whose user blocked the bot: sends to them are answered 403. */
  readonly blocked = new Set<string>()
  tooManyRequests = 0
  /** Told of each call as it is recorded: the chat bench times replies from here. */
  onCall: ((call: BotApiCall) => void) | undefined
  /** While true the server is "down": every call is answered 502, recorded in `refusedWhileDown`. */
  down = false
  refusedWhileDown = 0

  constructor(
    readonly botUser = {
      id: 999_000,
      is_bot: true,
      first_name: 'Jifen',
      username: 'jifen_test_bot',
    },
  ) {
    this.server = createServer((req, res) => {
      this.serve(req, res).catch((err: unknown) => {
        res.statusCode = 500
        res.end(JSON.stringify({ ok: false, description: String(err) }))
      })
    })
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req)
    const method = /\/bot[^/]+\/(\w+)/.exec(req.url ?? '')?.[1] ?? 'unknown'
    const type = req.headers['content-type'] ?? ''
    const payload = type.includes('multipart')
      ? multipartFields(body, type)
      : body.length
        ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>)
        : {}
    res.setHeader('content-type', 'application/json')
    if (this.down) {
      this.refusedWhileDown++
      res.statusCode = 502
      res.end(JSON.stringify({ ok: false, error_code: 502, description: 'Bad Gateway' }))
      return
    }
    const refusal = this.refusal(method, payload)
    if (refusal) {
      res.statusCode = refusal.error_code
      res.end(JSON.stringify({ ok: false, ...refusal }))
      return
    }
    if (method !== 'getUpdates') {
      const call = { method, at: Date.now(), payload }
      this.calls.push(call)
      this.onCall?.(call)
    }
    const result = await this.answer(method, payload)
    res.end(JSON.stringify({ ok: true, result }))
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  /** Queues an update for the next getUpdates. */
  push(update: unknown): void {
    this.pending.push(update)
  }

  /** Texts and captions the bot sent to a chat, in order. */
  sentTo(chatId: number): string[] {
    return this.calls
      .filter((c) => SENDS.includes(c.method) && String(c.payload.chat_id) === String(chatId))
      .map((c) => `${(c.payload.text ?? c.payload.caption ?? '') as string}`)
  }

  lastTo(chatId: number): BotApiCall {
    const calls = this.calls.filter(
      (c) => SENDS.includes(c.method) && String(c.payload.chat_id) === String(chatId),
    )
    return calls[calls.length - 1]!
  }

  clear(): void {
    this.calls.length = 0
  }

  private refusal(method: string, payload: Record<string, unknown>) {
    if (!SENDS.includes(method)) return undefined
    if (this.blocked.has(String(payload.chat_id))) {
      return { error_code: 403, description: 'Forbidden: bot was blocked by the user' }
    }
    if (this.perSecondLimit === undefined) return undefined
    const now = Date.now()
    while (this.recentSends.length && this.recentSends[0]! <= now - 1_000) this.recentSends.shift()
    if (this.recentSends.length >= this.perSecondLimit) {
      this.tooManyRequests++
      return {
        error_code: 429,
        description: 'Too Many Requests: retry after 1',
        parameters: { retry_after: 1 },
      }
    }
    this.recentSends.push(now)
    return undefined
  }

  /**
   * What getWebhookInfo adds to the address set by setWebhook: a test sets
   * `last_error_date`, `last_error_message` and `pending_update_count` as Telegram reports a
   * webhook it cannot reach.
   */
  webhookTrouble: {
    last_error_date?: number
    last_error_message?: string
    pending_update_count?: number
    url?: string
  } = {}
  private webhookUrl = ''

  private async answer(method: string, payload: Record<string, unknown>): Promise<unknown> {
    if (method === 'getMe') return this.botUser
    if (method === 'setWebhook')
      this.webhookUrl = typeof payload.url === 'string' ? payload.url : ''
    if (method === 'deleteWebhook') this.webhookUrl = ''
    if (method === 'getWebhookInfo')
      return {
        url: this.webhookUrl,
        has_custom_certificate: false,
        pending_update_count: 0,
        ...this.webhookTrouble,
      }
    if (method === 'getUpdates') {
      const updates = this.pending.splice(0)
      if (updates.length === 0) await new Promise((resolve) => setTimeout(resolve, 50))
      return updates
    }
    if (SENDS.includes(method)) {
      return {
        message_id: ++this.messageId,
        date: Math.floor(Date.now() / 1000),
        chat: { id: Number(payload.chat_id), type: 'private' },
        text: payload.text,
      }
    }
    return true
  }
}
