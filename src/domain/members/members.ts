import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js'
import { DomainError } from '../../shared/errors.ts'
import type { Locale, LocalizedText } from '../programme/programme.ts'

export const CHANNELS = ['telegram', 'wechat'] as const
export type Channel = (typeof CHANNELS)[number]

/** A way to name a member from outside: exactly one field is set. */
export type MemberRef =
  | { id: string }
  | { phone: string }
  | { code: string }
  | { telegramId: string }
  | { wechatId: string }
  | { externalId: string }

/** E.164 (+8613800138000), read with the programme's region when written without a country code. */
export function normalizePhone(raw: string, region: string): string {
  const parsed = parsePhoneNumberFromString(raw.trim(), region as CountryCode)
  if (!parsed || !parsed.isValid()) {
    throw new DomainError(
      'invalid_input',
      `phone ${JSON.stringify(raw)} is not a valid phone number`,
      { field: 'phone' },
    )
  }
  return parsed.number
}

/** Maps any language tag (Telegram's language_code, a browser's) onto the two we speak. */
export function normalizeLocale(tag: string | null | undefined, fallback: Locale): Locale {
  if (!tag) return fallback
  const lower = tag.toLowerCase()
  if (lower.startsWith('zh')) return 'zh-CN'
  if (lower.startsWith('en')) return 'en'
  return fallback
}

export interface TierView {
  code: string
  name: LocalizedText
  multiplierPercent: number
  benefits: LocalizedText[]
  floorCode: string | null
  windowStart: string
  windowEnd: string
  progress: {
    basis: 'spend' | 'points'
    value: number
    next: { code: string; name: LocalizedText; threshold: number; remaining: number } | null
  }
}

export interface PointsView {
  balance: number
  /** Points owed after a reversal found nothing to take from; paid from the next earnings. */
  debt: number
  expiringSoon: number
  expiringSoonBefore: string
  /** The soonest expiring lots: `at` is the exclusive instant, `lastDay` the last local day to use them. */
  nextExpiry: { points: number; at: string; lastDay: string } | null
}

export interface MemberView {
  id: string
  code: string
  displayName: string
  phone: string | null
  birthday: string | null
  region: string | null
  gender: string | null
  locale: string
  sourceChannel: string | null
  referrerId: string | null
  externalId: string | null
  marketingConsent: boolean
  privacyConsentAt: string | null
  status: string
  telegramId: string | null
  wechatId: string | null
  lotteryChances: number
  joinedAt: string
  tier: TierView
  points: PointsView
}
