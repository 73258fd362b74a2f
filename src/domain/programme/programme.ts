import { DateTime, IANAZone } from 'luxon'
import { expiryInstant, localDateOf, localDayBounds } from './calendar.ts'
import { z } from 'zod'
import { MAX_HOLDOUT_PERCENT } from '../outbox/holdout.ts'
import { remindersConfigSchema } from '../reminders/reminder-rules.ts'

export const LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof LOCALES)[number]

const localizedText = z.object({ 'zh-CN': z.string().min(1), en: z.string().min(1) })
export type LocalizedText = z.infer<typeof localizedText>

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
const percent = z.number().int().min(0).max(10_000)
const points = z.number().int().min(0).max(1_000_000_000)
const rate = z.object({
  /** Minor units of currency that earn `points` (100 = ¥1 when the currency is CNY). */
  per: z.number().int().min(1),
  points: z.number().int().min(0).max(1_000_000),
})

/**
 * What a tier grants at the till (会员权益), as data a till or a connector can apply: a discount
 * off the goods, member prices per product, free shipping, and other perks members read about
 * in their language. The rules of what an order may claim are `benefitRefusal` in
 * `domain/tiers/benefits.ts`.
 */
const structuredBenefitSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('discount'),
      /** Off the goods in basis points, exact: 1000 is 10% off (9折), 1 is 0.01%. */
      basisPoints: z.number().int().min(1).max(10_000),
    })
    .strict(),
  z
    .object({
      kind: z.literal('member_prices'),
      /** Product id or SKU → the member's unit price in minor units. */
      prices: z
        .record(z.string().min(1).max(200), z.number().int().min(0).max(1_000_000_000_000))
        .refine((prices) => Object.keys(prices).length >= 1, 'at least one product')
        .refine((prices) => Object.keys(prices).length <= 10_000, 'at most 10,000 products'),
    })
    .strict(),
  z.object({ kind: z.literal('free_shipping') }).strict(),
  z.object({ kind: z.literal('other'), label: localizedText }).strict(),
])
const tierBenefitSchema = z.union([
  structuredBenefitSchema,
  // Programmes saved before benefits were data gave each as its label alone (免运费, 专属客服):
  // those versions still parse, each label an `other` perk shown as written.
  localizedText
    .meta({
      deprecated: true,
      description: 'Deprecated: a label alone, read as an `other` benefit',
    })
    .transform((label) => ({ kind: 'other' as const, label })),
])
export type TierBenefit = z.infer<typeof structuredBenefitSchema>
/** The kinds a till can apply and an order can record, each with the minor units it saved. */
export const APPLIED_BENEFIT_KINDS = ['discount', 'member_price', 'free_shipping'] as const
export type AppliedBenefitKind = (typeof APPLIED_BENEFIT_KINDS)[number]

const tierSchema = z.object({
  code: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'lowercase letters, digits, - and _'),
  name: localizedText,
  /** Growth value (spend in minor units, or points earned from orders) needed in the window. */
  threshold: z.number().int().min(0),
  /** Earning multiplier of the tier: 100 is ×1, 150 is ×1.5. */
  multiplierPercent: percent.default(100),
  benefits: z
    .array(tierBenefitSchema)
    .max(100)
    .default([])
    .refine(
      (benefits) =>
        ['discount', 'member_prices', 'free_shipping'].every(
          (kind) => benefits.filter((b) => b.kind === kind).length <= 1,
        ),
      'a tier has at most one discount, one member_prices and one free_shipping benefit',
    ),
})
export type Tier = z.infer<typeof tierSchema>

const conversionSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('fixed'), ...rate.shape }),
  z.object({
    mode: z.literal('banded'),
    /** `order`: the whole order earns at the rate of the band its amount falls in.
     *  `marginal`: each part of the amount earns at its own band's rate, like tax brackets. */
    banding: z.enum(['order', 'marginal']),
    bands: z
      .array(z.object({ from: z.number().int().min(0), ...rate.shape }))
      .min(1)
      .refine((bands) => bands[0]?.from === 0, 'the first band starts at 0')
      .refine(
        (bands) => bands.every((band, i) => i === 0 || band.from > bands[i - 1]!.from),
        'bands are sorted by `from`, strictly increasing',
      ),
  }),
])
export type Conversion = z.infer<typeof conversionSchema>

const expirySchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('never') }),
  /** Points stay valid through the same local day `months` later (31 Jan + 1 month = 29 Feb). */
  z.object({ mode: z.literal('rolling'), months: z.number().int().min(1).max(120) }),
  /** Points stay valid through the end of the local month `months` after they were earned. */
  z.object({ mode: z.literal('end_of_month'), months: z.number().int().min(0).max(120) }),
])
export type ExpiryPolicy = z.infer<typeof expirySchema>

/**
 * When a customer is `slipping`: away for more than `multiple` times the gap their habit leads
 * to expect, which is the supply of their last purchase when it holds a product with a usage
 * cycle, else their usual interval between purchases once they have `minPurchases`.
 */
const slippingRulesSchema = z.object({
  enabled: z.boolean().default(true),
  multiple: z.number().min(1).max(10).default(2),
  minPurchases: z.number().int().min(2).max(1_000).default(3),
})
export type SlippingRules = z.infer<typeof slippingRulesSchema>
const DEFAULT_SLIPPING_RULES: SlippingRules = { enabled: true, multiple: 2, minPurchases: 3 }

/** The thresholds of the lifecycle stages; days are the merchant's local calendar days. */
const segmentRulesSchema = z
  .object({
    /** A member who has not bought yet is `new` for this many days after joining. */
    newMemberDays: z.number().int().min(1).max(3650).default(30),
    /** A customer whose last purchase is this many days ago is `at_risk`... */
    atRiskDays: z.number().int().min(1).max(3650).default(90),
    /** ...and this many days ago `churned`. */
    churnedDays: z.number().int().min(1).max(3650).default(180),
    /** Purchases that make a customer `loyal` (two make them `repeat`). */
    loyalOrders: z.number().int().min(3).max(1_000_000).default(5),
    /** A customer away for longer than their habit leads to expect is `slipping`. */
    slipping: slippingRulesSchema.default(DEFAULT_SLIPPING_RULES),
  })
  .refine((rules) => rules.churnedDays > rules.atRiskDays, {
    message: 'churnedDays is more than atRiskDays',
    path: ['churnedDays'],
  })
export type SegmentRules = z.infer<typeof segmentRulesSchema>
const DEFAULT_SEGMENT_RULES: SegmentRules = {
  newMemberDays: 30,
  atRiskDays: 90,
  churnedDays: 180,
  loyalOrders: 5,
  slipping: DEFAULT_SLIPPING_RULES,
}

/** The weekly digest of valuable customers who started slipping, to the owner and managers. */
const churnDigestSchema = z.object({
  enabled: z.boolean().default(true),
  /** The local day of the week it is sent on, 1 Monday … 7 Sunday. */
  weekday: z.number().int().min(1).max(7).default(1),
  /** The local time it is sent at (outside quiet hours it goes then, inside them after). */
  sendAt: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time as HH:mm')
    .default('09:00'),
  /** The ABC classes (see Customer classification) that make a customer valuable. */
  abc: z
    .array(z.enum(['A', 'B', 'C']))
    .min(1)
    .max(3)
    .default(['A']),
  /** How many of them the digest names, the most revenue first. */
  top: z.number().int().min(1).max(20).default(5),
})
export type ChurnDigestRules = z.infer<typeof churnDigestSchema>

/** Far above a busy shop's day at ¥1 = 1 point (see docs/programme-rules.md), far below a typo. */
const DEFAULT_CAPS = { pointsPerOrder: 100_000, pointsPerMemberPerDay: 200_000 }

