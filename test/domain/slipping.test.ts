import { beforeAll, describe, expect, it } from 'vitest'
import { isDomainError } from '../../src/shared/errors.ts'
import { slippingSince } from '../../src/domain/segments/segments.ts'
import { describeOnDatabases, programmeWith } from '../helpers/domain.ts'

// 12:00 on 1 March in Asia/Shanghai, the programme's zone.
const NOW = '2025-03-01T04:00:00Z'
const DAY = 86_400_000
/** 10:00 Shanghai time, `days` local days before NOW. */
const daysAgo = (days: number) => new Date(Date.parse('2025-03-01T02:00:00Z') - days * DAY)
const RULES = { enabled: true, multiple: 2, minPurchases: 3 }

describe('the slipping rule', () => {
  const habit = (days: number[], supplyDays: number | null = null) => ({
    ordersCount: days.length,
    firstPurchaseAt: daysAgo(Math.max(...days)).toISOString(),
    lastPurchaseAt: daysAgo(Math.min(...days)).toISOString(),
    supplyDays,
  })

  it('starts on the first local day more than the multiple of the usual interval after the last purchase', () => {
    // A 10-day habit, last purchase 25 days ago (4 Feb): slipping from day 21, 25 Feb.
    expect(slippingSince(habit([55, 45, 35, 25]), RULES, 'Asia/Shanghai')).toBe(
      '2025-02-24T16:00:00.000Z',
    )
    // 1.5 × 10 = 15 days may pass; the 16th is one too many.
    expect(
      slippingSince(habit([55, 45, 35, 25]), { ...RULES, multiple: 1.5 }, 'Asia/Shanghai'),
    ).toBe('2025-02-19T16:00:00.000Z')
  })

  it('knows no habit from fewer purchases than minPurchases, nor from purchases all on one day', () => {
    expect(slippingSince(habit([45, 25]), RULES, 'Asia/Shanghai')).toBeNull()
    expect(slippingSince(habit([45, 25]), { ...RULES, minPurchases: 2 }, 'Asia/Shanghai')).toBe(
      '2025-03-16T16:00:00.000Z',
    )
    expect(slippingSince(habit([25, 25, 25]), RULES, 'Asia/Shanghai')).toBeNull()
  })

  it('goes by the supply of the last purchase when a product has a usage cycle, even after one purchase', () => {
    expect(slippingSince(habit([25], 10), RULES, 'Asia/Shanghai')).toBe('2025-02-24T16:00:00.000Z')
    // The supply wins over the habit: a bigger pack lasts longer.
    expect(slippingSince(habit([55, 45, 35, 25], 30), RULES, 'Asia/Shanghai')).toBe(
      '2025-04-05T16:00:00.000Z',
    )
  })

  it('is off when the programme turns it off', () => {
    expect(
      slippingSince(habit([55, 45, 35, 25]), { ...RULES, enabled: false }, 'Asia/Shanghai'),
    ).toBeNull()
  })
})

