import { z } from '@hono/zod-openapi'
import { DomainError } from '../shared/errors.ts'

/** A text in both languages; the merchant's texts may leave one language '' (members then read the other). */
export const localized = z.object({ 'zh-CN': z.string(), en: z.string() })

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'insufficient_points' }),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .openapi('Error')

export const MemberSchema = z
  .object({
    id: z.string(),
    code: z.string().openapi({ description: 'Short code for the counter (QR / bar code)' }),
    displayName: z.string(),
    phone: z.string().nullable(),
    email: z.string().nullable(),
    birthday: z.string().nullable(),
    region: z.string().nullable(),
    gender: z.string().nullable(),
    locale: z.string(),
    sourceChannel: z.string().nullable(),
    referrerId: z.string().nullable(),
    externalId: z.string().nullable(),
    marketingConsent: z.boolean(),
    privacyConsentAt: z.string().nullable(),
    status: z.string(),
    telegramId: z.string().nullable(),
    wechatId: z.string().nullable(),
    officialOpenId: z.string().nullable().openapi({ description: 'The Official Account’s openid' }),
    lotteryChances: z.number().int(),
    joinedAt: z.string(),
    tier: z.object({
      code: z.string(),
      name: localized,
      multiplierPercent: z.number().int(),
      benefits: z.array(localized),
      floorCode: z.string().nullable(),
      windowStart: z.string(),
      windowEnd: z.string(),
      progress: z.object({
        basis: z.enum(['spend', 'points']),
        value: z.number().int(),
        next: z
          .object({
            code: z.string(),
            name: localized,
            threshold: z.number().int(),
            remaining: z.number().int(),
          })
          .nullable(),
      }),
      outlook: z
        .object({
          heldBy: z.enum(['purchases', 'last_window', 'reward', 'import', 'staff']).openapi({
            description:
              'What holds the tier: this window’s purchases, the last window, points (a bought upgrade), an import, or staff (a floor)',
          }),
          lastDay: z.string().openapi({ description: 'The last local day of the tier window' }),
          keepNeeds: z.number().int().nullable().openapi({
            description: 'Growth value still needed in the window to keep the tier; null: kept',
          }),
          after: z.object({ code: z.string(), name: localized }),
        })
        .openapi({ description: 'Why the member holds the tier and how to keep it' }),
    }),
    points: z.object({
      balance: z.number().int(),
      debt: z.number().int(),
      pending: z.number().int().openapi({
        description:
          'Points of orders over an issuing cap (caps.pointsPerOrder, caps.pointsPerMemberPerDay), waiting for staff review; not in the balance',
      }),
      expiringSoon: z.number().int(),
      expiringSoonBefore: z.string(),
      nextExpiry: z
        .object({ points: z.number().int(), at: z.string(), lastDay: z.string() })
        .nullable(),
    }),
  })
  .openapi('Member')

export const LedgerEntrySchema = z
  .object({
    id: z.string(),
    points: z.number().int().openapi({ description: 'Signed: positive adds, negative takes' }),
    kind: z.string(),
    reason: z.string(),
    note: z.string().nullable(),
    sourceType: z.string().nullable(),
    sourceId: z.string().nullable(),
    balanceAfter: z.number().int(),
    expiresAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('LedgerEntry')

/** A benefit a till applied to an order, with what it saved the member in minor units. */
export const AppliedBenefitSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('discount'), amount: z.number().int() }),
    z.object({ kind: z.literal('member_price'), sku: z.string(), amount: z.number().int() }),
    z.object({ kind: z.literal('free_shipping'), amount: z.number().int() }),
  ])
  .openapi('AppliedBenefit')