export const programmeSchema = z
  .object({
    name: localizedText,
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .default('CNY'),
    timezone: z
      .string()
      .refine((zone) => IANAZone.isValidZone(zone), 'an IANA time zone such as Asia/Shanghai'),
    defaultLocale: z.enum(LOCALES).default('zh-CN'),
    /** Region used to read phone numbers written without a country code. */
    phoneRegion: z
      .string()
      .regex(/^[A-Z]{2}$/)
      .default('CN'),
    membership: z.object({
      type: z.enum(['open', 'restricted']),
      /** Codes that let a member join a restricted programme. */
      inviteCodes: z.array(z.string().min(1)).default([]),
      /** What members joining in chat are asked for besides their consent. */
      requiredFields: z.array(z.enum(['phone', 'birthday'])).default([]),
    }),
    tiers: z
      .array(tierSchema)
      .min(1)
      .refine(
        (tiers) => tiers[0]?.threshold === 0,
        'the first tier has threshold 0: everyone starts there',
      )
      .refine(
        (tiers) => tiers.every((tier, i) => i === 0 || tier.threshold > tiers[i - 1]!.threshold),
        'tier thresholds strictly increase',
      )
      .refine(
        (tiers) => new Set(tiers.map((t) => t.code)).size === tiers.length,
        'tier codes are unique',
      ),
    tierRules: z.object({
      basis: z.enum(['spend', 'points']),
      windowMonths: z.number().int().min(1).max(60),
      /** At window end: drop at most one tier, or straight to what the window's value supports. */
      downgrade: z.enum(['one_step', 'to_qualified']),
    }),
    earning: z.object({
      conversion: conversionSchema,
      rounding: z.enum(['floor', 'round', 'ceil']).default('floor'),
      /** Round once per order, or once per order line (the lines less their discount share). */
      roundingScope: z.enum(['order', 'line']).default('order'),
      firstOrderBonus: points.default(0),
      /** The least order amount that earns a bonus following a purchase (first-order bonus,
       *  referral rewards); an order of 0 never does. */
      qualifyingOrderAmount: z.number().int().min(0).max(1_000_000_000_000).default(0),
      birthday: z
        .object({ multiplierPercent: percent, scope: z.enum(['day', 'month']) })
        .default({ multiplierPercent: 100, scope: 'day' }),
      campaignDays: z
        .array(
          z.object({
            name: z.string().min(1),
            from: isoDate,
            to: isoDate,
            multiplierPercent: percent,
          }),
        )
        .default([]),
    }),
    orders: z
      .object({
        /** How many days back a till may date an order; older history goes through the import. */
        backdatingDays: z.number().int().min(1).max(3650).default(30),
      })
      .default({ backdatingDays: 30 }),
    /** Points one order, and one member in one local day, may earn without staff review; an
     *  order over either is recorded with all its points pending. */
    caps: z
      .object({
        pointsPerOrder: z
          .number()
          .int()
          .min(1)
          .max(1_000_000_000)
          .default(DEFAULT_CAPS.pointsPerOrder),
        pointsPerMemberPerDay: z
          .number()
          .int()
          .min(1)
          .max(1_000_000_000)
          .default(DEFAULT_CAPS.pointsPerMemberPerDay),
      })
      .default(DEFAULT_CAPS),
    interactions: z
      .object({
        checkin: z.object({ points }).default({ points: 0 }),
        /** Most points one member can get from a kind of interaction in one local day. */
        dailyCaps: z.record(z.string(), points).default({}),
      })
      .default({ checkin: { points: 0 }, dailyCaps: {} }),
    referral: z
      .object({
        referrerPoints: points,
        refereePoints: points,
        /** The referred member's first order must reach this amount to qualify. */
        minOrderAmount: z.number().int().min(0),
        /** A refund within this many days of the qualifying order cancels the reward. */
        lockDays: z.number().int().min(0).max(365),
      })
      .default({ referrerPoints: 0, refereePoints: 0, minOrderAmount: 0, lockDays: 0 }),
    expiry: expirySchema,
    segments: segmentRulesSchema.default(DEFAULT_SEGMENT_RULES),
    /** Points given back by a refund expire no sooner than this many days after it. */
    refundReturnGraceDays: z.number().int().min(0).max(3650).default(30),
    expiringSoonDays: z.number().int().min(1).max(365).default(30),
    /** No marketing message is sent between these local times; they wait for the morning. */
    quietHours: z
      .object({
        start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time as HH:mm'),
        end: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time as HH:mm'),
      })
      .nullable()
      .default({ start: '22:00', end: '08:00' }),
    /** The share of a campaign's audience held out when the campaign does not say, in percent. */
    campaignHoldoutPercent: z.number().int().min(0).max(MAX_HOLDOUT_PERCENT).default(0),
    /**
     * A campaign's messages are of use this many hours after its send time; one its channel
     * held longer (the channel was down) expires instead of arriving late.
     */
    campaignMaxDelayHours: z.number().int().min(1).max(720).default(24),
    /** Re-purchase reminders and lifecycle touchpoints: which run, when, how often, and texts. */
    reminders: remindersConfigSchema.default(remindersConfigSchema.parse({})),
    churnDigest: churnDigestSchema.default(churnDigestSchema.parse({})),
  })
  .superRefine((programme, ctx) => {
    if (
      programme.earning.roundingScope === 'line' &&
      programme.earning.conversion.mode === 'banded' &&
      programme.earning.conversion.banding === 'marginal'
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['earning', 'roundingScope'],
        message: 'per-line rounding cannot be combined with marginal bands',
      })
    }
  })

