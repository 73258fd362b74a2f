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
