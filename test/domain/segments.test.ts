import { beforeAll, describe, expect, it } from 'vitest'
import { lifecycleCutoffs } from '../../src/domain/segments/segments.ts'
import type { SegmentFilterInput } from '../../src/domain/segments/segments.ts'
import { describeOnDatabases, programmeWith } from '../helpers/domain.ts'

const NOW = '2025-01-10T04:00:00Z' // 12:00 on 10 January in Asia/Shanghai, the programme's zone

describe('lifecycle cutoffs', () => {
  it('count days on the merchant’s calendar: N days ago starts at the local midnight of today − N + 1', () => {
    const rules = { newMemberDays: 30, atRiskDays: 90, churnedDays: 180, loyalOrders: 5 }
    expect(lifecycleCutoffs(rules, new Date(NOW), 'Asia/Shanghai')).toEqual({
      newSince: '2024-12-11T16:00:00.000Z',
      atRiskBefore: '2024-10-12T16:00:00.000Z',
      churnedBefore: '2024-07-14T16:00:00.000Z',
      todayEnds: '2025-01-10T16:00:00.000Z',
      timezone: 'Asia/Shanghai',
    })
    // 03:00 UTC on the 10th is still the 9th in Los Angeles.
    expect(
      lifecycleCutoffs(rules, new Date('2025-01-10T03:00:00Z'), 'America/Los_Angeles'),
    ).toEqual({
      newSince: '2024-12-11T08:00:00.000Z',
      atRiskBefore: '2024-10-12T07:00:00.000Z',
      churnedBefore: '2024-07-14T07:00:00.000Z',
      todayEnds: '2025-01-10T08:00:00.000Z',
      timezone: 'America/Los_Angeles',
    })
  })
})

/**
 * Ten customers and two members who have not bought, with orders placed at known times, so
 * that every score below is worked out by hand. With 10 customers a quintile is 2 ranks:
 * score = 1 + ⌊(rank − 1) ÷ 2⌋, rank being 1 + the customers with a strictly lower value.
 *
 *        orders (net)                         last purchase      R  F  M  sum  value   ABC
 * Ana    5 × 20,000 = 100,000                 2025-01-08         5  5  4  14   high    B
 * Bo     2 × 30,000 =  60,000                 2025-01-05         4  3  4  11   medium  B
 * Cai    1 × 5,000                            2025-01-09         5  1  1   7   low     C
 * Dan    3 × 10,000 =  30,000                 2024-10-12 23:59+8 1  4  3   8   medium  B
 * Eve    1 × 8,000                            2024-10-13 00:00+8 2  1  1   4   low     C
 * Fu     6 × 25,000 = 150,000                 2024-06-01         1  5  5  11   medium  A
 * Gao    40,000 − 15,000 refunded = 25,000;   2024-12-10         2  1  2   5   low     C
 *        a second order refunded in full is no purchase
 * Jin    1 × 12,000 (no marketing consent)    2024-12-28         3  1  2   6   low     C
 * Kai    2 × 500,000 = 1,000,000              2024-12-12         3  3  5  11   medium  A
 * Lu     3 × 15,000 =  45,000                 2024-12-30         4  4  3  11   medium  B
 *
 * F ranks: the four single purchases share rank 1 (F 1), Bo and Kai rank 5 (F 3), Dan and Lu
 * rank 7 (F 4), Ana 9 and Fu 10 (F 5). Revenue is 1,435,000: Kai and Fu bring the first 80%
 * (1,148,000: Fu starts below it), Ana to Dan the next 15% (up to 1,363,250), the rest is C.
 */