export type Programme = z.infer<typeof programmeSchema>
export type ProgrammeInput = z.input<typeof programmeSchema>

// ---------------------------------------------------------------------------------------------
// Earning rules. All arithmetic is exact (BigInt fractions) and rounded once, at the scope the
// programme states, so that 1.5 × 5 is 7 under floor and ¥105 at 1 point per ¥10 is 10.

interface Fraction {
  num: bigint
  den: bigint
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b]
  return a < 0n ? -a : a
}

function addFractions(a: Fraction, b: Fraction): Fraction {
  const den = (a.den / gcd(a.den, b.den)) * b.den
  return { num: a.num * (den / a.den) + b.num * (den / b.den), den }
}

function roundFraction({ num, den }: Fraction, rounding: Programme['earning']['rounding']): number {
  if (rounding === 'floor') return Number(num / den)
  if (rounding === 'ceil') return Number((num + den - 1n) / den)
  return Number((2n * num + den) / (2n * den))
}

function bandFor(bands: { from: number; per: number; points: number }[], amount: number) {
  return bands.reduce((chosen, band) => (amount >= band.from ? band : chosen), bands[0]!)
}

/** Points for `amount` before multipliers, as an exact fraction. */
export function basePointsFraction(
  conversion: Conversion,
  amount: number,
  bandAmount = amount,
): Fraction {
  if (conversion.mode === 'fixed') {
    return { num: BigInt(amount) * BigInt(conversion.points), den: BigInt(conversion.per) }
  }
  if (conversion.banding === 'order') {
    const band = bandFor(conversion.bands, bandAmount)
    return { num: BigInt(amount) * BigInt(band.points), den: BigInt(band.per) }
  }
  let total: Fraction = { num: 0n, den: 1n }
  conversion.bands.forEach((band, i) => {
    const upper = conversion.bands[i + 1]?.from ?? Number.POSITIVE_INFINITY
    const inBand = Math.max(0, Math.min(amount, upper) - band.from)
    if (inBand > 0) {
      total = addFractions(total, {
        num: BigInt(inBand) * BigInt(band.points),
        den: BigInt(band.per),
      })
    }
  })
  return total
}

export interface OrderLine {
  sku: string
  quantity: number
  unitPrice: number
}

export interface EarningContext {
  amount: number
  items: OrderLine[]
  /** Off the lines, in minor units: it lowers the lines in proportion. */
  discount?: number
  /** Paid with the order, in minor units, and earns nothing. */
  shipping?: number
  tier: Tier
  placedAt: Date
  birthday: string | null
  /** The local year the birthday multiplier was last paid in: it pays once a year. */
  birthdayBonusYear: number | null
  isFirstOrder: boolean
}

export interface MultiplierApplied {
  source: 'tier' | 'birthday' | 'campaign'
  name: string
  percent: number
}

export interface OrderPoints {
  /** Points from the amount with every multiplier applied, rounded as the programme states. */
  points: number
  multipliers: MultiplierApplied[]
  firstOrderBonus: number
}

export function localDate(at: Date, timezone: string): string {
  return localDateOf(at, timezone)
}

/** The local day that contains `at`, as the ISO instants of its midnight and the next. */
export function localDayRange(at: Date, timezone: string): { start: string; end: string } {
  return localDayBounds(at, timezone)
}

export function activeMultipliers(programme: Programme, ctx: EarningContext): MultiplierApplied[] {
  const applied: MultiplierApplied[] = []
  if (ctx.tier.multiplierPercent !== 100) {
    applied.push({ source: 'tier', name: ctx.tier.code, percent: ctx.tier.multiplierPercent })
  }
  const day = localDate(ctx.placedAt, programme.timezone)
  const { birthday } = programme.earning
  const paidThisYear = ctx.birthdayBonusYear === Number(day.slice(0, 4))
  if (ctx.birthday && birthday.multiplierPercent !== 100 && !paidThisYear) {
    const sameDay = ctx.birthday.slice(5) === day.slice(5)
    const sameMonth = ctx.birthday.slice(5, 7) === day.slice(5, 7)
    if (birthday.scope === 'day' ? sameDay : sameMonth) {
      applied.push({ source: 'birthday', name: 'birthday', percent: birthday.multiplierPercent })
    }
  }
  for (const campaign of programme.earning.campaignDays) {
    if (campaign.from <= day && day <= campaign.to && campaign.multiplierPercent !== 100) {
      applied.push({ source: 'campaign', name: campaign.name, percent: campaign.multiplierPercent })
    }
  }
  return applied
}

