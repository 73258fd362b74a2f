import { existsSync, mkdirSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { serve, type ServerType } from '@hono/node-server'
import pino from 'pino'
import { type Browser, chromium } from 'playwright-core'
import { build } from 'vite'
import { createApp } from '../../src/api/app.ts'
import { type Domain, createDomain } from '../../src/domain/index.ts'
import { systemClock } from '../../src/shared/clock.ts'
import { type TestDbHandle, databases } from './db.ts'
import { MINIAPP_BOT_TOKEN } from './miniapp.ts'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const ARTIFACTS = 'test-artifacts'
const MINIAPP_DIR = 'dist/miniapp'
// CI installs Chromium; elsewhere the browser tests say why they did not run.
export const runBrowser = existsSync(CHROMIUM) || process.env.CI === 'true'

export interface PageServer {
  store: TestDbHandle
  domain: Domain
  base: string
  browser: Browser
  close(): Promise<void>
}

/** The built pages served by a real server on a fresh SQLite database, and headless Chromium. */
export async function startPageServer(): Promise<PageServer> {
  if (!existsSync(`${MINIAPP_DIR}/index.html`) || !existsSync(`${MINIAPP_DIR}/console/index.html`))
    await build({ configFile: 'vite.config.ts', logLevel: 'warn' })
  mkdirSync(ARTIFACTS, { recursive: true })
  const store = await databases[0]!.create()
  const domain = createDomain(
    { store, clock: systemClock },
    { miniapp: { telegramBotToken: MINIAPP_BOT_TOKEN } },
  )
  await domain.programme.ensureSeeded()
  const app = createApp({ domain, logger: pino({ level: 'silent' }), miniappDir: MINIAPP_DIR })
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
  })
  const browser = await launchChromium()
  return {
    store,
    domain,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    browser,
    async close() {
      await browser.close()
      await new Promise((resolve) => server.close(resolve))
      await store.cleanup()
    },
  }
}

/** Debian's headless Chromium as the browser tests run it; `args` add to the usual flags. */
export function launchChromium(args: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...args,
    ],
  })
}