describeOnDatabases('customer classification and segments', (get) => {
  const ids: Record<string, string> = {}
  const names = (memberIds: string[]) =>
    memberIds.map((id) => Object.keys(ids).find((name) => ids[name] === id) ?? id).sort()
  const resolve = async (filter: SegmentFilterInput) =>
    names(await get().domain.segments.resolve(filter))
  let orderNo = 0
  // Each order is posted when it was placed, as a till does: history older than the back-dating
  // window goes through the import, not the orders API.
  const order = async (name: string, placedAt: string, amount: number) => {
    const id = `o-${++orderNo}`
    get().clock.set(placedAt)
    await get().domain.orders.ingest({ id, member: { id: ids[name]! }, amount, placedAt })
    get().clock.set(NOW)
    return id
  }

  beforeAll(async () => {
    const { domain, clock } = get()
    clock.set('2024-01-01T00:00:00Z')
    const join = async (name: string, extra: Record<string, unknown> = {}) => {
      ids[name] = (
        await domain.members.register({ displayName: name, marketingConsent: true, ...extra })
      ).id
    }
    await join('Ana', { telegramId: '1001', region: 'Shanghai' })
    await join('Bo', { wechatId: 'wx-bo' })
    await join('Cai', { telegramId: '1003', wechatId: 'wx-cai' })
    for (const name of ['Dan', 'Eve', 'Fu', 'Gao', 'Lu', 'Ivy', 'Mo']) await join(name)
    await join('Jin', { marketingConsent: false })
    await join('Kai', { region: 'Beijing' })
    clock.set('2025-01-01T00:00:00Z')
    await join('Hui')
    clock.set(NOW)

    for (const day of ['2024-11-01', '2024-11-20', '2024-12-05', '2024-12-20', '2025-01-08'])
      await order('Ana', `${day}T02:00:00Z`, 20_000)
    await order('Bo', '2024-12-01T02:00:00Z', 30_000)
    await order('Bo', '2025-01-05T02:00:00Z', 30_000)
    await order('Cai', '2025-01-09T02:00:00Z', 5_000)
    for (const placedAt of ['2024-08-01T02:00:00Z', '2024-09-01T02:00:00Z', '2024-10-12T15:59:00Z'])
      await order('Dan', placedAt, 10_000)
    await order('Eve', '2024-10-12T16:00:00Z', 8_000)
    for (const month of ['01-15', '02-15', '03-15', '04-15', '05-15', '06-01'])
      await order('Fu', `2024-${month}T02:00:00Z`, 25_000)
    await domain.orders.refund(await order('Gao', '2024-12-10T02:00:00Z', 40_000), {
      amount: 15_000,
    })
    await domain.orders.refund(await order('Gao', '2024-12-15T02:00:00Z', 10_000), {
      amount: 10_000,
    })
    await order('Jin', '2024-12-28T02:00:00Z', 12_000)
    await order('Kai', '2024-11-11T02:00:00Z', 500_000)
    await order('Kai', '2024-12-12T02:00:00Z', 500_000)
    for (const day of ['2024-12-02', '2024-12-18', '2024-12-30'])
      await order('Lu', `${day}T02:00:00Z`, 15_000)

    await domain.tags.add(ids.Mo!, ['imported', 'wechat'])
    await domain.tags.add(ids.Ivy!, ['imported'])
    await domain.members.merge(ids.Mo!, ids.Ivy!, 'test')
    await domain.members.update(ids.Bo!, { tierFloorCode: 'diamond' }, 'test')
    await domain.tags.add(ids.Ana!, ['vip', 'tea'])
    await domain.tags.add(ids.Hui!, ['vip'])
    await domain.tags.add(ids.Bo!, ['tea'])
  })

  it('classifies every active member: lifecycle, R/F/M quintiles, value class and ABC, worked out by hand', async () => {
    const { segments } = get().domain
    expect(await segments.computedAt()).toBeNull()
    const result = await segments.recompute()
    expect(result).toMatchObject({ members: 12, computedAt: new Date(NOW).toISOString() })
    expect(await segments.computedAt()).toBe(new Date(NOW).toISOString())
    const expected: [
      string,
      string,
      [number, number, number] | null,
      string | null,
      string | null,
    ][] = [
      ['Ana', 'loyal', [5, 5, 4], 'high', 'B'],
      ['Bo', 'repeat', [4, 3, 4], 'medium', 'B'],
      ['Cai', 'first_time', [5, 1, 1], 'low', 'C'],
      ['Dan', 'at_risk', [1, 4, 3], 'medium', 'B'],
      ['Eve', 'first_time', [2, 1, 1], 'low', 'C'],
      ['Fu', 'churned', [1, 5, 5], 'medium', 'A'],
      ['Gao', 'first_time', [2, 1, 2], 'low', 'C'],
      ['Jin', 'first_time', [3, 1, 2], 'low', 'C'],
      ['Kai', 'repeat', [3, 3, 5], 'medium', 'A'],
      ['Lu', 'repeat', [4, 4, 3], 'medium', 'B'],
      ['Hui', 'new', null, null, null],
      ['Ivy', 'potential', null, null, null],
    ]
    const actual = []
    for (const [name] of expected) {
      const c = (await segments.classificationOf(ids[name]!))!
      actual.push([name, c.lifecycle, c.rfm && [c.rfm.r, c.rfm.f, c.rfm.m], c.valueClass, c.abc])
    }
    expect(actual).toEqual(expected)
    expect(await segments.classificationOf(ids.Mo!)).toBeNull()
  })

  it('counts a refunded amount out of revenue and an order refunded in full out of the purchases', async () => {
    expect(await get().domain.segments.classificationOf(ids.Gao!)).toMatchObject({
      ordersCount: 1,
      revenue: 25_000,
      firstPurchaseAt: '2024-12-10T02:00:00.000Z',
      lastPurchaseAt: '2024-12-10T02:00:00.000Z',
    })
    expect(await get().domain.segments.classificationOf(ids.Kai!)).toMatchObject({
      ordersCount: 2,
      revenue: 1_000_000,
    })
  })

  it('{} selects every active member who agreed to marketing; optedIn: false also those who did not', async () => {
    const everyone = [
      'Ana',
      'Bo',
      'Cai',
      'Dan',
      'Eve',
      'Fu',
      'Gao',
      'Hui',
      'Ivy',
      'Jin',
      'Kai',
      'Lu',
    ]
    expect(await resolve({})).toEqual(everyone.filter((name) => name !== 'Jin'))
    expect(await get().domain.segments.count({})).toBe(11)
    expect(await resolve({ optedIn: false })).toEqual(everyone)
    expect(await resolve({ lifecycle: ['first_time'] })).toEqual(['Cai', 'Eve', 'Gao'])
    expect(await resolve({ lifecycle: ['first_time'], optedIn: false })).toEqual([
      'Cai',
      'Eve',
      'Gao',
      'Jin',
    ])
  })

  it('selects by tags (any of), tier, channel and region, read live', async () => {
    expect(await resolve({ tags: ['vip', 'nobody-has-this'] })).toEqual(['Ana', 'Hui'])
    expect(await resolve({ tags: ['tea'], lifecycle: ['repeat'] })).toEqual(['Bo'])
    expect(await resolve({ tiers: ['diamond'] })).toEqual(['Bo'])
    expect(await resolve({ channels: ['wechat'] })).toEqual(['Bo', 'Cai'])
    expect(await resolve({ channels: ['telegram'] })).toEqual(['Ana', 'Cai'])
    expect(await resolve({ regions: ['Beijing'] })).toEqual(['Kai'])
    await get().domain.tags.remove(ids.Hui!, 'vip')
    expect(await resolve({ tags: ['vip'] })).toEqual(['Ana'])
    await get().domain.tags.add(ids.Hui!, ['vip'])
  })

  it('gives a merged record’s tags to the member it was merged into, each tag once', async () => {
    const { tags } = get().domain
    expect(await tags.of(ids.Ivy!)).toEqual({ memberId: ids.Ivy, tags: ['imported', 'wechat'] })
    expect(await tags.of(ids.Mo!)).toEqual({ memberId: ids.Ivy, tags: ['imported', 'wechat'] })
    expect(await resolve({ tags: ['wechat'] })).toEqual(['Ivy'])
  })

  it('selects by classification: value class, ABC, RFM ranges and the last purchase', async () => {
    expect(await resolve({ valueClass: ['high'] })).toEqual(['Ana'])
    expect(await resolve({ abc: ['A'] })).toEqual(['Fu', 'Kai'])
    expect(await resolve({ lifecycle: ['repeat', 'loyal'], abc: ['B'] })).toEqual([
      'Ana',
      'Bo',
      'Lu',
    ])
    expect(await resolve({ rfm: { r: { min: 4 } } })).toEqual(['Ana', 'Bo', 'Cai', 'Lu'])
    expect(await resolve({ rfm: { r: { min: 4 }, m: { max: 3 } } })).toEqual(['Cai', 'Lu'])
    expect(await resolve({ lastPurchaseAfter: '2025-01-01T08:00:00+08:00' })).toEqual([
      'Ana',
      'Bo',
      'Cai',
    ])
    // "before" excludes the instant itself: Eve bought at exactly 2024-10-12T16:00Z.
    expect(await resolve({ lastPurchaseBefore: '2024-10-13T00:00:00+08:00' })).toEqual([
      'Dan',
      'Fu',
    ])
  })

  it('refuses a bad filter naming the field', async () => {
    const { segments } = get().domain
    const field = (filter: unknown) =>
      segments.count(filter as SegmentFilterInput).then(
        () => 'accepted',
        (error: { code: string; details: { field: string } }) =>
          `${error.code} ${error.details.field}`,
      )
    expect(await field({ lifecycle: ['sleeping'] })).toBe('invalid_input filter.lifecycle.0')
    expect(await field({ rfm: { r: { min: 4, max: 2 } } })).toBe('invalid_input filter.rfm.r.max')
    expect(await field({ rfm: { f: { min: 6 } } })).toBe('invalid_input filter.rfm.f.min')
    expect(await field({ colour: 'red' })).toBe('invalid_input filter.colour')
    expect(await field({ tags: [] })).toBe('invalid_input filter.tags')
    expect(await field({ lastPurchaseAfter: 'yesterday' })).toBe(
      'invalid_input filter.lastPurchaseAfter',
    )
    await expect(segments.validate({ tiers: ['platinum'] }, 'segment')).rejects.toMatchObject({
      code: 'invalid_input',
      details: { field: 'segment.tiers.0' },
    })
  })

  it('saves segments and shows each with its size now', async () => {
    const { segments, tags } = get().domain
    const vip = await segments.create({ name: 'VIP', filter: { tags: ['vip'] } })
    expect(vip).toMatchObject({ name: 'VIP', size: 2, filter: { tags: ['vip'], optedIn: true } })
    get().clock.advance(1000)
    const atRisk = await segments.create({
      name: 'Win back',
      filter: { lifecycle: ['at_risk', 'churned'] },
    })
    expect((await segments.sizes()).map((s) => [s.name, s.size])).toEqual([
      ['VIP', 2],
      ['Win back', 2],
    ])
    await tags.add(ids.Kai!, ['vip'])
    expect((await segments.get(vip.id)).size).toBe(3)
    await tags.remove(ids.Kai!, 'vip')
    await segments.delete(atRisk.id)
    await expect(segments.get(atRisk.id)).rejects.toMatchObject({ code: 'not_found' })
    await expect(segments.delete(atRisk.id)).rejects.toMatchObject({ code: 'not_found' })
    expect((await segments.sizes()).map((s) => s.name)).toEqual(['VIP'])
  })

  it('recomputes running at once (several processes) queue and each finishes whole', async () => {
    const { segments } = get().domain
    // Open the connections first, so that the recomputes overlap instead of queueing on connects.
    await Promise.all([1, 2, 3, 4].map(() => segments.computedAt()))
    const results = await Promise.all([1, 2, 3, 4].map(() => segments.recompute()))
    expect(results.map((r) => r.members)).toEqual([12, 12, 12, 12])
    expect(await segments.count({ optedIn: false, lifecycle: ['loyal'] })).toBe(1)
  })

  it('is dynamic: a purchase and new thresholds in the programme change the classes at the next recompute', async () => {
    const { domain } = get()
    await order('Ivy', '2025-01-10T03:00:00Z', 1_000)
    expect((await domain.segments.classificationOf(ids.Ivy!))!.lifecycle).toBe('potential')
    await domain.segments.recompute()
    expect(await domain.segments.classificationOf(ids.Ivy!)).toMatchObject({
      lifecycle: 'first_time',
      rfm: { r: 5 },
    })
    // In UTC, Dan's and Eve's last purchases are on the same day, 90 days ago: both at risk.
    // With atRiskDays 30, Gao (31 days) is at risk too, Kai (29 days) is not yet.
    await domain.programme.replace(
      programmeWith({ timezone: 'UTC', segments: { atRiskDays: 30, churnedDays: 200 } }),
    )
    await domain.segments.recompute()
    expect(await resolve({ lifecycle: ['at_risk'] })).toEqual(['Dan', 'Eve', 'Gao'])
    expect(await resolve({ lifecycle: ['churned'] })).toEqual(['Fu'])
  })
})