/**
 * The points an order earns. Multipliers (tier, birthday, campaign day) multiply each other and
 * the result is rounded once per order or once per line. The tier is the member's tier before
 * the order: the order that crosses a threshold earns at the old tier's rate.
 */
export function computeOrderPoints(programme: Programme, ctx: EarningContext): OrderPoints {
  const { conversion, rounding, roundingScope } = programme.earning
  const multipliers = activeMultipliers(programme, ctx)
  const scale = (fraction: Fraction): Fraction =>
    multipliers.reduce(
      (acc, m) => ({ num: acc.num * BigInt(m.percent), den: acc.den * 100n }),
      fraction,
    )
  const earningAmount = ctx.amount - (ctx.shipping ?? 0)
  const lines =
    roundingScope === 'line' && ctx.items.length > 0
      ? discountedLines(ctx.items, ctx.discount ?? 0)
      : [earningAmount]
  const points = lines.reduce(
    (sum, lineAmount) =>
      sum +
      roundFraction(scale(basePointsFraction(conversion, lineAmount, earningAmount)), rounding),
    0,
  )
  return {
    points,
    multipliers,
    firstOrderBonus:
      ctx.isFirstOrder && ctx.amount >= qualifyingOrderAmount(programme)
        ? programme.earning.firstOrderBonus
        : 0,
  }
}

/**
 * Each line's amount less its share of the discount. Shares are in proportion to the lines and
 * exact: each line takes the floor of its share, and the units left over go one each to the
 * lines with the largest remainders (the earlier line on a tie), so that the shares add up to the
 * discount and the lines to what was paid for goods.
 */
export function discountedLines(items: OrderLine[], discount: number): number[] {
  const amounts = items.map((item) => BigInt(item.quantity) * BigInt(item.unitPrice))
  const total = amounts.reduce((sum, amount) => sum + amount, 0n)
  if (discount === 0 || total === 0n) return amounts.map(Number)
  const off = BigInt(discount)
  const shares = amounts.map((amount) => (off * amount) / total)
  let left = off - shares.reduce((sum, share) => sum + share, 0n)
  const byRemainder = amounts
    .map((amount, i) => ({ i, remainder: (off * amount) % total }))
    .sort((a, b) => (a.remainder === b.remainder ? a.i - b.i : a.remainder > b.remainder ? -1 : 1))
  for (const { i } of byRemainder) {
    if (left === 0n) break
    shares[i]! += 1n
    left -= 1n
  }
  return amounts.map((amount, i) => Number(amount - shares[i]!))
}

/**
 * The least amount an order needs for a bonus that follows a purchase: more than 0 (a free
 * order is no purchase), the programme's `earning.qualifyingOrderAmount`, and the bonus's own
 * minimum (`referral.minOrderAmount`), whichever is highest.
 */
export function qualifyingOrderAmount(programme: Programme, bonusMinimum = 0): number {
  return Math.max(1, programme.earning.qualifyingOrderAmount, bonusMinimum)
}

export type IssuingCap = 'per_order' | 'per_member_day'

/**
 * The issuing cap an order's points go over, if any: the order's own points against
 * `caps.pointsPerOrder`, and those points on top of what the member already earned from orders
 * that local day against `caps.pointsPerMemberPerDay`. Over either, the whole order is held.
 */
export function issuingCapHit(
  programme: Programme,
  orderPoints: number,
  earnedToday: number,
): { cap: IssuingCap; limit: number } | null {
  const { pointsPerOrder, pointsPerMemberPerDay } = programme.caps
  if (orderPoints > pointsPerOrder) return { cap: 'per_order', limit: pointsPerOrder }
  if (earnedToday + orderPoints > pointsPerMemberPerDay)
    return { cap: 'per_member_day', limit: pointsPerMemberPerDay }
  return null
}

/** floor(total × part ÷ whole), exact: the share of `total` that a part of an amount carries. */
export function proportionalShare(total: number, part: number, whole: number): number {
  if (whole <= 0) return 0
  return Number((BigInt(total) * BigInt(part)) / BigInt(whole))
}

// ---------------------------------------------------------------------------------------------
// Expiry, in the merchant's time zone: points expire at a local midnight, never at a UTC one.

