import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { FakeBotApi } from './helpers/fake-telegram.ts'
import { FakeWechatOfficial } from './helpers/fake-wechat-official.ts'
import { OFFICIAL_ACCOUNT } from './helpers/wechat-official.ts'
import { textUpdate } from './helpers/telegram-updates.ts'

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

const dir = mkdtempSync(join(tmpdir(), 'jifen-server-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// What `npm start` runs, compiled by `npm run build` (npm test builds before the tests).
const COMPILED_MAIN = 'dist/server/main.js'

function start(
  env: Record<string, string>,
  args = ['--import', 'tsx', 'src/main.ts'],
): {
  child: ChildProcess
  output: () => string
  exited: Promise<number | null>
} {
  const child = spawn('node', args, { env: { ...process.env, ...env } })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, output: () => output, exited }
}

async function waitFor(check: () => boolean, ms = 20_000): Promise<void> {
  const until = Date.now() + ms
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('the server process', () => {
  it('starts on a new SQLite file, seeds the programme, says why the bots are off, and stops cleanly on SIGTERM', async () => {
    const port = await freePort()
    const server = start({
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: `file:${join(dir, 'a', 'jifen.db')}`,
    })
    await waitFor(() => server.output().includes('listening'))
    const health = await fetch(`http://127.0.0.1:${port}/healthz`)
    expect(await health.json()).toEqual({ status: 'ok', database: 'sqlite' })
    expect(server.output()).toContain('seeded the default programme')
    expect(server.output()).toContain('telegram bot disabled: TELEGRAM_BOT_TOKEN is not set')
    expect(server.output()).toContain('wechat bot disabled: WECHATY_PUPPET is not set')
    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)
    expect(server.output()).toContain('"msg":"stopped"')
  })

  it('runs compiled with plain node (no tsx): migrates and seeds a new SQLite file, serves /healthz, /readyz and the pages', async () => {
    expect(existsSync(COMPILED_MAIN), `${COMPILED_MAIN} is missing: run npm run build`).toBe(true)
    const port = await freePort()
    const server = start(
      { PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `file:${join(dir, 'f', 'jifen.db')}` },
      [COMPILED_MAIN],
    )
    try {
      await waitFor(() => server.output().includes('listening'))
      expect(server.output()).toContain('"applied":["0001-init"')
      expect(server.output()).toContain('seeded the default programme')
      const health = await fetch(`http://127.0.0.1:${port}/healthz`)
      expect(await health.json()).toEqual({ status: 'ok', database: 'sqlite' })
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200)
      const page = await fetch(`http://127.0.0.1:${port}/miniapp/`)
      expect(page.status).toBe(200)
      expect(page.headers.get('content-type')).toContain('text/html')
    } finally {
      server.child.kill('SIGTERM')
      expect(await server.exited).toBe(0)
    }
    expect(server.output()).toContain('"msg":"stopped"')
  })

  it('refuses to start on a wrong variable, naming it', async () => {
    const server = start({ PORT: 'not-a-port', DATABASE_URL: `file:${join(dir, 'b', 'jifen.db')}` })
    expect(await server.exited).toBe(1)
    expect(server.output()).toContain('PORT')
  })

  it('runs the Telegram bot by long polling when TELEGRAM_BOT_TOKEN is set', async () => {
    const api = await new FakeBotApi().start()
    const server = start({
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      DATABASE_URL: `file:${join(dir, 'c', 'jifen.db')}`,
      TELEGRAM_BOT_TOKEN: '123456:TEST-token-for-the-fake-bot-api',
      TELEGRAM_API_ROOT: api.url,
    })
    try {
      await waitFor(() => server.output().includes('telegram bot polling'))
      expect(server.output()).toContain('telegram bot enabled: long polling')
      api.push(textUpdate({ id: 31, first_name: 'P', language_code: 'en' }, '/help'))
      await waitFor(() => api.sentTo(31).length > 0)
      expect(api.sentTo(31)[0]).toContain('You can send')
    } finally {
      server.child.kill('SIGTERM')
      expect(await server.exited).toBe(0)
      await api.close()
    }
  })

  it('sets the Official Account’s menu at start in the programme’s language, and keeps serving when WeChat refuses it', async () => {
    const wechat = await new FakeWechatOfficial(
      OFFICIAL_ACCOUNT.appId,
      OFFICIAL_ACCOUNT.appSecret,
    ).start()
    const env = {
      HOST: '127.0.0.1',
      DATABASE_URL: `file:${join(dir, 'oa', 'jifen.db')}`,
      JOBS_ENABLED: 'false',
      WECHAT_OA_APP_ID: OFFICIAL_ACCOUNT.appId,
      WECHAT_OA_APP_SECRET: OFFICIAL_ACCOUNT.appSecret,
      WECHAT_OA_TOKEN: OFFICIAL_ACCOUNT.token,
      WECHAT_OA_API_ROOT: wechat.url,
    }
    const menus = () => wechat.calls.filter((call) => call.path === '/cgi-bin/menu/create')
    try {
      for (const attempt of ['refused', 'set'] as const) {
        if (attempt === 'refused') wechat.failNext['/cgi-bin/menu/create'] = [40016]
        const port = await freePort()
        const server = start({ ...env, PORT: String(port) })
        try {
          await waitFor(() => server.output().includes('official account menu'))
          if (attempt === 'refused') {
            expect(server.output()).toContain('official account menu could not be set')
            const health = await fetch(`http://127.0.0.1:${port}/healthz`)
            expect(health.status).toBe(200)
          } else {
            expect(server.output()).toContain('official account menu set: 会员中心, 签到, 我的积分')
          }
        } finally {
          server.child.kill('SIGTERM')
          expect(await server.exited).toBe(0)
        }
      }
      expect(menus().map((call) => call.ok)).toEqual([false, true])
      expect(menus()[1]!.body).toMatchObject({
        button: [
          { type: 'click', name: '会员中心', key: 'app' },
          { type: 'click', name: '签到', key: 'checkin' },
          { type: 'click', name: '我的积分', key: 'points' },
        ],
      })
    } finally {
      await wechat.stop()
    }
  })

  it('serves the Telegram webhook at the path of TELEGRAM_WEBHOOK_URL, checking the secret', async () => {
    const api = await new FakeBotApi().start()
    const port = await freePort()
    const server = start({
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: `file:${join(dir, 'd', 'jifen.db')}`,
      TELEGRAM_BOT_TOKEN: '123456:TEST-token-for-the-fake-bot-api',
      TELEGRAM_API_ROOT: api.url,
      TELEGRAM_WEBHOOK_URL: 'https://loyalty.example/hooks/tg',
      TELEGRAM_WEBHOOK_SECRET: 'the-secret',
    })
    try {
      await waitFor(() => server.output().includes('receiving updates by webhook'))
      expect(api.calls.find((c) => c.method === 'setWebhook')?.payload).toMatchObject({
        url: 'https://loyalty.example/hooks/tg',
        secret_token: 'the-secret',
      })
      const post = (secret: string) =>
        fetch(`http://127.0.0.1:${port}/hooks/tg`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'X-Telegram-Bot-Api-Secret-Token': secret,
          },
          body: JSON.stringify(
            textUpdate({ id: 32, first_name: 'W', language_code: 'en' }, '/help'),
          ),
        })
      expect((await post('forged')).status).toBe(401)
      expect((await post('the-secret')).status).toBe(200)
      await waitFor(() => api.sentTo(32).length > 0)
      expect(api.sentTo(32)).toHaveLength(1)
    } finally {
      server.child.kill('SIGTERM')
      expect(await server.exited).toBe(0)
      await api.close()
    }
  })

  it('runs the WeChat bot when WECHATY_PUPPET is set, and keeps the API up when its puppet is missing', async () => {
    const port = await freePort()
    const server = start({
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: `file:${join(dir, 'e', 'jifen.db')}`,
      WECHATY_PUPPET: 'wechaty-puppet-mock',
      WECHAT_SESSION_FILE: join(dir, 'e', 'wechat'),
    })
    try {
      await waitFor(() => server.output().includes('"msg":"wechat bot started"'))
      expect(server.output()).toContain(
        'wechat bot enabled: wechaty-puppet-mock, at most 40 messages a minute and 500 a day',
      )
    } finally {
      server.child.kill('SIGTERM')
      expect(await server.exited).toBe(0)
    }
    const missing = start({
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: `file:${join(dir, 'e', 'jifen.db')}`,
      WECHATY_PUPPET: 'wechaty-puppet-not-installed',
      WECHAT_SESSION_FILE: join(dir, 'e', 'wechat'),
    })
    try {
      await waitFor(() => missing.output().includes('the puppet is not installed'))
      const health = await fetch(`http://127.0.0.1:${port}/healthz`)
      expect(health.status).toBe(200)
    } finally {
      missing.child.kill('SIGTERM')
      expect(await missing.exited).toBe(0)
    }
  })
})
