import { ApiError, keepSession, call, storedSession } from '../ui/api.ts'
import { boot } from '../ui/boot.tsx'
import { telegramInitData } from '../ui/telegram.ts'
import { App } from './app.tsx'
import { whoAmI } from './state.ts'

/** Signs the staff member in with what the page was opened with, then shows the console. */
boot(App, async (launch) => {
  const initData = telegramInitData()
  const code = launch.get('code')
  // The code works once: out of the address bar, the history and screenshots before it is used.
  if (code) history.replaceState(null, '', location.pathname)
  const credential = initData ? { initData } : code ? { code } : undefined
  if (credential)
    keepSession((await call('post', '/api/console/session', { body: credential })).token)
  else if (!storedSession()) throw new ApiError(401, 'unauthorized', 'no credential')
  await whoAmI()
})
