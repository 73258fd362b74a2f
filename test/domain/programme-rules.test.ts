import { describe, expect, it } from 'vitest'
import { defaultProgramme } from '../../db/seed/default-programme.ts'
import {
  type Programme,
  computeOrderPoints,
  discountedLines,
  expiryFor,
  localDate,
  programmeSchema,
  proportionalShare,
  qualifiedTierIndex,
} from '../../src/domain/programme/programme.ts'

function programme(
  earning: Record<string, unknown> = {},
  rest: Record<string, unknown> = {},
): Programme {
  return programmeSchema.parse({
    ...defaultProgramme,
    ...rest,
    earning: {
      ...defaultProgramme.earning,
      birthday: { multiplierPercent: 100, scope: 'day' },
      ...earning,
    },
  })
}
const member = programme().tiers[0]!
const ctx = {
  items: [],
  tier: member,
  placedAt: new Date('2025-03-03T04:00:00Z'),
  birthday: null,
  birthdayBonusYear: null,
  isFirstOrder: false,
}

describe('earning rules', () => {
  it('¥105 at 1 point per ¥10 earns 10 (floor)', () => {
    const p = programme({ conversion: { mode: 'fixed', per: 1000, points: 1 } })
    expect(computeOrderPoints(p, { ...ctx, amount: 10_500 }).points).toBe(10)
  })

  it('1.5 × 5 points is 7 under floor, 8 under round and ceil', () => {
    const tier = { ...member, multiplierPercent: 150 }
    for (const [rounding, expected] of [
      ['floor', 7],
      ['round', 8],
      ['ceil', 8],
    ] as const) {
      const p = programme({ rounding })
      expect(computeOrderPoints(p, { ...ctx, tier, amount: 500 }).points).toBe(expected)
    }
  })

  it('rounds once per order or once per line, as the programme states', () => {
    const items = [
      { sku: 'A', quantity: 1, unitPrice: 1_550 },
      { sku: 'B', quantity: 1, unitPrice: 1_550 },
    ]
    const rate = { mode: 'fixed', per: 1000, points: 1 }
    const perOrder = programme({ conversion: rate, roundingScope: 'order' })
    const perLine = programme({ conversion: rate, roundingScope: 'line' })
    expect(computeOrderPoints(perOrder, { ...ctx, items, amount: 3_100 }).points).toBe(3)
    expect(computeOrderPoints(perLine, { ...ctx, items, amount: 3_100 }).points).toBe(2)
  })

  it('shipping earns nothing and a discount lowers the lines in proportion, shares adding up exactly', () => {
    const items = [
      { sku: 'A', quantity: 1, unitPrice: 100 },
      { sku: 'B', quantity: 2, unitPrice: 100 },
    ]
    // 50 × 100/300 = 16⅔ and 50 × 200/300 = 33⅓: the unit left over goes to the larger remainder.
    expect(discountedLines(items, 50)).toEqual([83, 167])
    const three = [1, 2, 3].map((i) => ({ sku: `S${i}`, quantity: 1, unitPrice: 100 }))
    expect(discountedLines(three, 2)).toEqual([99, 99, 100])
    const rate = { mode: 'fixed', per: 10, points: 1 }
    const sale = { ...ctx, items, discount: 50, shipping: 10, amount: 260 }
    const perLine = programme({ conversion: rate, roundingScope: 'line' })
    const perOrder = programme({ conversion: rate, roundingScope: 'order' })
    expect(computeOrderPoints(perLine, sale).points).toBe(8 + 16)
    expect(computeOrderPoints(perOrder, sale).points).toBe(25)
  })

  it('multi-level conversion by order band puts the whole order at its band rate', () => {
    const p = programme({
      conversion: {
        mode: 'banded',
        banding: 'order',
        bands: [
          { from: 0, per: 100, points: 1 },
          { from: 50_000, per: 100, points: 2 },
        ],
      },
    })
    expect(computeOrderPoints(p, { ...ctx, amount: 49_900 }).points).toBe(499)
    expect(computeOrderPoints(p, { ...ctx, amount: 50_000 }).points).toBe(1_000)
  })

  it('marginal multi-level conversion earns each part of the amount at its own band', () => {
    const p = programme({
      conversion: {
        mode: 'banded',
        banding: 'marginal',
        bands: [
          { from: 0, per: 100, points: 1 },
          { from: 50_000, per: 100, points: 2 },
        ],
      },
    })
    expect(computeOrderPoints(p, { ...ctx, amount: 60_000 }).points).toBe(500 + 200)
  })

  it('tier, birthday and campaign-day multipliers multiply and round once', () => {
    const p = programme({
      birthday: { multiplierPercent: 200, scope: 'day' },
      campaignDays: [
        { name: 'member day', from: '2025-03-03', to: '2025-03-03', multiplierPercent: 150 },
      ],
    })
    const tier = { ...member, multiplierPercent: 110 }
    const result = computeOrderPoints(p, { ...ctx, tier, birthday: '1990-03-03', amount: 10_000 })
    expect(result.multipliers.map((m) => m.source)).toEqual(['tier', 'birthday', 'campaign'])
    expect(result.points).toBe(330) // 100 × 1.1 × 2 × 1.5
  })

  it('the birthday multiplier is not paid again in a local year it was paid in', () => {
    const p = programme({ birthday: { multiplierPercent: 200, scope: 'month' } })
    const on = (birthdayBonusYear: number | null) =>
      computeOrderPoints(p, { ...ctx, birthday: '1990-03-20', birthdayBonusYear, amount: 1_000 })
    expect(on(null).points).toBe(20)
    expect(on(2024).points).toBe(20)
    expect(on(2025).points).toBe(10)
  })

  it('campaign days and birthdays are the merchant’s local day', () => {
    const p = programme({
      campaignDays: [{ name: 'd', from: '2025-03-04', to: '2025-03-04', multiplierPercent: 200 }],
    })
    // 16:30 UTC on 3 March is 00:30 on 4 March in Shanghai
    const late = computeOrderPoints(p, {
      ...ctx,
      placedAt: new Date('2025-03-03T16:30:00Z'),
      amount: 1_000,
    })
    expect(late.points).toBe(20)
  })

  it('the first order gets the first-order bonus', () => {
    const p = programme({ firstOrderBonus: 50 })
    expect(computeOrderPoints(p, { ...ctx, amount: 100, isFirstOrder: true }).firstOrderBonus).toBe(
      50,
    )
    expect(
      computeOrderPoints(p, { ...ctx, amount: 100, isFirstOrder: false }).firstOrderBonus,
    ).toBe(0)
  })

  it('amounts of a billion yuan stay exact', () => {
    const p = programme()
    expect(
      computeOrderPoints(p, {
        ...ctx,
        tier: { ...member, multiplierPercent: 150 },
        amount: 100_000_000_000,
      }).points,
    ).toBe(1_500_000_000)
  })
})

