import { createHmac, timingSafeEqual } from 'node:crypto'
import { CLOCK_SKEW_MS } from '../../shared/clock.ts'
import { DomainError } from '../../shared/errors.ts'

export interface TelegramWebAppUser {
  id: number
  first_name: string
  last_name?: string
  username?: string
  language_code?: string
}

export interface ValidInitData {
  user: TelegramWebAppUser
  authDate: Date
  startParam?: string
}

function unauthorized(message: string): DomainError {
  return new DomainError('unauthorized', message)
}

/**
 * Validates Mini App `initData` exactly as Telegram specifies: every field but `hash`, sorted
 * by key, joined as key=value lines; secret = HMAC-SHA256("WebAppData", bot token); the hex
 * HMAC-SHA256(secret, check string) must equal `hash` (constant-time). Unknown fields such as
 * `signature` stay in the check string. Data older than `maxAgeSeconds` is refused, and so is
 * data dated further ahead than clock skew explains: a future auth_date would outlive the age limit.
 */
export function validateInitData(
  initData: string,
  botToken: string,
  maxAgeSeconds: number,
  now: Date,
): ValidInitData {
  const params = new URLSearchParams(initData)
  const hash = params.get('hash')
  if (!hash || !/^[0-9a-f]{64}$/.test(hash)) throw unauthorized('initData has no valid hash')
  params.delete('hash')
  const checkString = [...params.entries()]
    .map(([key, value]) => `${key}=${value}`)
    .sort()
    .join('\n')
  const secret = createHmac('sha256', 'WebAppData').update(botToken).digest()
  const expected = createHmac('sha256', secret).update(checkString).digest()
  if (!timingSafeEqual(expected, Buffer.from(hash, 'hex')))
    throw unauthorized('initData signature does not match')
  const authDate = Number(params.get('auth_date'))
  if (!Number.isFinite(authDate) || authDate <= 0) throw unauthorized('initData has no auth_date')
  if (now.getTime() / 1000 - authDate > maxAgeSeconds)
    throw unauthorized('initData is too old; reopen the mini-app')
  if (authDate * 1000 - now.getTime() > CLOCK_SKEW_MS)
    throw unauthorized('initData is dated in the future; check the device clock and reopen')
  let user: TelegramWebAppUser
  try {
    user = JSON.parse(params.get('user') ?? '') as TelegramWebAppUser
  } catch {
    throw unauthorized('initData has no user')
  }
  if (!Number.isSafeInteger(user?.id)) throw unauthorized('initData has no user')
  return {
    user,
    authDate: new Date(authDate * 1000),
    startParam: params.get('start_param') ?? undefined,
  }
}

/** Builds signed initData the way Telegram does; for tests and local tools. */
export function signInitData(fields: Record<string, string>, botToken: string): string {
  const checkString = Object.entries(fields)
    .map(([key, value]) => `${key}=${value}`)
    .sort()
    .join('\n')
  const secret = createHmac('sha256', 'WebAppData').update(botToken).digest()
  const hash = createHmac('sha256', secret).update(checkString).digest('hex')
  return new URLSearchParams({ ...fields, hash }).toString()
}

/** How a server checks initData: its bot token (none: Telegram sign-in is off) and the age limit. */
export interface InitDataCheck {
  telegramBotToken?: string
  initDataMaxAgeSeconds: number
}

/**
 * The Telegram user signed initData vouches for, for every page that signs in with it (the
 * member's and the console); `unauthorized` when Telegram sign-in is not configured.
 */
export function telegramUserOf(
  initData: string,
  check: InitDataCheck,
  now: Date,
): TelegramWebAppUser {
  if (!check.telegramBotToken)
    throw unauthorized('Telegram sign-in is not configured (TELEGRAM_BOT_TOKEN)')
  return validateInitData(initData, check.telegramBotToken, check.initDataMaxAgeSeconds, now).user
}
