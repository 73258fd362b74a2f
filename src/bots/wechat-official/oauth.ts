import type { OfficialAccountLogin } from '../../domain/ports.ts'
import { type WechatApiAnswer, WechatApiError } from './api.ts'

/** 40029: the code is wrong, expired (5 minutes) or already exchanged. */
const INVALID_CODE = 40029
const AUTHORIZE_URL = 'https://open.weixin.qq.com/connect/oauth2/authorize'

export interface OfficialAccountOAuthOptions {
  appId: string
  appSecret: string
  apiRoot: string
}

/**
 * The address that opens `pageUrl` from the Official Account signed in (网页授权, snsapi_base):
 * WeChat asks nothing of the member and redirects to `pageUrl?code=…&state=…`, handing `state`
 * back untouched. `state` is the per-request value the server bound to the browser (see
 * /wechat/official/login), checked when the page signs in with the code.
 */
export function memberPageOAuthUrl(appId: string, pageUrl: string, state: string): string {
  const query = new URLSearchParams({
    appid: appId,
    redirect_uri: pageUrl,
    response_type: 'code',
    scope: 'snsapi_base',
    state,
  })
  return `${AUTHORIZE_URL}?${query}#wechat_redirect`
}

/**
 * The server half of the web login: the code WeChat gave the page, exchanged with the app's
 * secret for the follower's openid (sns/oauth2/access_token). The secret never leaves the
 * server; the web access token that comes with the openid is not kept, as snsapi_base gives
 * nothing more to read with it.
 */
export function officialAccountLogin(options: OfficialAccountOAuthOptions): OfficialAccountLogin {
  return {
    async openidOf(code) {
      const url = new URL('/sns/oauth2/access_token', options.apiRoot)
      url.search = new URLSearchParams({
        appid: options.appId,
        secret: options.appSecret,
        code,
        grant_type: 'authorization_code',
      }).toString()
      const answer = (await (await fetch(url)).json()) as WechatApiAnswer
      if (typeof answer.openid === 'string' && answer.openid) return answer.openid
      if (answer.errcode === INVALID_CODE) return undefined
      throw new WechatApiError(answer.errcode ?? -1, answer.errmsg ?? 'no openid')
    },
  }
}
