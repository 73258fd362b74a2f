import { ApiError, call, signIn, storedSession } from '../ui/api.ts'
import { boot } from '../ui/boot.tsx'
import { telegramInitData } from '../ui/telegram.ts'
import { App } from './app.tsx'
import { refresh } from './state.ts'

/** Signs in with what the page was opened with, then shows the member. */
boot(App, async (launch) => {
  const initData = telegramInitData()
  const token = launch.get('token')
  const campaign = new URLSearchParams(location.search).get('c')
  if (initData) await signIn({ initData })
  else if (token) await signIn({ token })
  else if (!storedSession()) throw new ApiError(401, 'unauthorized', 'no credential')
  // The one-time token has done its job; keep it out of the history and of screenshots.
  if (token) history.replaceState(null, '', location.pathname)
  await refresh()
  // Opened from a campaign's button: tell the merchant the campaign was opened.
  if (campaign)
    void call('post', '/api/miniapp/opens', { body: { campaignId: campaign } }).catch(
      () => undefined,
    )
})
