import { z } from 'zod'
import { DomainError } from '../../shared/errors.ts'
import type { LocalizedText, OrderLine, Tier, TierBenefit } from '../programme/programme.ts'

/**
 * A benefit a till applied to an order, with what it saved the member in minor units: the
 * discount off the goods, the saving of a product's member price on its lines, the shipping
 * waived. A benefit that saved nothing was not applied, so an amount is at least 1.
 */
const saved = z.number().int().min(1).max(1_000_000_000_000)
export const appliedBenefitSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('discount'), amount: saved }).strict(),
  z
    .object({ kind: z.literal('member_price'), sku: z.string().min(1).max(200), amount: saved })
    .strict(),
  z.object({ kind: z.literal('free_shipping'), amount: saved }).strict(),
])
export type AppliedBenefit = z.infer<typeof appliedBenefitSchema>

/** What a tier grants now, as a till or a connector applies it. */
export interface GrantedBenefits {
  discount: { basisPoints: number; label: LocalizedText } | null
  memberPrices: { sku: string; price: number }[]
  freeShipping: boolean
  /** Perks the till does not apply (专属客服), as members read them. */
  others: LocalizedText[]
  /** Every benefit of the tier as members read it, in the programme's order. */
  labels: LocalizedText[]
}

/** 1000 basis points off is 9折 (pay 90%); 1250 is 8.75折. Exact: no floating point. */
function zhe(basisPoints: number): string {
  const paid = 10_000 - basisPoints
  const whole = Math.floor(paid / 1000)
  const decimals = String(paid % 1000)
    .padStart(3, '0')
    .replace(/0+$/, '')
  return decimals ? `${whole}.${decimals}` : String(whole)
}

/** 1000 basis points is 10%, 1250 is 12.5%, 1 is 0.01%. */
function percentOf(basisPoints: number): string {
  const decimals = String(basisPoints % 100)
    .padStart(2, '0')
    .replace(/0+$/, '')
  const whole = Math.floor(basisPoints / 100)
  return decimals ? `${whole}.${decimals}` : String(whole)
}

/** How members read a benefit, in both languages: the merchant's label or one made from the data. */
export function benefitLabel(benefit: TierBenefit): LocalizedText {
  switch (benefit.kind) {
    case 'discount':
      return benefit.basisPoints === 10_000
        ? { 'zh-CN': '会员免单', en: 'Free for members' }
        : {
            'zh-CN': `会员${zhe(benefit.basisPoints)}折`,
            en: `${percentOf(benefit.basisPoints)}% member discount`,
          }
    case 'member_prices': {
      const count = Object.keys(benefit.prices).length
      return {
        'zh-CN': `${count}件商品享会员价`,
        en: `Member prices on ${count} ${count === 1 ? 'product' : 'products'}`,
      }
    }
    case 'free_shipping':
      return { 'zh-CN': '免运费', en: 'Free shipping' }
    case 'other':
      return benefit.label
  }
}

export function benefitLabels(tier: Tier): LocalizedText[] {
  return tier.benefits.map(benefitLabel)
}

export function grantedBenefits(tier: Tier): GrantedBenefits {
  const granted: GrantedBenefits = {
    discount: null,
    memberPrices: [],
    freeShipping: false,
    others: [],
    labels: benefitLabels(tier),
  }
  for (const benefit of tier.benefits) {
    if (benefit.kind === 'discount')
      granted.discount = { basisPoints: benefit.basisPoints, label: benefitLabel(benefit) }
    else if (benefit.kind === 'member_prices')
      granted.memberPrices = Object.entries(benefit.prices)
        .map(([sku, price]) => ({ sku, price }))
        .sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0))
    else if (benefit.kind === 'free_shipping') granted.freeShipping = true
    else granted.others.push(benefit.label)
  }
  return granted
}

export interface BenefitClaimOrder {
  amount: number
  items?: OrderLine[]
  discount?: number
  shipping?: number
}

