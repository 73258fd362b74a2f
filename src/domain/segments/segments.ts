import { DateTime } from 'luxon'
import { z } from 'zod'
import { DomainError } from '../../shared/errors.ts'
import { CHANNELS } from '../members/members.ts'
import type { Programme, SegmentRules, SlippingRules } from '../programme/programme.ts'

/**
 * The relationship stages of docs/programme-rules.md ("Customer classification"): members who
 * have not bought are `new` or `potential`; customers are `first_time`, `repeat` or `loyal`
 * by their purchases, unless their last purchase makes them `at_risk` or `churned`, or, before
 * that, their being away longer than their habit leads to expect makes them `slipping`.
 */
export const LIFECYCLES = [
  'new',
  'potential',
  'first_time',
  'repeat',
  'loyal',
  'slipping',
  'at_risk',
  'churned',
] as const
export type Lifecycle = (typeof LIFECYCLES)[number]

export const VALUE_CLASSES = ['high', 'medium', 'low'] as const
export type ValueClass = (typeof VALUE_CLASSES)[number]

export const ABC_CLASSES = ['A', 'B', 'C'] as const
export type AbcClass = (typeof ABC_CLASSES)[number]

/** R + F + M at or above which a customer is of high value, and of medium value. */
export const VALUE_CLASS_MIN_RFM = { high: 12, medium: 8 } as const

/** Cumulative shares of revenue, in percent: A brings the first 80%, B the next 15%. */
export const ABC_SHARES = { A: 80, B: 95 } as const

/** Two purchases make a repeat customer; `loyalOrders` (programme) a loyal one. */
export const REPEAT_ORDERS = 2

export const tagSchema = z
  .string()
  .trim()
  .min(1)
  .max(50)
  // The control characters (\p{Cc}) spelled out: the OpenAPI document carries the expression
  // without its flags, and a client's validator would not read \p{Cc} without the u flag.
  .regex(/^[^/\u0000-\u001f\u007f-\u009f]+$/, 'a tag has no / and no control characters')

const score = z.number().int().min(1).max(5)
const scoreRange = z
  .object({ min: score.optional(), max: score.optional() })
  .strict()
  .refine((range) => range.min === undefined || range.max === undefined || range.min <= range.max, {
    message: 'min is at most max',
    path: ['max'],
  })
const instant = z.iso.datetime({ offset: true })
const anyOf = <T extends z.ZodType>(item: T) => z.array(item).min(1).max(100).optional()

/**
 * A saved filter over the classification. Every field narrows the selection; a list matches
 * any of its values; `{}` is every active member who agreed to marketing messages.
 */
export const segmentFilterSchema = z
  .object({
    lifecycle: anyOf(z.enum(LIFECYCLES)),
    valueClass: anyOf(z.enum(VALUE_CLASSES)),
    abc: anyOf(z.enum(ABC_CLASSES)),
    /** RFM scores, 1–5 each, bounds included. */
    rfm: z
      .object({ r: scoreRange.optional(), f: scoreRange.optional(), m: scoreRange.optional() })
      .strict()
      .optional(),
    tiers: anyOf(z.string().min(1).max(32)),
    /** Members carrying any of these tags. */
    tags: anyOf(tagSchema),
    /** Members with an identity on any of these chat channels. */
    channels: anyOf(z.enum(CHANNELS)),
    regions: anyOf(z.string().min(1).max(100)),
    /**
     * Members who came through any of these channel sources (ids): where they first followed
     * or scanned an Official Account channel QR code.
     */
    sources: anyOf(z.string().min(1).max(64)),
    /** Last purchase at or after this instant. */
    lastPurchaseAfter: instant.optional(),
    /** Last purchase before this instant. */
    lastPurchaseBefore: instant.optional(),
    /** true: only members who agreed to marketing messages; false: consent is not asked. */
    optedIn: z.boolean().default(true),
  })
  .strict()
export type SegmentFilter = z.infer<typeof segmentFilterSchema>
export type SegmentFilterInput = z.input<typeof segmentFilterSchema>

function invalid(at: string, path: PropertyKey[], message: string, details = {}): never {
  const field = [at, ...path.map(String)].filter(Boolean).join('.')
  throw new DomainError('invalid_input', `${field}: ${message}`, { field, ...details })
}

/**
 * Validates a filter and fills in its defaults. Throws `invalid_input` whose `field` is the
 * path of the first problem under `at` (e.g. `filter.rfm.r.max`).
 */
