import { render } from 'preact'
import { ApiError, call, signIn, storedSession } from '../ui/api.ts'
import { startTelegram, telegramInitData, telegramLanguage } from '../ui/telegram.ts'
import { pickLocale } from '../i18n.ts'
import { App } from './app.tsx'
import { fail, refresh, setLocale } from './state.ts'

/** Signs in with what the page was opened with, then shows the member. */
async function start(): Promise<void> {
  startTelegram()
  const launch = new URLSearchParams(location.hash.slice(1))
  setLocale(pickLocale(telegramLanguage() ?? launch.get('lang') ?? navigator.language))
  render(<App />, document.getElementById('app')!)
  const initData = telegramInitData()
  const token = launch.get('token')
  const search = new URLSearchParams(location.search)
  const campaign = search.get('c')
  const reminder = Number(search.get('r'))
  if (initData) await signIn({ initData })
  else if (token) await signIn({ token })
  else if (!storedSession()) throw new ApiError(401, 'unauthorized', 'no credential')
  // The one-time token has done its job; keep it out of the history and of screenshots.
  if (token) history.replaceState(null, '', location.pathname)
  await refresh()
  // Opened from a campaign's or a reminder's button: tell the merchant it was opened.
  const opened = campaign
    ? { campaignId: campaign }
    : Number.isSafeInteger(reminder) && reminder > 0
      ? { reminderId: reminder }
      : null
  if (opened) void call('post', '/api/miniapp/opens', { body: opened }).catch(() => undefined)
}

start().catch(fail)
