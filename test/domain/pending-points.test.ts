import { expect, it } from 'vitest'
import { ledgerSum } from '../../src/domain/ledger/ledger.repository.ts'
import { expiryFor, localDate } from '../../src/domain/programme/programme.ts'
import { describeOnDatabases, programmeWith } from '../helpers/domain.ts'

let seq = 0
const uid = (prefix: string) => `${prefix}-${++seq}`

describeOnDatabases('caps on issuing points', (get) => {
  // ¥1 = 1 point; amounts are minor units, so 100 is one point.
  async function setCaps(caps: Record<string, number>, extra: Record<string, unknown> = {}) {
    await get().domain.programme.replace(programmeWith({ caps, ...extra }))
  }
  async function newMember(birthday?: string) {
    return get().domain.members.register({ displayName: uid('王小明'), birthday })
  }
  function order(memberId: string, amount: number, id = uid('o')) {
    return get().domain.orders.ingest({ id, member: { id: memberId }, amount })
  }
  async function entries(memberId: string) {
    return get()
      .store.db.selectFrom('ledgerEntries')
      .selectAll()
      .where('memberId', '=', memberId)
      .orderBy('id')
      .execute()
  }

  it('an order over the per-order cap is recorded in full with its points pending, out of the balance', async () => {
    await setCaps({ pointsPerOrder: 1_000, pointsPerMemberPerDay: 1_000_000 })
    const m = await newMember()
    const result = await order(m.id, 200_000, 'big-1')
    expect(result.pointsEarned).toBe(0)
    expect(result.pending).toMatchObject({ points: 2_000, cap: 'per_order', limit: 1_000 })
    expect(result.member.points).toMatchObject({ balance: 0, pending: 2_000 })
    const recorded = await get().domain.orders.get('big-1')
    expect(recorded.amount).toBe(200_000)
    expect(await entries(m.id)).toEqual([])
    const listed = await get().domain.pendingPoints.list({ status: 'pending' })
    expect(listed.items.find((p) => p.orderId === 'big-1')).toMatchObject({
      memberId: m.id,
      amount: 200_000,
      points: 2_000,
      cap: 'per_order',
      status: 'pending',
    })
    const replay = await get().domain.orders.ingest({
      id: 'big-1',
      member: { id: m.id },
      amount: 200_000,
    })
    expect(replay.replayed).toBe(true)
    expect(replay.pending).toEqual(result.pending)
    expect((await get().domain.members.view(m.id)).points.pending).toBe(2_000)
  })

  it('an order recorded before the caps existed replays with no hold', async () => {
    const m = await newMember()
    const first = await order(m.id, 1_000, 'before-caps')
    const { pending: _dropped, ...older } = first
    await get()
      .store.db.updateTable('orders')
      .set({ responseJson: JSON.stringify(older) })
      .where('id', '=', 'before-caps')
      .execute()
    const replay = await get().domain.orders.ingest({
      id: 'before-caps',
      member: { id: m.id },
      amount: 1_000,
    })
    expect(replay).toMatchObject({ replayed: true, pending: null, pointsEarned: 10 })
  })

  it('the day cap counts the points already earned that local day, and a new day starts afresh', async () => {
    await setCaps({ pointsPerOrder: 1_000_000, pointsPerMemberPerDay: 100 })
    const m = await newMember()
    expect((await order(m.id, 6_000)).pointsEarned).toBe(60)
    const over = await order(m.id, 5_000)
    expect(over.pointsEarned).toBe(0)
    expect(over.pending).toMatchObject({ points: 50, cap: 'per_member_day', limit: 100 })
    expect((await order(m.id, 4_000)).pointsEarned).toBe(40)
    expect((await order(m.id, 100)).pending).toMatchObject({ points: 1, cap: 'per_member_day' })
    get().clock.advance(24 * 3_600_000)
    expect((await order(m.id, 9_000)).pointsEarned).toBe(90)
  })

  it('one order of amount 1e12 mints nothing unseen under the default caps', async () => {
    await get().domain.programme.replace(programmeWith({}))
    const m = await newMember()
    const result = await order(m.id, 1_000_000_000_000)
    expect(result.pointsEarned).toBe(0)
    expect(result.pending).toMatchObject({ points: 10_000_000_000, cap: 'per_order' })
    expect((await get().domain.members.view(m.id)).points.balance).toBe(0)
  })

  it('approving credits the points once, authored by the approver, expiring from the approval', async () => {
    await setCaps({ pointsPerOrder: 1_000, pointsPerMemberPerDay: 1_000_000 })
    const m = await newMember()
    const { pending } = await order(m.id, 300_000)
    get().clock.advance(5 * 86_400_000)
    const approved = await get().domain.pendingPoints.approve(pending!.id, 'telegram:42')
    expect(approved.replayed).toBe(false)
    expect(approved.pending).toMatchObject({ status: 'approved', decidedBy: 'telegram:42' })
    expect(approved.member.points).toMatchObject({ balance: 3_000, pending: 0 })
    const again = await get().domain.pendingPoints.approve(pending!.id, 'api:someone else')
    expect(again.replayed).toBe(true)
    expect(again.pending.decidedBy).toBe('telegram:42')
    const ledger = await entries(m.id)
    expect(ledger).toHaveLength(1)
    const programme = (await get().domain.programme.current()).config
    expect(ledger[0]).toMatchObject({
      points: 3_000,
      reason: 'points_approved',
      actor: 'telegram:42',
      expiresAt: expiryFor(programme.expiry, get().clock.now(), programme.timezone),
    })
    expect(await ledgerSum(get().store.db, m.id)).toBe(3_000)
  })

  it('two staff approving at once credit once', async () => {
    await setCaps({ pointsPerOrder: 1_000, pointsPerMemberPerDay: 1_000_000 })
    const m = await newMember()
    const { pending } = await order(m.id, 250_000)
    const results = await Promise.all(
      ['staff:a', 'staff:b', 'staff:c', 'staff:d'].map((who) =>
        get().domain.pendingPoints.approve(pending!.id, who),
      ),
    )
    expect(results.filter((r) => !r.replayed)).toHaveLength(1)
    const ledger = await entries(m.id)
    expect(ledger.map((e) => e.points)).toEqual([2_500])
    expect((await get().domain.members.view(m.id)).points.balance).toBe(2_500)
  })

  it('an approval and a rejection at once: one decides, the other is refused, the points move once', async () => {
    await setCaps({ pointsPerOrder: 1_000, pointsPerMemberPerDay: 1_000_000 })
    const m = await newMember()
    const { pending } = await order(m.id, 250_000)
    const outcomes = await Promise.allSettled([
      get().domain.pendingPoints.approve(pending!.id, 'staff:a'),
      get().domain.pendingPoints.reject(pending!.id, 'staff:b'),
    ])
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1)
    const refused = outcomes.find((o) => o.status === 'rejected')!
    expect(refused).toMatchObject({ reason: { code: 'pending_points_decided' } })
    const decided = await get().domain.pendingPoints.get(pending!.id)
    const ledger = await entries(m.id)
    expect(ledger).toHaveLength(1)
    expect(ledger[0]!.points).toBe(decided.status === 'approved' ? 2_500 : 0)
    expect(await ledgerSum(get().store.db, m.id)).toBe(ledger[0]!.points)
  })

  it('a rejected order gives the birthday multiplier back for the year', async () => {
    await setCaps({ pointsPerOrder: 1_000, pointsPerMemberPerDay: 1_000_000 })
    const today = localDate(get().clock.now(), 'Asia/Shanghai')
    const m = await newMember(`1990-${today.slice(5)}`)
    const held = await order(m.id, 100_000)
    // Doubled on the birthday: 2,000 points, over the cap.
    expect(held.pending).toMatchObject({ points: 2_000 })
    await get().domain.pendingPoints.reject(held.pending!.id, 'api:x')
    const next = await order(m.id, 10_000)
    expect(next.breakdown.multipliers.map((x) => x.source)).toContain('birthday')
    expect(next.pointsEarned).toBe(200)
  })

  it('approving a referred member’s first held order pays the referral, rejecting does not', async () => {
    // The default referral: 100 to the referrer, 50 to the new member, on an order of ¥50 or more.
    await setCaps({ pointsPerOrder: 1_000, pointsPerMemberPerDay: 1_000_000 })
    const referrer = await newMember()
    const referee = await get().domain.members.register({
      displayName: uid('李雷'),
      referrerCode: referrer.code,
    })
    const held = await order(referee.id, 200_000)
    expect(held.breakdown.referralBonus).toBe(0)
    expect((await get().domain.members.view(referrer.id)).points.balance).toBe(0)
    const approved = await get().domain.pendingPoints.approve(held.pending!.id, 'api:x')
    expect(approved.member.points.balance).toBe(2_000 + 50)
    expect((await get().domain.members.view(referrer.id)).points.balance).toBe(100)

    const other = await newMember()
    const declined = await get().domain.members.register({
      displayName: uid('韩梅梅'),
      referrerCode: other.code,
    })
    const rejected = await order(declined.id, 200_000)
    await get().domain.pendingPoints.reject(rejected.pending!.id, 'api:x')
    expect((await get().domain.members.view(other.id)).points.balance).toBe(0)
  })

  it('merging a member carries their held points to the record they are merged into', async () => {
    await setCaps({ pointsPerOrder: 1_000, pointsPerMemberPerDay: 1_000_000 })
    const source = await newMember()
    const target = await newMember()
    const { pending } = await order(source.id, 300_000)
    await get().domain.members.merge(source.id, target.id, 'api_key:test')
    expect((await get().domain.members.view(target.id)).points.pending).toBe(3_000)
    const approved = await get().domain.pendingPoints.approve(pending!.id, 'api:x')
    expect(approved.member.id).toBe(target.id)
    expect(approved.member.points.balance).toBe(3_000)
  })

  it('a member’s own data names the points held for their orders', async () => {
    await setCaps({ pointsPerOrder: 1_000, pointsPerMemberPerDay: 1_000_000 })
    const m = await newMember()
    const { orderId } = await order(m.id, 300_000)
    const data = await get().domain.privacy.exportMember(m.id)
    expect(data.pointsHeld).toEqual([
      expect.objectContaining({ order: orderId, points: 3_000, status: 'pending' }),
    ])
  })

  it('erasing a member drops their held points from the review queue, on the record', async () => {
    await setCaps({ pointsPerOrder: 1_000, pointsPerMemberPerDay: 1_000_000 })
    const m = await newMember()
    const { pending } = await order(m.id, 300_000)
    await get().domain.privacy.erase(m.id, 'member:self')
    expect(await get().domain.pendingPoints.get(pending!.id)).toMatchObject({
      status: 'rejected',
      decidedBy: 'member:self',
    })
    const ledger = await entries(m.id)
    expect(ledger.map((e) => [e.reason, e.points, e.actor])).toEqual([
      ['points_rejected', 0, 'member:self'],
    ])
  })

  it('rejecting drops the points with a zero-point entry naming its author; the other decision is then refused', async () => {
    await setCaps({ pointsPerOrder: 1_000, pointsPerMemberPerDay: 1_000_000 })
    const m = await newMember()
    const { pending } = await order(m.id, 400_000)
    const rejected = await get().domain.pendingPoints.reject(pending!.id, 'api:back office')
    expect(rejected.pending).toMatchObject({ status: 'rejected', decidedBy: 'api:back office' })
    expect(rejected.member.points).toMatchObject({ balance: 0, pending: 0 })
    expect((await get().domain.pendingPoints.reject(pending!.id, 'api:x')).replayed).toBe(true)
    const ledger = await entries(m.id)
    expect(ledger).toHaveLength(1)
    expect(ledger[0]).toMatchObject({
      points: 0,
      reason: 'points_rejected',
      actor: 'api:back office',
      sourceType: 'pending_points',
      sourceId: pending!.id,
    })
    await expect(get().domain.pendingPoints.approve(pending!.id, 'api:x')).rejects.toMatchObject({
      code: 'pending_points_decided',
      details: { status: 'rejected' },
    })
    const other = await order(m.id, 500_000)
    await get().domain.pendingPoints.approve(other.pending!.id, 'api:x')
    await expect(
      get().domain.pendingPoints.reject(other.pending!.id, 'api:x'),
    ).rejects.toMatchObject({ code: 'pending_points_decided', details: { status: 'approved' } })
  })

  it('a refund of an order whose points are pending shrinks them and reverses nothing never granted', async () => {
    await setCaps({ pointsPerOrder: 1_000, pointsPerMemberPerDay: 1_000_000 })
    const m = await newMember()
    const { pending, orderId } = await order(m.id, 200_000)
    const refund = await get().domain.orders.refund(orderId, { id: uid('r'), amount: 50_000 })
    expect(refund.pointsReversed).toBe(0)
    expect(refund.member.points).toMatchObject({ balance: 0, debt: 0, pending: 1_500 })
    const approved = await get().domain.pendingPoints.approve(pending!.id, 'api:x')
    expect(approved.member.points.balance).toBe(1_500)
    // Later refunds reverse what the rest of the order earned, never the part refunded before.
    const second = await get().domain.orders.refund(orderId, { id: uid('r'), amount: 150_000 })
    expect(second.pointsReversed).toBe(1_500)
    expect(second.member.points).toMatchObject({ balance: 0, debt: 0 })

    const whole = await order(m.id, 300_000)
    await get().domain.orders.refund(whole.orderId, { id: uid('r'), amount: 300_000 })
    expect((await get().domain.members.view(m.id)).points.pending).toBe(0)
    await expect(
      get().domain.pendingPoints.approve(whole.pending!.id, 'api:x'),
    ).rejects.toMatchObject({ code: 'pending_points_decided', details: { status: 'refunded' } })
    expect(await ledgerSum(get().store.db, m.id)).toBe(0)
  })

  it('a pending order counts for neither tier progress nor the first-order bonus until approved', async () => {
    // Silver at ¥1,000 of spend; a first-order bonus of 50.
    await setCaps(
      { pointsPerOrder: 50_000, pointsPerMemberPerDay: 1_000_000 },
      {
        earning: {
          ...programmeWith({}).earning,
          firstOrderBonus: 50,
        },
      },
    )
    const m = await newMember()
    const big = await order(m.id, 6_000_000)
    expect(big.pending).toMatchObject({ points: 60_050, cap: 'per_order' })
    expect(big.tierAfter).toBe('member')
    expect((await get().domain.members.view(m.id)).tier.progress.value).toBe(0)
    await get().domain.pendingPoints.reject(big.pending!.id, 'api:x')
    // The rejected order did not use the first-order bonus up.
    const next = await order(m.id, 10_000)
    expect(next.breakdown.firstOrderBonus).toBe(50)
    expect(next.pointsEarned).toBe(150)

    const other = await newMember()
    const held = await order(other.id, 6_000_000)
    expect((await get().domain.members.view(other.id)).tier.code).toBe('member')
    const approved = await get().domain.pendingPoints.approve(held.pending!.id, 'api:x')
    expect(approved.member.tier.code).toBe('diamond')
    expect(approved.member.points.balance).toBe(60_050)
  })
})
