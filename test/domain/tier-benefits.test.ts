import { describe, expect, it } from 'vitest'
import { defaultProgramme } from '../../db/seed/default-programme.ts'
import { type Tier, programmeSchema } from '../../src/domain/programme/programme.ts'
import { benefitLabel, benefitRefusal, grantedBenefits } from '../../src/domain/tiers/benefits.ts'

/** The default programme's tiers as versions saved before benefits were data stored them. */
function labelOnlyProgramme() {
  const old = structuredClone(defaultProgramme) as unknown as {
    tiers: { benefits: unknown[] }[]
  }
  old.tiers[2]!.benefits = [
    { 'zh-CN': '积分1.25倍', en: '1.25× points' },
    { 'zh-CN': '免运费', en: 'Free shipping' },
  ]
  return old
}

function tier(benefits: unknown[]): Tier {
  const programme = programmeSchema.parse({
    ...structuredClone(defaultProgramme),
    tiers: [{ code: 'gold', name: { 'zh-CN': '金卡', en: 'Gold' }, threshold: 0, benefits }],
  })
  return programme.tiers[0]!
}

describe('tier benefits', () => {
  it('an old programme version with label-only benefits still parses, each label an other perk in both languages', () => {
    const parsed = programmeSchema.parse(labelOnlyProgramme())
    expect(parsed.tiers[2]!.benefits).toEqual([
      { kind: 'other', label: { 'zh-CN': '积分1.25倍', en: '1.25× points' } },
      { kind: 'other', label: { 'zh-CN': '免运费', en: 'Free shipping' } },
    ])
    // Read as text, so a till is not told to waive shipping the merchant never made data.
    expect(grantedBenefits(parsed.tiers[2]!)).toMatchObject({ freeShipping: false, discount: null })
  })

  it('a discount reads as 折 in Chinese and percent off in English, exactly', () => {
    const label = (basisPoints: number) => benefitLabel({ kind: 'discount', basisPoints })
    expect(label(1000)).toEqual({ 'zh-CN': '会员9折', en: '10% member discount' })
    expect(label(1250)).toEqual({ 'zh-CN': '会员8.75折', en: '12.5% member discount' })
    expect(label(1)).toEqual({ 'zh-CN': '会员9.999折', en: '0.01% member discount' })
    expect(label(10_000)).toEqual({ 'zh-CN': '会员免单', en: 'Free for members' })
  })

  it('a tier grants at most one discount, one set of member prices and one free shipping', () => {
    const twice = programmeSchema.safeParse({
      ...structuredClone(defaultProgramme),
      tiers: [
        {
          code: 'gold',
          name: { 'zh-CN': '金卡', en: 'Gold' },
          threshold: 0,
          benefits: [
            { kind: 'discount', basisPoints: 500 },
            { kind: 'discount', basisPoints: 1000 },
          ],
        },
      ],
    })
    expect(twice.success).toBe(false)
    const fraction = programmeSchema.safeParse({
      ...structuredClone(defaultProgramme),
      tiers: [
        {
          code: 'gold',
          name: { 'zh-CN': '金卡', en: 'Gold' },
          threshold: 0,
          benefits: [{ kind: 'discount', basisPoints: 12.5 }],
        },
      ],
    })
    expect(fraction.success).toBe(false)
  })

  it('a tier discount may round the saving up to a whole minor unit, never more', () => {
    const gold = tier([{ kind: 'discount', basisPoints: 1000 }])
    const order = { amount: 13, items: [{ sku: 'A', quantity: 1, unitPrice: 15 }], discount: 2 }
    // 10% of 15 fen is 1.5: a till rounding half up saves 2.
    expect(benefitRefusal(gold, order, [{ kind: 'discount', amount: 2 }])).toBeNull()
    expect(
      benefitRefusal(gold, { ...order, amount: 12, discount: 3 }, [{ kind: 'discount', amount: 3 }])
        ?.details,
    ).toMatchObject({ reason: 'over_rate', allowed: 2 })
  })

  it('a member price counts only on lines charged that price, and free shipping only without shipping', () => {
    const gold = tier([
      { kind: 'member_prices', prices: { TEA: 4_500 } },
      { kind: 'free_shipping' },
    ])
    const lines = [{ sku: 'TEA', quantity: 2, unitPrice: 5_000 }]
    expect(
      benefitRefusal(gold, { amount: 10_000, items: lines }, [
        { kind: 'member_price', sku: 'TEA', amount: 1_000 },
      ])?.details,
    ).toMatchObject({ reason: 'price_differs', price: 4_500, unitPrice: 5_000 })
    expect(
      benefitRefusal(gold, { amount: 10_500, shipping: 500 }, [
        { kind: 'free_shipping', amount: 500 },
      ])?.details,
    ).toMatchObject({ reason: 'shipping_charged' })
    expect(
      benefitRefusal(gold, { amount: 9_000 }, [
        { kind: 'free_shipping', amount: 500 },
        { kind: 'free_shipping', amount: 500 },
      ])?.code,
    ).toBe('invalid_input')
  })
})
