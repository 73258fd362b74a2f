import { render } from 'preact'
import { ApiError, keepSession, call, storedSession } from '../ui/api.ts'
import { startTelegram, telegramInitData, telegramLanguage } from '../ui/telegram.ts'
import { pickLocale } from '../i18n.ts'
import { App } from './app.tsx'
import { fail, setLocale, whoAmI } from './state.ts'

/** Signs the staff member in with what the page was opened with, then shows the console. */
async function start(): Promise<void> {
  startTelegram()
  const launch = new URLSearchParams(location.hash.slice(1))
  setLocale(pickLocale(telegramLanguage() ?? launch.get('lang') ?? navigator.language))
  render(<App />, document.getElementById('app')!)
  const initData = telegramInitData()
  const code = launch.get('code')
  // The code works once: out of the address bar, the history and screenshots before it is used.
  if (code) history.replaceState(null, '', location.pathname)
  const credential = initData ? { initData } : code ? { code } : undefined
  if (credential)
    keepSession((await call('post', '/api/console/session', { body: credential })).token)
  else if (!storedSession()) throw new ApiError(401, 'unauthorized', 'no credential')
  await whoAmI()
}

start().catch(fail)
