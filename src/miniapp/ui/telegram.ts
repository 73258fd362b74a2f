import {
  backButton,
  hapticFeedback,
  init,
  isTMA,
  mainButton,
  miniApp,
  qrScanner,
  retrieveLaunchParams,
  retrieveRawInitData,
  themeParams,
  viewport,
} from '@telegram-apps/sdk'

/**
 * Inside Telegram: launch parameters in the URL and a bridge to post events to (Telegram Web
 * hosts the page in a frame, the apps inject TelegramWebviewProxy). A WeChat signed link or a
 * desktop browser has neither, and the pages draw their own buttons and colours instead.
 */
export const inTelegram: boolean =
  isTMA() && (window.self !== window.top || 'TelegramWebviewProxy' in window)

/** Tells Telegram the page is ready, takes the full height and follows Telegram's theme. */
export function startTelegram(): void {
  if (!inTelegram) return
  init()
  themeParams.mountSync.ifAvailable()
  // --tg-theme-* on the root, updated on every theme_changed: light and dark follow Telegram.
  themeParams.bindCssVars.ifAvailable()
  // Form controls and scroll bars follow too, which CSS variables alone cannot reach.
  const scheme = () => {
    document.documentElement.style.colorScheme = themeParams.isDark() ? 'dark' : 'light'
  }
  scheme()
  themeParams.isDark.sub(scheme)
  miniApp.mountSync.ifAvailable()
  backButton.mount.ifAvailable()
  mainButton.mount.ifAvailable()
  miniApp.ready.ifAvailable()
  viewport.expand.ifAvailable()
}

/** The signed initData the session call checks; Telegram only, never parsed by the page. */
export function telegramInitData(): string | undefined {
  try {
    return retrieveRawInitData()
  } catch {
    return undefined
  }
}

/** The language Telegram says the user speaks, before the member's own choice is known. */
export function telegramLanguage(): string | undefined {
  if (!inTelegram) return undefined
  return retrieveLaunchParams().tgWebAppData?.user?.language_code
}

/** Shows Telegram's back button calling `onBack`, until the returned function hides it. */
export function telegramBack(onBack: () => void): (() => void) | undefined {
  if (!inTelegram) return undefined
  backButton.show()
  const off = backButton.onClick(onBack)
  return () => {
    off()
    backButton.hide()
  }
}

/** Puts a view's main action on Telegram's main button, until the returned function hides it. */
export function telegramMainButton(text: string, onClick: () => void): (() => void) | undefined {
  if (!inTelegram) return undefined
  mainButton.setParams({ text, isVisible: true, isEnabled: true })
  const off = mainButton.onClick(onClick)
  return () => {
    off()
    mainButton.setParams({ isVisible: false })
  }
}

/** A tap the member feels for an outcome: won, redeemed, checked in, or refused. */
export function haptic(outcome: 'success' | 'error'): void {
  if (inTelegram) hapticFeedback.notificationOccurred.ifAvailable(outcome)
}

/**
 * Telegram's own QR scanner popup, where the app has one: resolves with the first code read, or
 * undefined when the user closes it. Undefined at once outside Telegram: use the camera there.
 */
export function telegramScanQr(text: string): Promise<string | undefined> | undefined {
  if (!inTelegram || !qrScanner.open.isAvailable()) return undefined
  return qrScanner.open({ text })
}
