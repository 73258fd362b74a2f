/** The access token of a platform account, shared by every process (`account`: `wechat_official:<appid>`). */
export interface PlatformTokensTable {
  account: string
  token: string
  expiresAt: string
  fetchedAt: string
}