function refused(
  benefit: AppliedBenefit,
  reason: string,
  message: string,
  details: Record<string, unknown> = {},
): DomainError {
  return new DomainError('benefit_not_granted', message, {
    field: 'benefits',
    kind: benefit.kind,
    ...('sku' in benefit ? { sku: benefit.sku } : {}),
    reason,
    ...details,
  })
}

/**
 * Why the benefits a till says it applied are more than the member's tier grants, or null when
 * they are not. The tier is the one the order earns at (the member's tier before the order):
 * - each kind once, a member price once per product (`invalid_input`);
 * - `discount`: the tier has a discount; the claim is part of the order's `discount` when it
 *   gives one, and at most the tier's rate of the goods (the lines, else the amount less
 *   shipping with the discount added back), rounded up to a whole minor unit as a till may;
 * - `member_price`: the tier has a member price for the product, and the order has lines of it,
 *   each charged that price;
 * - `free_shipping`: the tier grants it, and the order charges no shipping.
 */
export function benefitRefusal(
  tier: Tier,
  order: BenefitClaimOrder,
  applied: AppliedBenefit[],
): DomainError | null {
  const keys = applied.map((b) => (b.kind === 'member_price' ? `${b.kind}:${b.sku}` : b.kind))
  const repeated = keys.find((key, i) => keys.indexOf(key) !== i)
  if (repeated) {
    return new DomainError('invalid_input', `benefits: ${repeated} is given more than once`, {
      field: 'benefits',
    })
  }
  const granted = grantedBenefits(tier)
  const items = order.items ?? []
  for (const benefit of applied) {
    if (benefit.kind === 'discount') {
      if (!granted.discount) {
        return refused(benefit, 'not_in_tier', `tier ${tier.code} grants no discount`, {
          tier: tier.code,
        })
      }
      if (order.discount !== undefined && benefit.amount > order.discount) {
        return refused(
          benefit,
          'over_order_discount',
          `the tier discount ${benefit.amount} is more than the order's discount ${order.discount}`,
          { orderDiscount: order.discount },
        )
      }
      const goods =
        items.length > 0
          ? items.reduce((sum, item) => sum + BigInt(item.quantity) * BigInt(item.unitPrice), 0n)
          : BigInt(order.amount - (order.shipping ?? 0) + (order.discount ?? benefit.amount))
      const rate = BigInt(granted.discount.basisPoints)
      const allowed = Number((goods * rate + 9_999n) / 10_000n)
      if (benefit.amount > allowed) {
        return refused(
          benefit,
          'over_rate',
          `tier ${tier.code} takes ${percentOf(granted.discount.basisPoints)}% off ${goods}: at most ${allowed}, not ${benefit.amount}`,
          { tier: tier.code, basisPoints: granted.discount.basisPoints, allowed },
        )
      }
    } else if (benefit.kind === 'member_price') {
      const price = granted.memberPrices.find((p) => p.sku === benefit.sku)?.price
      if (price === undefined) {
        return refused(
          benefit,
          'not_in_tier',
          `tier ${tier.code} has no member price for ${benefit.sku}`,
          { tier: tier.code },
        )
      }
      const lines = items.filter((item) => item.sku === benefit.sku)
      if (lines.length === 0) {
        return refused(benefit, 'no_line', `the order has no line of ${benefit.sku}`)
      }
      const charged = lines.find((item) => item.unitPrice !== price)
      if (charged) {
        return refused(
          benefit,
          'price_differs',
          `${benefit.sku} is charged ${charged.unitPrice}, not the member price ${price}`,
          { price, unitPrice: charged.unitPrice },
        )
      }
    } else {
      if (!granted.freeShipping) {
        return refused(benefit, 'not_in_tier', `tier ${tier.code} grants no free shipping`, {
          tier: tier.code,
        })
      }
      if ((order.shipping ?? 0) > 0) {
        return refused(
          benefit,
          'shipping_charged',
          `free shipping was claimed, yet the order charges shipping ${order.shipping}`,
          { shipping: order.shipping },
        )
      }
    }
  }
  return null
}