/** When points earned at `earnedAt` expire (ISO instant, exclusive), or null when they never do. */
export function expiryFor(policy: ExpiryPolicy, earnedAt: Date, timezone: string): string | null {
  if (policy.mode === 'never') return null
  return expiryInstant(earnedAt, policy.months, policy.mode === 'end_of_month', timezone)
}

/** The last local day before an exclusive instant such as a lot's expiry or a window's end. */
export function lastLocalDay(exclusiveEnd: string, timezone: string): string {
  return localDate(new Date(new Date(exclusiveEnd).getTime() - 1), timezone)
}

export function addLocalMonths(at: Date, months: number, timezone: string): Date {
  return DateTime.fromJSDate(at, { zone: timezone }).plus({ months }).toJSDate()
}

export function addDays(at: Date, days: number): Date {
  return new Date(at.getTime() + days * 86_400_000)
}

// ---------------------------------------------------------------------------------------------
// Tiers

export function tierIndex(programme: Programme, code: string | null | undefined): number {
  if (!code) return -1
  return programme.tiers.findIndex((tier) => tier.code === code)
}

/** The highest tier whose threshold `value` reaches (reaching it exactly qualifies). */
export function qualifiedTierIndex(programme: Programme, value: number): number {
  let index = 0
  programme.tiers.forEach((tier, i) => {
    if (value >= tier.threshold) index = i
  })
  return index
}

export function tierAt(programme: Programme, index: number): Tier {
  const bounded = Math.max(0, Math.min(index, programme.tiers.length - 1))
  return programme.tiers[bounded]!
}

/** The text in `locale`, or in the other language when the merchant wrote only that one. */
export function localize(text: LocalizedText, locale: string): string {
  return locale === 'en' ? text.en || text['zh-CN'] : text['zh-CN'] || text.en
}

/**
 * Text a merchant writes for members (reward, prize and quiz names...): both languages, or one
 * of them, which members of the other language then read as written; the language left out is
 * ''. A plain string is taken as both, for the clients written before names had two languages.
 */
export function merchantText(max: number) {
  const part = z.string().trim().max(max).default('')
  return z
    .union([
      z
        .object({ 'zh-CN': part, en: part })
        .refine((text) => text['zh-CN'] || text.en, {
          message: 'write the text in at least one language',
        })
        .meta({
          description:
            'The text in 简体中文 and English, at least one; members read the other where one is left out',
        }),
      z.string().trim().min(1).max(max).meta({
        deprecated: true,
        description: 'Deprecated: one string, used for both languages',
      }),
    ])
    .transform((text): LocalizedText =>
      typeof text === 'string' ? { 'zh-CN': text, en: text } : text,
    )
}

/** A merchant's text as stored in a `*_json` column; never throws on a well-formed row. */
export function storedText(json: string): LocalizedText {
  return JSON.parse(json) as LocalizedText
}

// ---------------------------------------------------------------------------------------------
// Versions

/** One setting that differs between two versions: its path (`earning.firstOrderBonus`,
 *  `tiers.1.threshold`), and its value in each; a value absent from one side is left out. */
export interface ProgrammeChange {
  path: string
  before?: unknown
  after?: unknown
}

/**
 * What changed from `before` to `after`, setting by setting, in the order of `after`'s keys
 * (then those only `before` has). Lists are compared item by item, so a tier added at the end
 * is its own path, and a list of plain values (invite codes) is one change when it differs.
 */
export function diffProgrammes(before: unknown, after: unknown, path = ''): ProgrammeChange[] {
  const isRecord = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
  const isItemList = (v: unknown): v is unknown[] =>
    Array.isArray(v) && v.some((item) => typeof item === 'object' && item !== null)
  const at = (key: string | number) => (path ? `${path}.${key}` : String(key))
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(after), ...Object.keys(before)])]
    return keys.flatMap((key) =>
      !(key in before)
        ? [{ path: at(key), after: after[key] }]
        : !(key in after)
          ? [{ path: at(key), before: before[key] }]
          : diffProgrammes(before[key], after[key], at(key)),
    )
  }
  if ((isItemList(before) || isItemList(after)) && Array.isArray(before) && Array.isArray(after)) {
    return Array.from({ length: Math.max(before.length, after.length) }, (_, i) =>
      i >= before.length
        ? [{ path: at(i), after: after[i] }]
        : i >= after.length
          ? [{ path: at(i), before: before[i] }]
          : diffProgrammes(before[i], after[i], at(i)),
    ).flat()
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path, before, after }]
}