describe('proportional shares', () => {
  it('70 points on ¥40 with ¥20 returned is 35, and all returns together are exactly 70', () => {
    expect(proportionalShare(70, 2_000, 4_000)).toBe(35)
    expect(proportionalShare(70, 4_000, 4_000)).toBe(70)
    expect(proportionalShare(70, 1, 3)).toBe(23)
  })
})

describe('expiry in the merchant’s time zone', () => {
  it('rolling: 31 Jan + 1 month is valid through 29 Feb in a leap year, expiring at local midnight', () => {
    const at = expiryFor(
      { mode: 'rolling', months: 1 },
      new Date('2024-01-31T02:00:00Z'),
      'Asia/Shanghai',
    )
    expect(at).toBe('2024-02-29T16:00:00.000Z') // 1 March 00:00 in Shanghai
  })

  it('end of month: an earn at 23:30 in Shanghai expires at Shanghai midnight, not UTC midnight', () => {
    const earnedAt = new Date('2024-01-31T15:30:00Z') // 23:30 on 31 Jan in Shanghai
    expect(expiryFor({ mode: 'end_of_month', months: 0 }, earnedAt, 'Asia/Shanghai')).toBe(
      '2024-01-31T16:00:00.000Z',
    )
    expect(expiryFor({ mode: 'end_of_month', months: 1 }, earnedAt, 'Asia/Shanghai')).toBe(
      '2024-02-29T16:00:00.000Z',
    )
  })

  it('never is null', () => {
    expect(expiryFor({ mode: 'never' }, new Date(), 'Asia/Shanghai')).toBeNull()
  })

  it('23:59 and 00:01 local are two days', () => {
    expect(localDate(new Date('2025-03-03T15:59:00Z'), 'Asia/Shanghai')).toBe('2025-03-03')
    expect(localDate(new Date('2025-03-03T16:01:00Z'), 'Asia/Shanghai')).toBe('2025-03-04')
  })
})

describe('tiers', () => {
  it('reaching a threshold exactly qualifies', () => {
    const p = programme()
    expect(p.tiers[qualifiedTierIndex(p, 99_999)]!.code).toBe('member')
    expect(p.tiers[qualifiedTierIndex(p, 100_000)]!.code).toBe('silver')
  })
})

describe('programme validation', () => {
  it('refuses thresholds that do not increase, naming the field', () => {
    const tiers = [...defaultProgramme.tiers].reverse()
    const result = programmeSchema.safeParse({ ...defaultProgramme, tiers })
    expect(result.success).toBe(false)
    expect(result.error!.issues[0]!.path).toEqual(['tiers'])
  })

  it('refuses an unknown time zone', () => {
    expect(
      programmeSchema.safeParse({ ...defaultProgramme, timezone: 'Mars/Olympus' }).success,
    ).toBe(false)
  })
})
