import type { SegmentRules } from '../programme/programme.ts'
import {
  ABC_SHARES,
  type AbcClass,
  type Lifecycle,
  REPEAT_ORDERS,
  VALUE_CLASS_MIN_RFM,
  type LifecycleCutoffs,
  type PurchaseHabit,
  type ValueClass,
  slippingSince,
} from './segments.ts'

/** A member's purchases: orders not refunded in full, revenue net of refunds. */
export interface Purchases extends PurchaseHabit {
  revenue: number
}

export interface Classified {
  lifecycle: Lifecycle
  /** Set while the customer is `slipping`: the local midnight it started. */
  slippingSince: string | null
  r: number | null
  f: number | null
  m: number | null
  valueClass: ValueClass | null
  abc: AbcClass | null
}

/** The number of values in `sorted` below `value`, or at or below it with `orEqual`. */
function countBelow(sorted: Float64Array, value: number, orEqual = false): number {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const mid = (low + high) >>> 1
    const item = sorted[mid]!
    if (item < value || (orEqual && item === value)) low = mid + 1
    else high = mid
  }
  return low
}

/**
 * What the quintiles and ABC need to know of all customers, gathered batch by batch before
 * any member is classified: each customer's last purchase, purchase count and revenue. The
 * values are kept sorted in typed arrays (24 bytes a customer), never per-member objects.
 */
export class CustomerPopulation {
  private readonly last: number[] = []
  private readonly orders: number[] = []
  private readonly revenues: number[] = []

  add(purchases: Purchases): void {
    this.last.push(Date.parse(purchases.lastPurchaseAt))
    this.orders.push(purchases.ordersCount)
    this.revenues.push(purchases.revenue)
  }

  /** Sorts what was added; the population is read only from here on. */
  seal(): SealedPopulation {
    const sorted = (values: number[]) => Float64Array.from(values).sort()
    const revenue = sorted(this.revenues)
    const prefix = new Float64Array(revenue.length + 1)
    for (let i = 0; i < revenue.length; i++) prefix[i + 1] = prefix[i]! + revenue[i]!
    return new SealedPopulation(sorted(this.last), sorted(this.orders), revenue, prefix)
  }
}

export class SealedPopulation {
  constructor(
    private readonly last: Float64Array,
    private readonly orders: Float64Array,
    private readonly revenue: Float64Array,
    /** prefix[i]: the revenue of the i customers with the least. */
    private readonly prefix: Float64Array,
  ) {}

  get customers(): number {
    return this.revenue.length
  }

  /**
   * `1 + ⌊5 × (rank − 1) ÷ customers⌋`, rank − 1 being the customers with a strictly lower
   * value, so that equal values share a score. A member who became a customer after the
   * population was read is scored against it and capped at 5.
   */
  private quintile(sorted: Float64Array, value: number): number {
    const customers = Math.max(sorted.length, 1)
    return Math.min(5, 1 + Math.floor((5 * countBelow(sorted, value)) / customers))
  }

  /** A when the customers with more revenue bring less than 80% of it all, B below 95%. */
  private abc(revenue: number): AbcClass {
    const total = this.prefix[this.revenue.length]!
    const above = total - this.prefix[countBelow(this.revenue, revenue, true)]!
    if (100 * above < ABC_SHARES.A * total) return 'A'
    if (100 * above < ABC_SHARES.B * total) return 'B'
    return 'C'
  }

  /** A member's stage, scores and classes (docs/programme-rules.md, "Customer classification"). */
  classify(
    joinedAt: string,
    purchases: Purchases | null,
    rules: SegmentRules,
    cutoffs: LifecycleCutoffs,
  ): Classified {
    if (!purchases) {
      const lifecycle = joinedAt >= cutoffs.newSince ? 'new' : 'potential'
      return {
        lifecycle,
        slippingSince: null,
        r: null,
        f: null,
        m: null,
        valueClass: null,
        abc: null,
      }
    }
    const r = this.quintile(this.last, Date.parse(purchases.lastPurchaseAt))
    const f = this.quintile(this.orders, purchases.ordersCount)
    const m = this.quintile(this.revenue, purchases.revenue)
    const sum = r + f + m
    const lifecycle = lifecycleOf(purchases, rules, cutoffs)
    return {
      lifecycle,
      slippingSince:
        lifecycle === 'slipping'
          ? slippingSince(purchases, rules.slipping, cutoffs.timezone)
          : null,
      r,
      f,
      m,
      valueClass:
        sum >= VALUE_CLASS_MIN_RFM.high
          ? 'high'
          : sum >= VALUE_CLASS_MIN_RFM.medium
            ? 'medium'
            : 'low',
      abc: this.abc(purchases.revenue),
    }
  }
}

function lifecycleOf(
  purchases: Purchases,
  rules: SegmentRules,
  cutoffs: LifecycleCutoffs,
): Lifecycle {
  if (purchases.lastPurchaseAt < cutoffs.churnedBefore) return 'churned'
  if (purchases.lastPurchaseAt < cutoffs.atRiskBefore) return 'at_risk'
  const since = slippingSince(purchases, rules.slipping, cutoffs.timezone)
  if (since !== null && since < cutoffs.todayEnds) return 'slipping'
  if (purchases.ordersCount >= rules.loyalOrders) return 'loyal'
  if (purchases.ordersCount >= REPEAT_ORDERS) return 'repeat'
  return 'first_time'
}

/** Members per lifecycle stage, value class and ABC class, as the day's snapshot keeps them. */
export class ClassSizes {
  readonly sizes = new Map<string, { dimension: string; class: string; members: number }>()

  count(classified: Classified): void {
    this.add('lifecycle', classified.lifecycle)
    if (classified.valueClass) this.add('value', classified.valueClass)
    if (classified.abc) this.add('abc', classified.abc)
  }

  private add(dimension: string, name: string): void {
    const key = `${dimension}/${name}`
    const size = this.sizes.get(key)
    if (size) size.members++
    else this.sizes.set(key, { dimension, class: name, members: 1 })
  }
}
