/// <reference lib="dom" />
import type { Page } from 'playwright-core'
import { signInitData } from '../../src/domain/miniapp-auth/telegram-init-data.ts'

export const MINIAPP_BOT_TOKEN = '123456:TEST-token-for-the-mini-app'

/** initData as Telegram signs it for `user` at `authDate`. */
export function initDataFor(
  user: { id: number; first_name: string; language_code?: string },
  authDate: Date,
  token = MINIAPP_BOT_TOKEN,
): string {
  return signInitData(
    {
      auth_date: String(Math.floor(authDate.getTime() / 1000)),
      query_id: 'AAH',
      user: JSON.stringify(user),
      signature: 'ed25519-sig',
    },
    token,
  )
}

/** Theme parameters as Telegram sends them, in its light and its dark scheme. */
export const TELEGRAM_THEMES = {
  light: {
    bg_color: '#ffffff',
    secondary_bg_color: '#f0f2f5',
    text_color: '#111111',
    button_color: '#2481cc',
    button_text_color: '#ffffff',
    hint_color: '#888888',
    link_color: '#2481cc',
  },
  dark: {
    bg_color: '#212d3b',
    secondary_bg_color: '#151e27',
    text_color: '#ffffff',
    button_color: '#5288c1',
    button_text_color: '#ffffff',
    hint_color: '#7d8b99',
    link_color: '#62bcf9',
  },
} as const

/** The URL hash Telegram opens a Mini App with: signed initData, version, platform and theme. */
export function telegramLaunchHash(
  user: { id: number; first_name: string; language_code?: string },
  options: { theme?: Record<string, string>; initData?: string } = {},
): string {
  return new URLSearchParams({
    tgWebAppData: options.initData ?? initDataFor(user, new Date()),
    tgWebAppVersion: '8.0',
    tgWebAppPlatform: 'android',
    tgWebAppThemeParams: JSON.stringify(options.theme ?? TELEGRAM_THEMES.light),
  }).toString()
}

/**
 * Telegram's side of the bridge, as the Android app injects it: `TelegramWebviewProxy.postEvent`
 * records each event the page posts in `window.telegramPosted`; the test answers with
 * `window.Telegram.WebView.receiveEvent(name, payload)`, as the app does.
 */
export const FAKE_TELEGRAM_WEBVIEW = `
  window.telegramPosted = []
  window.TelegramWebviewProxy = {
    postEvent(type, data) {
      window.telegramPosted.push({ type, data: data ? JSON.parse(data) : undefined })
    },
  }
`

/** The events the page posted to Telegram, of one type, oldest first. */
export async function posted(page: Page, type: string): Promise<unknown[]> {
  return page.evaluate(
    (wanted) =>
      (window as unknown as { telegramPosted: { type: string; data: unknown }[] }).telegramPosted
        .filter((event) => event.type === wanted)
        .map((event) => event.data),
    type,
  )
}

/** An event from Telegram to the page: a button press, a theme change, a scanned QR code. */
export async function fromTelegram(page: Page, name: string, payload?: unknown): Promise<void> {
  await page.evaluate(
    ([event, data]) =>
      (
        window as unknown as {
          Telegram: { WebView: { receiveEvent(name: string, data: unknown): void } }
        }
      ).Telegram.WebView.receiveEvent(event, data),
    [name, payload] as const,
  )
}
