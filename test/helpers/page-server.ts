import { existsSync, mkdirSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { serve, type ServerType } from '@hono/node-server'
import pino from 'pino'
import { type Browser, type Page, chromium } from 'playwright-core'
import { expect } from 'vitest'
import { build } from 'vite'
import { createApp } from '../../src/api/app.ts'
import { type Domain, createDomain } from '../../src/domain/index.ts'
import { systemClock } from '../../src/shared/clock.ts'
import { type TestDbHandle, databases } from './db.ts'
import type { StaffRole } from '../../src/domain/staff/staff.service.ts'
import { FAKE_TELEGRAM_WEBVIEW, MINIAPP_BOT_TOKEN } from './miniapp.ts'

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

/**
 * A new tab on `browser` at `url`, with Telegram's bridge when `telegram`; closing it fails the
 * test if the page asked anything of an address other than `base` (nothing from the internet).
 */
export async function openPage(
  browser: Browser,
  base: string,
  url: string,
  options: {
    viewport: { width: number; height: number }
    deviceScaleFactor?: number
    telegram?: boolean
    /** The browser's own time zone (IANA); the machine's when left out. */
    timezoneId?: string
  },
): Promise<Page> {
  const page = await browser.newPage({
    viewport: options.viewport,
    deviceScaleFactor: options.deviceScaleFactor,
    timezoneId: options.timezoneId,
  })
  if (options.telegram) await page.addInitScript(FAKE_TELEGRAM_WEBVIEW)
  page.setDefaultTimeout(10_000)
  const outside: string[] = []
  page.on('request', (request) => {
    const url = request.url()
    if (!url.startsWith(base) && !url.startsWith('data:') && !url.startsWith('blob:'))
      outside.push(url)
  })
  page.on('close', () => expect(outside).toEqual([]))
  await page.goto(url)
  return page
}

/** A staff member of `role` who joined by invite from Telegram account `telegramId`. */
export async function staffInTelegram(
  domain: Domain,
  role: StaffRole,
  name: string,
  telegramId: number,
): Promise<{ id: string; telegramId: number }> {
  const { code } = await domain.staff.createInvite(role)
  const record = await domain.staff.acceptInvite(code, 'telegram', String(telegramId), name)
  return { id: record.id, telegramId }
}

let nextStaffTelegramId = 660_000
/** A staff member with a Telegram identity of its own, as an accepted invite makes them. */
export function staffMember(domain: Domain, role: StaffRole, name: string) {
  return staffInTelegram(domain, role, name, ++nextStaffTelegramId)
}

/**
 * The console opened with `hash` (a login code or Telegram's launch parameters), optionally
 * inside a fake Telegram webview; closing the page checks it asked nothing of the internet.
 */
export function openConsole(
  pages: PageServer,
  hash: string,
  viewport: { width: number; height: number },
  telegram = false,
  timezoneId?: string,
): Promise<Page> {
  return openPage(pages.browser, pages.base, `${pages.base}/miniapp/console/#${hash}`, {
    viewport,
    telegram,
    timezoneId,
  })
}

/** A staff member of `role` signed in to the console through a one-time login link. */
export async function consoleSignedIn(
  pages: PageServer,
  role: StaffRole,
  name: string,
  lang: string,
  viewport: { width: number; height: number },
  timezoneId?: string,
): Promise<Page> {
  const staff = await staffMember(pages.domain, role, name)
  const { code } = await pages.domain.staffSessions.createLink(staff.id)
  const page = await openConsole(pages, `code=${code}&lang=${lang}`, viewport, false, timezoneId)
  await page.getByTestId('signed-in').waitFor()
  return page
}

/** The page fits `width`: nothing scrolls sideways. */
export async function expectFits(page: Page, width: number): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width)
}

/** Opens a console page from the menu, unfolding it first where a phone keeps it folded. */
export async function goTo(page: Page, id: string): Promise<void> {
  const link = page.locator(`[data-page="${id}"]`)
  await link.waitFor({ state: 'attached' })
  if (!(await link.isVisible())) await page.getByTestId('menu').click()
  await link.click()
}
