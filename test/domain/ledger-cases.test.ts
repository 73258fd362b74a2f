import { expect, it } from 'vitest'
import { DomainError } from '../../src/shared/errors.ts'
import { ledgerSum } from '../../src/domain/ledger/ledger.repository.ts'
import { describeOnDatabases, programmeWith } from '../helpers/domain.ts'
import { expectLedgerConsistent } from '../helpers/invariants.ts'

let seq = 0
const uid = (prefix: string) => `${prefix}-${++seq}-${Math.random().toString(36).slice(2, 8)}`

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(DomainError)
  return error as DomainError
}

describeOnDatabases('ledger cases real loyalty systems got wrong', (get) => {
  const use = async (overrides: Record<string, unknown> = {}) => {
    await get().domain.programme.replace(programmeWith(overrides))
  }
  const join = async (extra: Record<string, unknown> = {}) =>
    get().domain.members.register({ displayName: uid('m'), ...extra })
  const order = (memberId: string, amount: number, extra: Record<string, unknown> = {}) =>
    get().domain.orders.ingest({ id: uid('o'), member: { id: memberId }, amount, ...extra })
  const grant = (memberId: string, points: number) =>
    get().domain.adjust(memberId, { points, reason: 'test grant' }, 'test')
  const balance = async (memberId: string) =>
    (await get().domain.members.view(memberId)).points.balance

  it('1. an order replayed, and 20 concurrent duplicates, earn once and answer the first response', async () => {
    await use()
    const m = await join()
    const body = { id: uid('order'), member: { id: m.id }, amount: 12_345 }
    const first = await get().domain.orders.ingest(body)
    const replay = await get().domain.orders.ingest(body)
    expect(replay.replayed).toBe(true)
    expect({ ...replay, replayed: false }).toEqual(first)

    const concurrent = { id: uid('order'), member: { id: m.id }, amount: 5_000 }
    const results = await Promise.all(
      Array.from({ length: 20 }, () => get().domain.orders.ingest(concurrent)),
    )
    expect(results.filter((r) => !r.replayed)).toHaveLength(1)
    expect(new Set(results.map((r) => r.pointsEarned))).toEqual(new Set([50]))
    const earns = await get()
      .store.db.selectFrom('ledgerEntries')
      .select('id')
      .where('sourceId', '=', concurrent.id)
      .execute()
    expect(earns).toHaveLength(1)
    expect(await balance(m.id)).toBe(123 + 50)

    const mismatch = await rejection(get().domain.orders.ingest({ ...body, amount: 1 }))
    expect(mismatch.code).toBe('idempotency_mismatch')
  })

  it('2. a check-in delivered three times pays once', async () => {
    await use({ interactions: { checkin: { points: 5 }, dailyCaps: {} } })
    const m = await join()
    const results = await Promise.all([1, 2, 3].map(() => get().domain.interactions.checkIn(m.id)))
    expect(results.filter((r) => r.awarded === 5)).toHaveLength(1)
    expect(results.filter((r) => r.alreadyDone)).toHaveLength(2)
    expect(await balance(m.id)).toBe(5)
  })

  it('3. refund after partial redemption: the balance goes to −80, shown as a debt, settled by the next earnings', async () => {
    await use()
    const m = await join()
    const o = await order(m.id, 10_000)
    expect(o.pointsEarned).toBe(100)
    const reward = await get().domain.rewards.create({ name: 'mug', kind: 'gift', pointsCost: 80 })
    await get().domain.rewards.redeem(m.id, reward.id)
    const refund = await get().domain.orders.refund(o.orderId, { amount: 10_000 })
    expect(refund.pointsReversed).toBe(100)
    expect(refund.member.points).toMatchObject({ balance: -80, debt: 80 })
    await order(m.id, 5_000)
    expect((await get().domain.members.view(m.id)).points).toMatchObject({ balance: -30, debt: 30 })
    await order(m.id, 5_000)
    expect((await get().domain.members.view(m.id)).points).toMatchObject({ balance: 20, debt: 0 })
    expect(await ledgerSum(get().store.db, m.id)).toBe(20)
    await expectLedgerConsistent(get().store.db)
  })

  it('4. partial returns reverse proportionally and never more than was earned', async () => {
    await use({
      earning: {
        ...programmeWith({}).earning,
        conversion: { mode: 'fixed', per: 4_000, points: 70 },
      },
    })
    const m = await join()
    const o = await order(m.id, 4_000)
    expect(o.pointsEarned).toBe(70)
    const first = await get().domain.orders.refund(o.orderId, { amount: 2_000 })
    expect(first.pointsReversed).toBe(35)
    const thirds = [
      await get().domain.orders.refund(o.orderId, { amount: 1_000 }),
      await get().domain.orders.refund(o.orderId, { amount: 1_000 }),
    ]
    expect(35 + thirds[0]!.pointsReversed + thirds[1]!.pointsReversed).toBe(70)
    const over = await rejection(get().domain.orders.refund(o.orderId, { amount: 1 }))
    expect(over.code).toBe('refund_exceeds_order')
    expect(await balance(m.id)).toBe(0)
  })

  it('5. a refund of an order paid with points gives them back once, with a stated expiry', async () => {
    await use()
    const m = await join()
    await grant(m.id, 500)
    const o = await order(m.id, 10_000, { pointsRedeemed: 300 })
    expect(o.pointsRedeemed).toBe(300)
    expect(await balance(m.id)).toBe(500 - 300 + 100)
    const id = uid('refund')
    const refund = await get().domain.orders.refund(o.orderId, { id, amount: 10_000 })
    const retry = await get().domain.orders.refund(o.orderId, { id, amount: 10_000 })
    expect(refund.pointsReturned).toBe(300)
    expect(retry.pointsReturned).toBe(300)
    expect(await balance(m.id)).toBe(500)
    const returned = await get()
      .store.db.selectFrom('ledgerEntries')
      .selectAll()
      .where('kind', '=', 'return')
      .where('memberId', '=', m.id)
      .execute()
    expect(returned).toHaveLength(1)
    // the paid-with lots expire in 12 months, later than the 30-day grace: their expiry is kept
    expect(returned[0]!.expiresAt).toBe('2026-01-10T16:00:00.000Z')
    await expectLedgerConsistent(get().store.db)
  })

  it('6. spending draws the soonest-expiring lots first; after 1 March only the never-expiring 40 are left', async () => {
    await use({ expiry: { mode: 'end_of_month', months: 0 } })
    const m = await join()
    get().clock.set('2025-01-10T04:00:00Z')
    await grant(m.id, 50) // expires end of January
    get().clock.set('2025-02-10T04:00:00Z')
    await grant(m.id, 30) // expires end of February
    await use({ expiry: { mode: 'never' } })
    await grant(m.id, 40)
    // back in January to spend 60: 50 from January's lot, 10 from February's
    get().clock.set('2025-01-20T04:00:00Z')
    await get().domain.adjust(m.id, { points: -60, reason: 'spend' }, 'test')
    const lots = await get()
      .store.db.selectFrom('pointLots')
      .selectAll()
      .where('memberId', '=', m.id)
      .orderBy('id')
      .execute()
    expect(lots.map((l) => l.remaining)).toEqual([0, 20, 40])
    get().clock.set('2025-03-01T00:00:00Z')
    const [a, b] = await Promise.all([
      get().domain.ledger.expireDue(),
      get().domain.ledger.expireDue(),
    ])
    expect(a.points + b.points).toBe(20)
    await get().domain.ledger.expireDue()
    expect(await balance(m.id)).toBe(40)
    await expectLedgerConsistent(get().store.db)
  })

  it('6b. the expiry job racing a redemption never deducts twice', async () => {
    await use({ expiry: { mode: 'rolling', months: 1 } })
    get().clock.set('2025-01-10T04:00:00Z')
    const m = await join()
    await grant(m.id, 100)
    const reward = await get().domain.rewards.create({ name: 'r', kind: 'gift', pointsCost: 60 })
    get().clock.set('2025-02-11T00:00:00Z')
    const [, redemption] = await Promise.allSettled([
      get().domain.ledger.expireDue(),
      get().domain.rewards.redeem(m.id, reward.id),
    ])
    // expired points cannot be spent, whichever runs first
    expect(redemption.status).toBe('rejected')
    expect(((redemption as PromiseRejectedResult).reason as DomainError).code).toBe(
      'insufficient_points',
    )
    expect(await balance(m.id)).toBe(0)
    const expired = await get()
      .store.db.selectFrom('ledgerEntries')
      .select('points')
      .where('memberId', '=', m.id)
      .where('kind', '=', 'expire')
      .execute()
    expect(expired.map((e) => e.points)).toEqual([-100])
    await expectLedgerConsistent(get().store.db)
    await use()
    get().clock.set('2025-01-10T04:00:00Z')
  })

  it('7. a check-in at 23:59 and at 00:01 local are two days', async () => {
    await use({ interactions: { checkin: { points: 5 }, dailyCaps: {} } })
    const m = await join()
    get().clock.set('2025-03-03T15:59:00Z')
    expect((await get().domain.interactions.checkIn(m.id)).awarded).toBe(5)
    get().clock.set('2025-03-03T16:01:00Z')
    expect((await get().domain.interactions.checkIn(m.id)).awarded).toBe(5)
    get().clock.set('2025-03-03T16:05:00Z')
    expect((await get().domain.interactions.checkIn(m.id)).alreadyDone).toBe(true)
    get().clock.set('2025-01-10T04:00:00Z')
  })

  it('8. ¥105 at 1 point per ¥10 earns 10', async () => {
    await use({
      earning: {
        ...programmeWith({}).earning,
        conversion: { mode: 'fixed', per: 1_000, points: 1 },
      },
    })
    const m = await join()
    expect((await order(m.id, 10_500)).pointsEarned).toBe(10)
  })

  it('9. the last unit under contention goes to exactly one of two redeemers', async () => {
    await use()
    const [a, b] = [await join(), await join()]
    await grant(a.id, 100)
    await grant(b.id, 100)
    const reward = await get().domain.rewards.create({
      name: 'last',
      kind: 'gift',
      pointsCost: 10,
      stock: 1,
    })
    const results = await Promise.allSettled([
      get().domain.rewards.redeem(a.id, reward.id),
      get().domain.rewards.redeem(b.id, reward.id),
    ])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const failure = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect((failure.reason as DomainError).code).toBe('out_of_stock')
    expect((await get().domain.rewards.get(reward.id)).stock).toBe(0)
  })

  it('10. one member on two devices: two simultaneous 80-point redemptions of 100 points, one wins', async () => {
    await use()
    const m = await join()
    await grant(m.id, 100)
    const reward = await get().domain.rewards.create({
      name: 'r',
      kind: 'coupon',
      pointsCost: 80,
      value: 1_000,
    })
    const results = await Promise.allSettled([
      get().domain.rewards.redeem(m.id, reward.id),
      get().domain.rewards.redeem(m.id, reward.id),
    ])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    expect(
      (
        (results.find((r) => r.status === 'rejected') as PromiseRejectedResult)
          .reason as DomainError
      ).code,
    ).toBe('insufficient_points')
    expect(await balance(m.id)).toBe(20)
  })

  it('11. a campaign with global limit 10 and 1 per member, 50 parallel claims: exactly 10, no duplicate codes', async () => {
    await use()
    const reward = await get().domain.rewards.create({
      name: 'free coffee',
      kind: 'coupon',
      pointsCost: 0,
      stock: 10,
      perMemberLimit: 1,
    })
    const claimants = await Promise.all(Array.from({ length: 25 }, () => join()))
    const claims = claimants
      .flatMap((m) => [m, m])
      .map((m) => get().domain.rewards.redeem(m.id, reward.id))
    const results = await Promise.allSettled(claims)
    const won = results
      .filter((r) => r.status === 'fulfilled')
      .map(
        (r) =>
          (r as PromiseFulfilledResult<{ couponCode: string | null; member: { id: string } }>)
            .value,
      )
    expect(won).toHaveLength(10)
    expect(new Set(won.map((w) => w.couponCode)).size).toBe(10)
    expect(new Set(won.map((w) => w.member.id)).size).toBe(10)
    expect((await get().domain.rewards.get(reward.id)).stock).toBe(0)
  })

  it('12. spending exactly the threshold qualifies, and the crossing order earns at the old rate', async () => {
    await use()
    const m = await join()
    const crossing = await order(m.id, 100_000)
    expect(crossing.tierBefore).toBe('member')
    expect(crossing.tierAfter).toBe('silver')
    expect(crossing.pointsEarned).toBe(1_000) // ×1, the member rate
    expect((await order(m.id, 10_000)).pointsEarned).toBe(110) // ×1.1 from now on
  })

  it('13. tiers come from the window, not the balance: spending never demotes, refunding the qualifying order can', async () => {
    await use()
    const m = await join()
    const qualifying = await order(m.id, 100_000)
    const reward = await get().domain.rewards.create({
      name: 'big',
      kind: 'gift',
      pointsCost: 1_000,
    })
    await get().domain.rewards.redeem(m.id, reward.id)
    expect((await get().domain.members.view(m.id)).tier.code).toBe('silver')
    await get().domain.orders.refund(qualifying.orderId, { amount: 50_000 })
    expect((await get().domain.members.view(m.id)).tier.code).toBe('member')
  })

  it('13b. a tier set by hand is a floor', async () => {
    await use()
    const m = await join()
    await get().domain.members.update(m.id, { tierFloorCode: 'gold' }, 'test')
    const o = await order(m.id, 1_000)
    expect(o.tierAfter).toBe('gold')
    await get().domain.orders.refund(o.orderId, { amount: 1_000 })
    expect((await get().domain.members.view(m.id)).tier.code).toBe('gold')
  })

  it('13c. at window end a member drops one tier (one_step) or to what the window supports (to_qualified)', async () => {
    for (const [downgrade, expected] of [
      ['one_step', 'gold'],
      ['to_qualified', 'silver'],
    ] as const) {
      await use({ tierRules: { basis: 'spend', windowMonths: 12, downgrade } })
      get().clock.set('2025-01-10T04:00:00Z')
      const m = await join()
      await order(m.id, 2_000_000) // diamond
      expect((await get().domain.members.view(m.id)).tier.code).toBe('diamond')
      get().clock.set('2026-01-11T00:00:00Z')
      await order(m.id, 100_000) // second window: enough for silver only
      get().clock.set('2027-01-11T00:00:00Z')
      await get().domain.tiers.closeEndedWindows()
      // window 1 closed with diamond kept; window 2 (silver only) closes as stated
      expect((await get().domain.members.view(m.id)).tier.code).toBe(expected)
    }
    get().clock.set('2025-01-10T04:00:00Z')
  })

  it('13d. a member whose window ends keeps the tier the window supports', async () => {
    await use()
    get().clock.set('2025-01-10T04:00:00Z')
    const m = await join()
    await order(m.id, 600_000) // gold
    get().clock.set('2026-01-11T00:00:00Z')
    await get().domain.tiers.closeEndedWindows()
    const after = await get().domain.members.view(m.id)
    expect(after.tier.code).toBe('gold')
    expect(after.tier.windowStart).toBe('2026-01-10T04:00:00.000Z')
    get().clock.set('2025-01-10T04:00:00Z')
  })

  it('14. referral pays once on the first qualifying order; self-referral is refused; a refund within the lock cancels it', async () => {
    await use()
    const referrer = await join({ phone: '13800138000' })
    const selfRef = await rejection(
      get().domain.members.register({
        displayName: 'me again',
        phone: '+86 138 0013 8000',
        referrerCode: referrer.code,
      }),
    )
    expect(selfRef.code).toBe('self_referral')
    const newcomer = await join({ referrerCode: referrer.code })
    await order(newcomer.id, 1_000) // below the ¥50 qualifying amount
    expect(await balance(referrer.id)).toBe(0)
    const qualifying = await order(newcomer.id, 10_000)
    expect(qualifying.breakdown.referralBonus).toBe(50)
    await order(newcomer.id, 10_000)
    expect(await balance(referrer.id)).toBe(100)
    const refund = await get().domain.orders.refund(qualifying.orderId, { amount: 10_000 })
    expect(refund.referralCancelled).toBe(true)
    expect(await balance(referrer.id)).toBe(0)
    await expectLedgerConsistent(get().store.db)
  })

  it('15. binding a member’s two records keeps every lot, its expiry and the tier history', async () => {
    await use()
    const telegram = await join({ telegramId: String(1_000 + seq) })
    const wechat = await join({ wechatId: uid('wxid') })
    await order(telegram.id, 10_000)
    await order(wechat.id, 600_000) // gold on the WeChat record
    const lotsBefore = await get()
      .store.db.selectFrom('pointLots')
      .select(['id', 'remaining', 'expiresAt'])
      .where('memberId', 'in', [telegram.id, wechat.id])
      .orderBy('id')
      .execute()
    const merged = await get().domain.members.merge(wechat.id, telegram.id, 'test')
    expect(merged.points.balance).toBe(100 + 6_000)
    expect(merged.tier.code).toBe('gold')
    expect(merged.wechatId).toBe(wechat.wechatId)
    const lotsAfter = await get()
      .store.db.selectFrom('pointLots')
      .select(['id', 'remaining', 'expiresAt'])
      .where('memberId', '=', telegram.id)
      .orderBy('id')
      .execute()
    expect(lotsAfter).toEqual(lotsBefore)
    const history = await get()
      .store.db.selectFrom('tierChanges')
      .select('toCode')
      .where('memberId', '=', telegram.id)
      .execute()
    expect(history.map((h) => h.toCode)).toContain('gold')
    expect((await get().domain.members.get({ wechatId: wechat.wechatId! })).id).toBe(telegram.id)
    await expectLedgerConsistent(get().store.db)
  })
})