describeOnDatabases('slipping customers in the classification', (get) => {
  const ids: Record<string, string> = {}
  const names = (memberIds: string[]) =>
    memberIds.map((id) => Object.keys(ids).find((name) => ids[name] === id) ?? id).sort()
  let orderNo = 0
  // Posted when placed, as a till does (orders further back than 30 days are refused).
  const order = async (name: string, days: number, items?: { sku: string; quantity: number }[]) => {
    const placedAt = daysAgo(days).toISOString()
    get().clock.set(placedAt)
    const lines = items?.map((item) => ({ ...item, unitPrice: 1_000 }))
    const amount = lines ? lines.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0) : 5_000
    await get().domain.orders.ingest({
      id: `o-${++orderNo}`,
      member: { id: ids[name]! },
      amount,
      placedAt,
      ...(lines ? { items: lines } : {}),
    })
    get().clock.set(NOW)
  }
  const stage = async (name: string) =>
    (await get().domain.segments.classificationOf(ids[name]!))!.lifecycle

  beforeAll(async () => {
    const { domain, clock } = get()
    clock.set('2024-06-01T00:00:00Z')
    for (const name of ['Ten', 'Sixty', 'Once', 'Cycle', 'Pack', 'Away', 'Lately'])
      ids[name] = (await domain.members.register({ displayName: name, marketingConsent: true })).id
    await domain.reminders.upsertProduct('TEA-10', {
      name: { 'zh-CN': '十日茶', en: 'Ten-day tea' },
      usageCycleDays: 10,
    })
    clock.set(NOW)
    for (const days of [55, 45, 35, 25]) await order('Ten', days)
    for (const days of [145, 85, 25]) await order('Sixty', days)
    await order('Once', 25)
    await order('Cycle', 25, [{ sku: 'TEA-10', quantity: 1 }])
    await order('Pack', 25, [{ sku: 'TEA-10', quantity: 3 }])
    for (const days of [115, 105, 95]) await order('Away', days)
    for (const days of [40, 30, 20]) await order('Lately', days)
    await domain.segments.recompute()
  })

  it('a member with a 10-day habit who is 25 days late is slipping; one with a 60-day habit 25 days after a purchase is not', async () => {
    expect(await stage('Ten')).toBe('slipping')
    expect(await get().domain.segments.classificationOf(ids.Ten!)).toMatchObject({
      lifecycle: 'slipping',
      slippingSince: '2025-02-24T16:00:00.000Z',
    })
    expect(await stage('Sixty')).toBe('repeat')
    expect((await get().domain.segments.classificationOf(ids.Sixty!))!.slippingSince).toBeNull()
  })

  it('one purchase is no habit; the usage cycle of what was bought is, counted by the quantity', async () => {
    expect(await stage('Once')).toBe('first_time')
    expect(await stage('Cycle')).toBe('slipping')
    // Three 10-day packs last 30 days: 25 days after, the member is not late.
    expect(await stage('Pack')).toBe('first_time')
  })

  it('comes before the fixed stages: a customer away at-risk long is at risk, not slipping', async () => {
    expect(await stage('Away')).toBe('at_risk')
    // A 10-day habit, 20 days away: exactly twice the interval is not yet too long.
    expect(await stage('Lately')).toBe('repeat')
  })

  it('is a lifecycle stage segments select and reports count', async () => {
    const { domain } = get()
    expect(names(await domain.segments.resolve({ lifecycle: ['slipping'] }))).toEqual([
      'Cycle',
      'Ten',
    ])
    const report = await domain.reports.programme()
    expect(report.segments.lifecycle.find((s) => s.class === 'slipping')).toMatchObject({
      atEnd: 2,
    })
  })

  it('follows the programme’s multiple and minimum purchases, and refuses settings out of range naming the field', async () => {
    const { domain } = get()
    const refused = await domain.programme
      .replace(programmeWith({ segments: { slipping: { multiple: 0.5 } } }))
      .catch((error: unknown) => error)
    expect(isDomainError(refused) && refused.details).toMatchObject({
      field: 'segments.slipping.multiple',
    })
    await domain.programme.replace(
      programmeWith({ segments: { slipping: { multiple: 3, minPurchases: 3 } } }),
    )
    await domain.segments.recompute()
    expect(await stage('Ten')).toBe('repeat')
    await domain.programme.replace(
      programmeWith({ segments: { slipping: { multiple: 1, minPurchases: 2 } } }),
    )
    await domain.segments.recompute()
    // 1 × 10 days: Lately (20 days away) slips too.
    expect(await stage('Lately')).toBe('slipping')
    await domain.programme.replace(programmeWith({ segments: { slipping: { enabled: false } } }))
    await domain.segments.recompute()
    expect(names(await domain.segments.resolve({ lifecycle: ['slipping'] }))).toEqual([])
  })
})
