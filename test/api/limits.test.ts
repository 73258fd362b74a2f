import { request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type ServerType, serve } from '@hono/node-server'
import pino from 'pino'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createApp } from '../../src/api/app.ts'
import { createDomain } from '../../src/domain/index.ts'
import { describeOnDatabases } from '../helpers/domain.ts'
import { MINIAPP_BOT_TOKEN, initDataFor } from '../helpers/miniapp.ts'

const KB = 1024
const SECRET = 'webhook-secret-for-limits'

describeOnDatabases('request body limits', (get) => {
  let app: ReturnType<typeof createApp>
  let adminKey: string
  let server: ServerType
  let port: number
  const updates: unknown[] = []
  beforeAll(async () => {
    const domain = createDomain(
      { store: get().store, clock: get().clock },
      { miniapp: { telegramBotToken: MINIAPP_BOT_TOKEN, initDataMaxAgeSeconds: 3_600 } },
    )
    app = createApp({
      domain,
      logger: pino({ level: 'silent' }),
      telegramWebhook: {
        path: '/telegram/webhook',
        secret: SECRET,
        handle: async (update) => {
          updates.push(update)
        },
      },
    })
    adminKey = (await domain.staff.createApiKey('limits admin', 'admin')).key
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
    await new Promise((resolve) => server.once('listening', resolve))
    port = (server.address() as AddressInfo).port
  })
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
  })

  const count = async (table: 'members' | 'orders') =>
    Number(
      (
        await get()
          .store.db.selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )
  /** JSON followed by spaces up to `size` bytes: still valid JSON, exactly that long. */
  const paddedTo = (body: unknown, size: number) => {
    const text = JSON.stringify(body)
    return text + ' '.repeat(size - Buffer.byteLength(text))
  }
  const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
    const response = await app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    })
    return { status: response.status, body: await response.json() }
  }
  const admin = () => ({ authorization: `Bearer ${adminKey}` })
  let nextTelegramId = 770_000

  it('refuses an oversized body on the unauthenticated session route with 413 payload_too_large', async () => {
    const res = await post('/api/miniapp/session', paddedTo({ initData: 'x' }, 300 * KB))
    expect(res.status).toBe(413)
    expect(res.body.error.code).toBe('payload_too_large')
  })

  it('a session body just under its limit is read as usual', async () => {
    const telegramId = ++nextTelegramId
    await get().domain.members.register({ displayName: 'Near', telegramId: String(telegramId) })
    const initData = initDataFor({ id: telegramId, first_name: 'Near' }, get().clock.now())
    const res = await post('/api/miniapp/session', paddedTo({ initData }, 16 * KB))
    expect(res.status).toBe(200)
    expect(res.body.token).toEqual(expect.any(String))
  })

  it('refuses an oversized API write with 413 payload_too_large and writes nothing', async () => {
    const before = await count('members')
    const res = await post(
      '/api/v1/members',
      paddedTo({ displayName: 'Huge' }, 1024 * KB + 1),
      admin(),
    )
    expect(res.status).toBe(413)
    expect(res.body.error.code).toBe('payload_too_large')
    expect(await count('members')).toBe(before)
  })

  it('an API write just under its limit is applied', async () => {
    const before = await count('members')
    const res = await post('/api/v1/members', paddedTo({ displayName: 'Near' }, 1024 * KB), admin())
    expect(res.status).toBe(201)
    expect(await count('members')).toBe(before + 1)
  })

  it('refuses a chunked body without Content-Length once it passes the limit, and writes nothing', async () => {
    const before = await count('orders')
    const chunk = Buffer.alloc(64 * KB, ' ')
    const answer = await new Promise<{ status: number; body: string; sent: number }>(
      (resolve, reject) => {
        let sent = 0
        let answered = false
        const req = request({
          host: '127.0.0.1',
          port,
          path: '/api/v1/orders',
          method: 'POST',
          headers: { 'content-type': 'application/json', ...admin() },
        })
        req.on('error', reject)
        req.on('response', (res) => {
          answered = true
          let body = ''
          res.on('data', (data) => (body += data))
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, body, sent })
            req.destroy()
          })
        })
        req.write('{"id":"ord-chunked","member":{"id":"nobody"},"amount":100')
        // Far more than the limit would be sent if the server waited for the end of the body.
        const more = () => {
          if (answered || sent >= 64 * 1024 * KB) return
          sent += chunk.length
          if (req.write(chunk)) setImmediate(more)
          else req.once('drain', more)
        }
        more()
      },
    )
    expect(answer.status).toBe(413)
    expect(JSON.parse(answer.body).error.code).toBe('payload_too_large')
    expect(answer.sent).toBeLessThan(16 * 1024 * KB)
    expect(await count('orders')).toBe(before)
  })

  it('refuses an oversized Telegram update before it reaches the bot', async () => {
    const update = { update_id: 1, message: { text: 'x'.repeat(100 * KB) } }
    const res = await post('/telegram/webhook', JSON.stringify(update), {
      'x-telegram-bot-api-secret-token': SECRET,
    })
    expect(res.status).toBe(413)
    expect(res.body.error.code).toBe('payload_too_large')
    expect(updates).toEqual([])
  })
})
