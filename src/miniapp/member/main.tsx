import { ApiError, call, signIn, storedSession } from '../ui/api.ts'
import { boot } from '../ui/boot.tsx'
import { telegramInitData } from '../ui/telegram.ts'
import { App } from './app.tsx'
import { refresh } from './state.ts'

/** Signs in with what the page was opened with, then shows the member. */
boot(App, async (launch) => {
  const initData = telegramInitData()
  const token = launch.get('token')
  const query = new URLSearchParams(location.search)
  const campaign = query.get('c')
  const reminder = Number(query.get('r'))
  // Opened from the Official Account's menu: WeChat's web login redirects here with a code.
  const wechatCode = query.get('code')
  if (initData) await signIn({ initData })
  else if (token) await signIn({ token })
  // The state WeChat hands back: the server checks it is the one it gave this browser.
  else if (wechatCode) await signIn({ wechatCode, state: query.get('state') ?? '' })
  else if (!storedSession()) throw new ApiError(401, 'unauthorized', 'no credential')
  // The one-time token or code has done its job; keep it out of the history and of screenshots.
  if (token || wechatCode)
    history.replaceState(null, '', `${location.pathname}${campaign ? `?c=${campaign}` : ''}`)
  await refresh()
  // Opened from a campaign's or a reminder's button: tell the merchant it was opened.
  const opened = campaign
    ? { campaignId: campaign }
    : Number.isSafeInteger(reminder) && reminder > 0
      ? { reminderId: reminder }
      : null
  if (opened) void call('post', '/api/miniapp/opens', { body: opened }).catch(() => undefined)
})
