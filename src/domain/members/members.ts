import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js'
import { DateTime } from 'luxon'
import { DomainError } from '../../shared/errors.ts'
import { type Locale, type LocalizedText, localDate } from '../programme/programme.ts'
import type { TierHeldBy } from '../tiers/tiers.ts'

/** `wechat_official`: a follower of the Official Account (公众号), by the openid WeChat gives us. */
export const CHANNELS = ['telegram', 'wechat', 'wechat_official'] as const
export type Channel = (typeof CHANNELS)[number]

/** The field of a member reference and a registration that names a member's identity on a channel. */
export const IDENTITY_FIELD = {
  telegram: 'telegramId',
  wechat: 'wechatId',
  wechat_official: 'officialOpenId',
} as const satisfies Record<Channel, string>

export type IdentityField = (typeof IDENTITY_FIELD)[Channel]

/** The reference to the member holding `externalId` on `channel`. */
export function identityRef(channel: Channel, externalId: string): MemberRef {
  return { [IDENTITY_FIELD[channel]]: externalId } as MemberRef
}

/** A way to name a member from outside: exactly one field is set. */
export type MemberRef =
  | { id: string }
  | { phone: string }
  | { email: string }
  | { code: string }
  | { telegramId: string }
  | { wechatId: string }
  | { officialOpenId: string }
  | { externalId: string }

/** An email address as stored and looked up: trimmed and lower-cased, so that one address is one member. */
export function normalizeEmail(raw: string): string {
  const email = raw.trim().toLowerCase()
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    throw new DomainError('invalid_input', `${JSON.stringify(raw)} is not an email address`, {
      field: 'email',
    })
  }
  return email
}

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

/**
 * A birthday as YYYY-MM-DD, the one check every way in uses (API, chat, mini-app, import): a
 * real calendar date (no 30 February), not after today in the programme's time zone, not
 * before 1900. Returns it; throws `invalid_input` naming `birthday`.
 */
export function checkBirthday(value: string, timezone: string, now: Date): string {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? DateTime.fromISO(value, { zone: 'utc' }) : null
  const reason = !date?.isValid
    ? 'is not a date like 1990-05-20'
    : value > localDate(now, timezone)
      ? 'is in the future'
      : value < '1900-01-01'
        ? 'is before 1900'
        : null
  if (reason)
    throw new DomainError('invalid_input', `birthday ${JSON.stringify(value)} ${reason}`, {
      field: 'birthday',
    })
  return value
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
  /** Why the member holds the tier and how to keep it (`TierOutlook` of the tiers domain). */
  outlook: {
    heldBy: TierHeldBy
    lastDay: string
    keepNeeds: number | null
    after: { code: string; name: LocalizedText }
  }
}

export interface PointsView {
  balance: number
  /** Points owed after a reversal found nothing to take from; paid from the next earnings. */
  debt: number
  /** Points of orders over an issuing cap, waiting for staff review: not in the balance. */
  pending: number
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
  email: string | null
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
  /** The Official Account's openid (公众号). */
  officialOpenId: string | null
  lotteryChances: number
  joinedAt: string
  tier: TierView
  points: PointsView
}

/**
 * A member's name where others may read it (a leaderboard, a notice to staff on a phone's lock
 * screen): enough to recognise, not to identify.
 */
export function maskName(name: string): string {
  const chars = [...name.trim()]
  if (chars.length <= 2) return `${chars[0] ?? ''}*`
  return `${chars[0]}${'*'.repeat(Math.min(chars.length - 2, 3))}${chars.at(-1)}`
}
