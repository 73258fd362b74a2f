import { expect, it } from 'vitest'
import { describeOnDatabases, programmeWith } from '../helpers/domain.ts'

let seq = 0
const name = () => `e-${++seq}`

describeOnDatabases('loyalty engine', (get) => {
  const use = async (overrides: Record<string, unknown> = {}) =>
    get().domain.programme.replace(programmeWith(overrides))

  it('a restricted programme admits members who join by themselves only with an invite code', async () => {
    await use({ membership: { type: 'restricted', inviteCodes: ['VIP2026'] } })
    const { members } = get().domain
    await expect(
      members.register({ displayName: name() }, { enforceMembership: true }),
    ).rejects.toMatchObject({ code: 'invite_required' })
    await expect(
      members.register({ displayName: name(), inviteCode: 'nope' }, { enforceMembership: true }),
    ).rejects.toMatchObject({ code: 'invite_invalid' })
    expect(
      (
        await members.register(
          { displayName: name(), inviteCode: ' VIP2026 ' },
          { enforceMembership: true },
        )
      ).status,
    ).toBe('active')
    // the merchant's own API is trusted
    expect((await members.register({ displayName: name() })).status).toBe('active')
    await use()
  })

  it('interaction rewards stop at the daily cap of the merchant’s local day, and pay again the next day', async () => {
    await use({ interactions: { checkin: { points: 5 }, dailyCaps: { quiz: 30 } } })
    get().clock.set('2025-04-01T02:00:00Z')
    const m = await get().domain.members.register({ displayName: name() })
    const { interactions } = get().domain
    expect((await interactions.award(m.id, 'quiz', 20, `quiz:a:${m.id}`)).awarded).toBe(20)
    const capped = await interactions.award(m.id, 'quiz', 20, `quiz:b:${m.id}`)
    expect(capped).toMatchObject({ awarded: 10, capped: true })
    expect((await interactions.award(m.id, 'quiz', 20, `quiz:c:${m.id}`)).awarded).toBe(0)
    expect((await interactions.award(m.id, 'quiz', 20, `quiz:a:${m.id}`)).alreadyDone).toBe(true)
    get().clock.set('2025-04-01T16:30:00Z') // 00:30 on 2 April in Shanghai
    expect((await interactions.award(m.id, 'quiz', 20, `quiz:d:${m.id}`)).awarded).toBe(20)
    expect((await get().domain.members.view(m.id)).points.balance).toBe(50)
    get().clock.set('2025-01-10T04:00:00Z')
  })

  it('a coupon expires after its valid days and can no longer be used', async () => {
    await use()
    get().clock.set('2025-01-10T04:00:00Z')
    const m = await get().domain.members.register({ displayName: name() })
    const reward = await get().domain.rewards.create({
      name: '¥5 off',
      kind: 'coupon',
      pointsCost: 0,
      value: 500,
      validDays: 7,
    })
    const { couponCode } = await get().domain.rewards.redeem(m.id, reward.id)
    get().clock.set('2025-01-17T04:00:01Z')
    expect((await get().domain.rewards.verifyCoupon(couponCode!)).status).toBe('expired')
    await expect(get().domain.rewards.useCoupon(couponCode!, 'till 1')).rejects.toMatchObject({
      code: 'coupon_expired',
    })
    get().clock.set('2025-01-10T04:00:00Z')
  })

  it('two tills using the same coupon at once: one succeeds', async () => {
    await use()
    const m = await get().domain.members.register({ displayName: name() })
    const reward = await get().domain.rewards.create({ name: 'gift', kind: 'gift', pointsCost: 0 })
    const { couponCode } = await get().domain.rewards.redeem(m.id, reward.id)
    const results = await Promise.allSettled(
      [1, 2, 3].map((i) => get().domain.rewards.useCoupon(couponCode!, `till ${i}`)),
    )
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
  })

  it('points buy a tier upgrade, held until the window ends; a lottery chance is counted', async () => {
    await use()
    const m = await get().domain.members.register({ displayName: name() })
    await get().domain.adjust(m.id, { points: 1_000, reason: 'test' }, 'test')
    const upgrade = await get().domain.rewards.create({
      name: 'gold for points',
      kind: 'tier_upgrade',
      pointsCost: 800,
      tierCode: 'gold',
    })
    const chance = await get().domain.rewards.create({
      name: 'draw',
      kind: 'lottery_chance',
      pointsCost: 100,
    })
    expect((await get().domain.rewards.redeem(m.id, upgrade.id)).member.tier.code).toBe('gold')
    expect((await get().domain.rewards.redeem(m.id, chance.id)).member.lotteryChances).toBe(1)
  })

  it('a tier upgrade to a tier the member holds or exceeds is refused before any write', async () => {
    await use()
    const m = await get().domain.members.register({ displayName: name() })
    await get().domain.adjust(m.id, { points: 2_000, reason: 'test' }, 'test')
    const reward = (tierCode: string) =>
      get().domain.rewards.create({
        name: `${tierCode} for points`,
        kind: 'tier_upgrade',
        pointsCost: 500,
        stock: 5,
        tierCode,
      })
    const gold = await reward('gold')
    const silver = await reward('silver')
    await get().domain.rewards.redeem(m.id, gold.id)
    for (const held of [gold, silver]) {
      await expect(get().domain.rewards.redeem(m.id, held.id)).rejects.toMatchObject({
        code: 'tier_already_held',
        details: { tierCode: held.tierCode, heldTierCode: 'gold' },
      })
    }
    const after = await get().domain.members.view(m.id)
    expect(after.points.balance).toBe(1_500)
    expect((await get().domain.rewards.get(gold.id)).stock).toBe(4)
    expect((await get().domain.rewards.get(silver.id)).stock).toBe(5)
    const redemptions = await get()
      .store.db.selectFrom('redemptions')
      .select('rewardId')
      .where('memberId', '=', m.id)
      .execute()
    expect(redemptions).toEqual([{ rewardId: gold.id }])
  })

  it('a reward for higher tiers is refused below them; a per-member limit holds', async () => {
    await use()
    const m = await get().domain.members.register({ displayName: name() })
    await get().domain.adjust(m.id, { points: 100, reason: 'test' }, 'test')
    const exclusive = await get().domain.rewards.create({
      name: 'vip',
      kind: 'gift',
      pointsCost: 1,
      minTierCode: 'diamond',
    })
    await expect(get().domain.rewards.redeem(m.id, exclusive.id)).rejects.toMatchObject({
      code: 'tier_required',
    })
    const once = await get().domain.rewards.create({
      name: 'once',
      kind: 'gift',
      pointsCost: 1,
      perMemberLimit: 1,
    })
    await get().domain.rewards.redeem(m.id, once.id)
    await expect(get().domain.rewards.redeem(m.id, once.id)).rejects.toMatchObject({
      code: 'limit_reached',
    })
  })

  it('every ledger entry records the programme version that produced it', async () => {
    const v1 = await use()
    const m = await get().domain.members.register({ displayName: name() })
    await get().domain.orders.ingest({ id: `pv-${seq}-a`, member: { id: m.id }, amount: 1_000 })
    const v2 = await use({
      earning: { ...programmeWith({}).earning, conversion: { mode: 'fixed', per: 100, points: 2 } },
    })
    await get().domain.orders.ingest({ id: `pv-${seq}-b`, member: { id: m.id }, amount: 1_000 })
    const entries = await get()
      .store.db.selectFrom('ledgerEntries')
      .select(['points', 'programmeVersion'])
      .where('memberId', '=', m.id)
      .orderBy('id')
      .execute()
    expect(entries).toEqual([
      { points: 10, programmeVersion: v1.version },
      { points: 20, programmeVersion: v2.version },
    ])
    await use()
  })

  it('shows the points expiring in the next 30 days and the next expiry', async () => {
    await use({ expiry: { mode: 'rolling', months: 1 } })
    get().clock.set('2025-01-10T04:00:00Z')
    const m = await get().domain.members.register({ displayName: name() })
    await get().domain.adjust(m.id, { points: 40, reason: 'test' }, 'test')
    await use({ expiry: { mode: 'never' } })
    await get().domain.adjust(m.id, { points: 60, reason: 'test' }, 'test')
    const view = await get().domain.members.view(m.id)
    expect(view.points).toMatchObject({
      balance: 100,
      expiringSoon: 0,
      nextExpiry: { points: 40, at: '2025-02-10T16:00:00.000Z', lastDay: '2025-02-10' },
    })
    get().clock.set('2025-01-20T04:00:00Z')
    expect((await get().domain.members.view(m.id)).points.expiringSoon).toBe(40)
    get().clock.set('2025-01-10T04:00:00Z')
    await use()
  })

  it('the birthday multiplier pays once a calendar year, even when the birthday is changed to another day', async () => {
    await use()
    get().clock.set('2025-01-10T04:00:00Z')
    const m = await get().domain.members.register({ displayName: name(), birthday: '1990-01-10' })
    const order = (id: string) =>
      get().domain.orders.ingest({ id: `bd-${seq}-${id}`, member: { id: m.id }, amount: 10_000 })
    expect((await order('a')).pointsEarned).toBe(200)
    expect((await order('b')).pointsEarned).toBe(100)
    await get().domain.members.update(
      m.id,
      { birthday: '1990-02-10' },
      'staff:test',
      'moved to pay twice',
    )
    get().clock.set('2025-02-10T04:00:00Z')
    expect((await order('c')).pointsEarned).toBe(100)
    get().clock.set('2026-02-10T04:00:00Z')
    expect((await order('d')).pointsEarned).toBe(200)
    get().clock.set('2025-01-10T04:00:00Z')
  })

  it('the tier outlook says what holds the tier, when the window ends and what keeping it takes', async () => {
    await use()
    const m = await get().domain.members.register({ displayName: name() })
    await get().domain.orders.ingest({ id: `ol-${seq}-a`, member: { id: m.id }, amount: 120_000 })
    const earned = await get().domain.members.view(m.id)
    expect(earned.tier).toMatchObject({
      code: 'silver',
      outlook: {
        heldBy: 'purchases',
        keepNeeds: null,
        after: { code: 'silver' },
        lastDay: '2026-01-10',
      },
    })
    await get().domain.adjust(m.id, { points: 800, reason: 'test' }, 'test')
    const gold = await get().domain.rewards.create({
      name: 'gold for points',
      kind: 'tier_upgrade',
      pointsCost: 800,
      tierCode: 'gold',
    })
    const bought = (await get().domain.rewards.redeem(m.id, gold.id)).member
    expect(bought.tier).toMatchObject({
      code: 'gold',
      outlook: { heldBy: 'reward', keepNeeds: 500_000 - 120_000, after: { code: 'silver' } },
    })
    await get().domain.members.update(m.id, { tierFloorCode: 'diamond' }, 'staff:test')
    expect((await get().domain.members.view(m.id)).tier).toMatchObject({
      code: 'diamond',
      outlook: { heldBy: 'staff', keepNeeds: null, after: { code: 'diamond' } },
    })
  })

  it('an admin invite sent by two chats at once makes exactly one of them staff', async () => {
    const { code } = await get().domain.staff.createInvite('staff')
    const results = await Promise.allSettled([
      get().domain.staff.acceptInvite(code, 'telegram', '1001', 'A'),
      get().domain.staff.acceptInvite(code, 'wechat', 'wxid_b', 'B'),
    ])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    await expect(get().domain.staff.requireRole('telegram', '9999', 'staff')).rejects.toMatchObject(
      { code: 'forbidden' },
    )
  })

  it('an admin invite expires after seven days', async () => {
    get().clock.set('2025-01-10T04:00:00Z')
    const { code } = await get().domain.staff.createInvite('owner')
    get().clock.set('2025-01-17T04:00:01Z')
    await expect(
      get().domain.staff.acceptInvite(code, 'telegram', '1002', 'C'),
    ).rejects.toMatchObject({ code: 'invite_invalid' })
    get().clock.set('2025-01-10T04:00:00Z')
  })

  it('two registrations of the same phone at once create one member', async () => {
    await use()
    const results = await Promise.allSettled(
      [1, 2, 3].map(() =>
        get().domain.members.register({ displayName: name(), phone: '13700137000' }),
      ),
    )
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect(r.reason).toMatchObject({ code: 'member_exists' })
    }
  })
})