export const OrderResultSchema = z
  .object({
    orderId: z.string(),
    pointsEarned: z.number().int(),
    pointsRedeemed: z.number().int(),
    breakdown: z.object({
      base: z.number().int(),
      multipliers: z.array(
        z.object({ source: z.string(), name: z.string(), percent: z.number().int() }),
      ),
      firstOrderBonus: z.number().int(),
      referralBonus: z.number().int(),
    }),
    pending: z
      .object({
        id: z.string(),
        points: z.number().int(),
        cap: z.enum(['per_order', 'per_member_day']),
        limit: z.number().int(),
      })
      .nullable()
      .openapi({
        description:
          'Set when the order went over an issuing cap: all its points wait for staff review (pointsEarned is 0 until they are approved)',
      }),
    tierBefore: z.string(),
    tierAfter: z.string(),
    benefits: z.array(AppliedBenefitSchema).openapi({
      description: 'The benefits of tierBefore the till applied, as recorded with the order',
    }),
    member: MemberSchema,
  })
  .openapi('OrderResult')

export const OrderSchema = z
  .object({
    id: z.string(),
    memberId: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    items: z
      .array(z.object({ sku: z.string(), quantity: z.number().int(), unitPrice: z.number().int() }))
      .optional(),
    status: z.string(),
    pointsEarned: z.number().int(),
    pointsRedeemed: z.number().int(),
    pointsReversed: z.number().int(),
    pointsReturned: z.number().int(),
    refundedAmount: z.number().int(),
    tierCode: z.string().nullable().openapi({
      description:
        'The member’s tier before the order, the one it earned at; null for orders recorded before orders kept it',
    }),
    benefits: z.array(AppliedBenefitSchema).openapi({
      description: 'The benefits of that tier the till applied',
    }),
    placedAt: z.string(),
    createdAt: z.string(),
  })
  .openapi('Order')

export const RefundResultSchema = z
  .object({
    refundId: z.string(),
    orderId: z.string(),
    amount: z.number().int(),
    refundedAmount: z.number().int(),
    pointsReversed: z.number().int(),
    pointsReturned: z.number().int(),
    referralCancelled: z.boolean(),
    member: MemberSchema,
  })
  .openapi('RefundResult')

export const RewardSchema = z
  .object({
    id: z.string(),
    name: localized,
    description: localized.nullable(),
    kind: z.string(),
    pointsCost: z.number().int(),
    stock: z.number().int().nullable(),
    issued: z.number().int(),
    minTierCode: z.string().nullable(),
    perMemberLimit: z.number().int().nullable(),
    value: z.number().int().nullable(),
    tierCode: z.string().nullable(),
    validDays: z.number().int().nullable(),
    /** false while paused or once retired. */
    active: z.boolean(),
    status: z.enum(['active', 'paused', 'retired']),
    startsAt: z.string().nullable(),
    endsAt: z.string().nullable(),
    retiredAt: z.string().nullable(),
    /** The picture's address on this server, or null. */
    imageUrl: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Reward')

/** A reward as one member sees it: `refusal` says why they cannot redeem it now, or is null. */
export const RewardOfferSchema = RewardSchema.extend({
  refusal: z
    .object({ code: z.string().openapi({ example: 'insufficient_points' }), message: z.string() })
    .nullable(),
}).openapi('RewardOffer')

export const CouponSchema = z
  .object({
    code: z.string(),
    kind: z.string(),
    value: z.number().int().nullable(),
    status: z.enum(['issued', 'used', 'expired', 'void']),
    memberId: z.string(),
    rewardId: z.string(),
    rewardName: localized,
    issuedAt: z.string(),
    expiresAt: z.string().nullable(),
    usedAt: z.string().nullable(),
  })
  .openapi('Coupon')

export const RedemptionSchema = z
  .object({
    id: z.string(),
    rewardId: z.string(),
    points: z.number().int(),
    couponCode: z.string().nullable(),
    coupon: CouponSchema.nullable(),
    createdAt: z.string(),
    replayed: z.boolean(),
    member: MemberSchema,
  })
  .openapi('Redemption')

const HoldoutGroupSchema = z.object({
  members: z.number().int(),
  converted: z.number().int(),
  sales: z.number().int(),
  conversion: z.number().nullable(),
  salesPerMember: z.number().nullable().openapi({ description: 'Minor units' }),
})

/** Messaged against held-out members: a campaign's or a reminder kind's proof of effect. */
export const HoldoutComparisonSchema = z
  .object({
    messaged: HoldoutGroupSchema,
    heldOut: HoldoutGroupSchema,
    uplift: z.number().nullable().openapi({
      description: 'Messaged conversion less held-out conversion, as a share (0.1 = 10 points)',
    }),
    relativeUplift: z.number().nullable(),
    interval: z
      .object({ low: z.number(), high: z.number() })
      .nullable()
      .openapi({ description: "95% interval of the uplift (Newcombe's hybrid score)" }),
    incrementalSales: z.number().int().nullable(),
    verdict: z.enum(['too_small', 'no_measurable_effect', 'positive', 'negative']),
  })
  .openapi('HoldoutComparison')

/**
 * A period as the reports and the reminders' results take it, resolved in the merchant's time
 * zone by `resolvePeriod` (domain/reports/reports.ts).
 */
export const PeriodQuery = z.object({
  from: z.string().max(64).optional().openapi({
    description:
      'First day (YYYY-MM-DD, the merchant’s local midnight) or instant (ISO 8601 with offset); default: 30 days before `to`',
    example: '2025-03-01',
  }),
  to: z.string().max(64).optional().openapi({
    description: 'End, exclusive, in the same forms; default: the end of today',
    example: '2025-04-01',
  }),
})

export const PeriodSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    asOf: z.string().openapi({ description: 'When point-in-time figures are read: to, or now' }),
    timezone: z.string(),
    fromDay: z.string(),
    toDay: z.string(),
  })
  .openapi('ReportPeriod')