export function parseSegmentFilter(input: unknown, at: string): SegmentFilter {
  const parsed = segmentFilterSchema.safeParse(input)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]!
  // A misspelt field is named itself rather than the object that holds it.
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path
  return invalid(at, path, issue.message, {
    issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  })
}

/**
 * A tier the programme does not have is most likely a typo, so a filter being saved or
 * previewed is refused; a saved filter whose tier was removed later simply selects no one.
 */
export function assertTiersExist(filter: SegmentFilter, programme: Programme, at: string): void {
  const codes = new Set(programme.tiers.map((tier) => tier.code))
  filter.tiers?.forEach((code, i) => {
    if (!codes.has(code)) invalid(at, ['tiers', i], `the programme has no tier ${code}`)
  })
}

/**
 * The instants that decide the lifecycle stages at `now`. Days are the merchant's local
 * calendar days: a purchase on local day D is N days old on local day D + N, whatever the hour,
 * so "N days or more" is "before the local midnight that starts day today − N + 1".
 */
export function lifecycleCutoffs(
  rules: Pick<SegmentRules, 'newMemberDays' | 'atRiskDays' | 'churnedDays'>,
  now: Date,
  timezone: string,
) {
  const today = DateTime.fromJSDate(now, { zone: timezone }).startOf('day')
  const cutoff = (days: number) =>
    today
      .minus({ days: days - 1 })
      .toJSDate()
      .toISOString()
  return {
    /** Members who joined at or after this are `new` while they have not bought. */
    newSince: cutoff(rules.newMemberDays),
    atRiskBefore: cutoff(rules.atRiskDays),
    churnedBefore: cutoff(rules.churnedDays),
    /** The local midnight that ends today: a customer slipping from before it is slipping. */
    todayEnds: cutoff(0),
    timezone,
  }
}
export type LifecycleCutoffs = ReturnType<typeof lifecycleCutoffs>

/** What the slipping rule reads of a customer's purchases. */
export interface PurchaseHabit {
  ordersCount: number
  firstPurchaseAt: string
  lastPurchaseAt: string
  /** Days the last purchase's supply lasts (its longest line), when a product has a cycle. */
  supplyDays: number | null
}

/**
 * The gap in days a customer's habit leads to expect after their last purchase: the supply of
 * that purchase when one of its products has a usage cycle, else their usual interval, the
 * local days from the first purchase to the last over the gaps between them, once they have
 * `minPurchases`. Null when there is no habit to go by (too few purchases, or all on one day).
 */
export function expectedGapDays(
  habit: PurchaseHabit,
  rules: SlippingRules,
  timezone: string,
): number | null {
  if (habit.supplyDays !== null) return habit.supplyDays
  if (habit.ordersCount < rules.minPurchases) return null
  const day = (at: string) => DateTime.fromISO(at, { zone: timezone }).startOf('day')
  const span = day(habit.lastPurchaseAt).diff(day(habit.firstPurchaseAt), 'days').days
  const interval = Math.round(span) / (habit.ordersCount - 1)
  return interval >= 1 ? interval : null
}

/**
 * The local midnight from which a customer is slipping, if their habit says when: the first
 * day more than `multiple` × the expected gap after the last purchase's local day. Whether
 * they are slipping now is `lifecycleOf`'s to say (the at-risk and churned stages come first).
 */
export function slippingSince(
  habit: PurchaseHabit,
  rules: SlippingRules,
  timezone: string,
): string | null {
  if (!rules.enabled) return null
  const gap = expectedGapDays(habit, rules, timezone)
  if (gap === null) return null
  return DateTime.fromISO(habit.lastPurchaseAt, { zone: timezone })
    .startOf('day')
    .plus({ days: Math.floor(rules.multiple * gap + 1e-9) + 1 })
    .toUTC()
    .toISO()!
}

/** The classification of one member, as `SegmentsService.classificationOf` reports it. */
export interface MemberClassification {
  memberId: string
  lifecycle: Lifecycle
  rfm: { r: number; f: number; m: number } | null
  valueClass: ValueClass | null
  abc: AbcClass | null
  ordersCount: number
  revenue: number
  firstPurchaseAt: string | null
  lastPurchaseAt: string | null
  /** When the customer started slipping, while they are `slipping`; else null. */
  slippingSince: string | null
  computedAt: string
}

export interface SegmentView {
  id: string
  name: string
  filter: SegmentFilter
  createdAt: string
  size: number
}
