import { signal } from '@preact/signals'
import { type ComponentType, render } from 'preact'
import { type Locale, pickLocale } from '../i18n.ts'
import { startTelegram, telegramLanguage } from './telegram.ts'

/** The page's language; every text a page draws reads it, so a switch redraws the page. */
export const locale = signal<Locale>('zh-CN')

export function setLocale(next: Locale): void {
  locale.value = next
  document.documentElement.lang = next
}

/** Why the page cannot be shown; the page's error screen replaces everything. */
export const failed = signal<unknown>(null)

export const fail = (error: unknown) => {
  failed.value = error
}

/**
 * Starts a page the same way in Telegram, a WeChat signed link and a desktop browser: Telegram's
 * ready, expand and theme, the first language (Telegram's, the link's `lang`, the browser's),
 * the page drawn at once (it shows its loading state), then `signIn` with the launch parameters
 * of the address's fragment. Whatever `signIn` throws is the page's error screen.
 */
export function boot(App: ComponentType, signIn: (launch: URLSearchParams) => Promise<void>): void {
  startTelegram()
  const launch = new URLSearchParams(location.hash.slice(1))
  setLocale(pickLocale(telegramLanguage() ?? launch.get('lang') ?? navigator.language))
  render(<App />, document.getElementById('app')!)
  signIn(launch).catch(fail)
}

/** The error screen: what went wrong, in the page's words. */
export function Failure({ title, message }: { title: string; message: string }) {
  return (
    <section class="card error" role="alert">
      <h1>{title}</h1>
      <p>{message}</p>
    </section>
  )
}

/** The button that switches to the other language; `label` names it in that language. */
export function LanguageSwitch({ label }: { label: string }) {
  return (
    <button class="secondary" onClick={() => setLocale(locale.value === 'en' ? 'zh-CN' : 'en')}>
      {label}
    </button>
  )
}
