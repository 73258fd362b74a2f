import { describe, expect, it } from 'vitest'
import { type Touch, creditOrders } from '../../src/domain/outbox/attribution.ts'
import { compareGroups, drawHoldout } from '../../src/domain/outbox/holdout.ts'

const HOUR = 3_600_000
const WEEK = 7 * 24 * HOUR
const touch = (key: string, at: number, extra: Partial<Touch> = {}): Touch => ({
  key,
  memberId: 'm1',
  at,
  openedAt: null,
  windowMs: WEEK,
  rank: at,
  ...extra,
})

describe('one credit per order: the last touch the member met', () => {
  it('an order goes to the touch received last before it, and to no other', () => {
    const credit = creditOrders(
      [touch('campaign', 0), touch('reminder', HOUR)],
      [{ memberId: 'm1', at: 2 * HOUR, net: 5_000 }],
    )
    expect([...credit]).toEqual([['reminder', { orders: 1, sales: 5_000 }]])
  })

  it('a message opened after a later one arrived is the one the member met last', () => {
    const credit = creditOrders(
      [touch('campaign', 0, { openedAt: 3 * HOUR }), touch('reminder', HOUR)],
      [
        { memberId: 'm1', at: 2 * HOUR, net: 1_000 },
        { memberId: 'm1', at: 4 * HOUR, net: 2_000 },
      ],
    )
    expect(credit.get('reminder')).toEqual({ orders: 1, sales: 1_000 })
    expect(credit.get('campaign')).toEqual({ orders: 1, sales: 2_000 })
  })

  it('touches of the same instant: the higher rank (the later queued) wins', () => {
    const credit = creditOrders(
      [touch('first', HOUR, { rank: 1 }), touch('second', HOUR, { rank: 2 })],
      [{ memberId: 'm1', at: 2 * HOUR, net: 100 }],
    )
    expect([...credit.keys()]).toEqual(['second'])
  })

  it("an order outside a touch's window, or before it, or by another member, is not credited to it", () => {
    const credit = creditOrders(
      [touch('late', 10 * HOUR), touch('short', 0, { windowMs: HOUR })],
      [
        { memberId: 'm1', at: 5 * HOUR, net: 100 },
        { memberId: 'm2', at: 11 * HOUR, net: 100 },
      ],
    )
    expect(credit.size).toBe(0)
  })
})

describe('holdout draw and comparison', () => {
  const ids = Array.from({ length: 1_000 }, (_, i) => `mem_${i}`)

  it('holds out exactly the share asked, the same members for the same seed, others for another', () => {
    const a = drawHoldout(42, ids, 20)
    expect(a.size).toBe(200)
    expect(drawHoldout(42, [...ids].reverse(), 20)).toEqual(a)
    const b = drawHoldout(43, ids, 20)
    expect([...a].filter((id) => b.has(id)).length).toBeLessThan(100)
  })

  it("the interval is Newcombe's hybrid score interval: 56/70 against 48/80 gives 0.0524 to 0.3339 (Newcombe 1998, table II)", () => {
    const result = compareGroups(
      { members: 70, converted: 56, sales: 0 },
      { members: 80, converted: 48, sales: 0 },
    )
    expect(result.interval!.low).toBeCloseTo(0.0524, 4)
    expect(result.interval!.high).toBeCloseTo(0.3339, 4)
  })

  it('uplift, relative uplift and incremental sales of 200/1000 messaged against 50/500 held out', () => {
    const result = compareGroups(
      { members: 1_000, converted: 200, sales: 2_000_000 },
      { members: 500, converted: 50, sales: 400_000 },
    )
    expect(result.uplift).toBe(0.1)
    expect(result.relativeUplift).toBe(1)
    expect(result.interval!.low).toBeCloseTo(0.0623, 4)
    expect(result.interval!.high).toBeCloseTo(0.1349, 4)
    expect(result.incrementalSales).toBe(1_200_000)
    expect(result.verdict).toBe('positive')
  })

  it('an interval spanning zero is no measurable effect; a group under 100 is too small', () => {
    expect(
      compareGroups(
        { members: 400, converted: 40, sales: 0 },
        { members: 400, converted: 38, sales: 0 },
      ).verdict,
    ).toBe('no_measurable_effect')
    expect(
      compareGroups(
        { members: 90, converted: 80, sales: 0 },
        { members: 90, converted: 1, sales: 0 },
      ).verdict,
    ).toBe('too_small')
  })
})