/**
 * The standard error responses, for routes to spread into their `responses`; 429 is on every
 * route, since every route is rate limited.
 */
export function errorResponses(...statuses: (400 | 401 | 403 | 404 | 409 | 413 | 415 | 503)[]) {
  const descriptions = {
    400: 'Invalid input',
    401: 'Missing or unknown API key',
    403: 'Role not allowed',
    404: 'Not found',
    409: 'Conflict',
    413: 'The body is over its limit (payload_too_large)',
    415: 'Not a kind of file this operation takes (image_unsupported)',
    503: 'Not available on this server (see the error code)',
    429: 'Rate limited (rate_limited): Retry-After says in how many seconds to try again',
  }
  return Object.fromEntries(
    [...statuses, 429 as const].map((status) => [
      status,
      {
        description: descriptions[status],
        content: { 'application/json': { schema: ErrorSchema } },
      },
    ]),
  ) as Record<
    (typeof statuses)[number] | 429,
    { description: string; content: { 'application/json': { schema: typeof ErrorSchema } } }
  >
}

const PICTURE_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const

/** A request whose body is a picture itself, of a type the picture check takes (`checkImage`). */
export function pictureBody() {
  return {
    required: true,
    content: Object.fromEntries(
      PICTURE_TYPES.map((type) => [type, { schema: z.string().openapi({ format: 'binary' }) }]),
    ),
  } as const
}

export function json<T>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } }
}

export const IdempotencyKeyHeader = z.object({
  'idempotency-key': z.string().min(1).max(200).optional().openapi({
    description:
      'Required: a retry with the same key is answered with the first result, not applied again; a request without one is refused with 400 idempotency_key_required',
  }),
})

/**
 * The key of a write that a retry could apply twice (points, stock or money). A client that
 * forgets it would double the effect on its first timeout, so the write is refused instead.
 */
export function requireIdempotencyKey(key: string | undefined, orGive?: string): string {
  if (key) return key
  const hint = orGive ? ` (or ${orGive})` : ''
  throw new DomainError(
    'idempotency_key_required',
    `send an Idempotency-Key header${hint} so that a retry is not applied twice`,
    { field: 'idempotency-key' },
  )
}
