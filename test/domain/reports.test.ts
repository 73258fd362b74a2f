import { beforeAll, describe, expect, it } from 'vitest'
import { resolvePeriod, weeksOf } from '../../src/domain/reports/reports.ts'
import { describeOnDatabases, programmeWith } from '../helpers/domain.ts'

const TZ = 'Asia/Shanghai'

describe('the period of a report', () => {
  const now = new Date('2025-03-10T04:00:00Z') // 12:00 on Monday 10 March in Shanghai

  it('is the 30 local days up to the end of today unless asked, and local days mean local midnight', () => {
    expect(resolvePeriod({}, TZ, now)).toMatchObject({
      from: '2025-02-08T16:00:00.000Z',
      to: '2025-03-10T16:00:00.000Z',
      asOf: '2025-03-10T04:00:00.000Z',
      fromDay: '2025-02-09',
      toDay: '2025-03-11',
    })
    expect(resolvePeriod({ from: '2025-03-01', to: '2025-03-08' }, TZ, now)).toMatchObject({
      from: '2025-02-28T16:00:00.000Z',
      to: '2025-03-07T16:00:00.000Z',
      asOf: '2025-03-07T16:00:00.000Z',
    })
    expect(resolvePeriod({ from: '2025-03-01T12:00:00+08:00' }, TZ, now).from).toBe(
      '2025-03-01T04:00:00.000Z',
    )
  })

  it.each([
    [{ from: '2025-02-30' }, 'from'],
    [{ from: 'yesterday' }, 'from'],
    [{ to: '2025-03-01T10:00:00' }, 'to'],
    [{ from: '2025-03-05', to: '2025-03-05' }, 'to'],
    [{ from: '2025-03-12', to: '2025-03-20' }, 'from'],
    [{ from: '2020-01-01', to: '2025-01-01' }, 'from'],
  ])('refuses %j naming %s', (query, field) => {
    expect(() => resolvePeriod(query, TZ, now)).toThrow(
      expect.objectContaining({ code: 'invalid_input', details: { field } }),
    )
  })

  it('splits into Monday-to-Sunday weeks cut to the period', () => {
    const weeks = weeksOf(resolvePeriod({ from: '2025-03-01', to: '2025-03-11' }, TZ, now))
    expect(weeks).toEqual([
      { week: '2025-02-24', from: '2025-02-28T16:00:00.000Z', to: '2025-03-02T16:00:00.000Z' },
      { week: '2025-03-03', from: '2025-03-02T16:00:00.000Z', to: '2025-03-09T16:00:00.000Z' },
      { week: '2025-03-10', from: '2025-03-09T16:00:00.000Z', to: '2025-03-10T16:00:00.000Z' },
    ])
  })
})

/**
 * A fixed history, built through the real services with the clock moved to each event (times
 * are 12:00 in Shanghai unless said). The programme: ¥1 = 1 point, points expire at the end of
 * the month they were earned in, churned after 30 days, at risk after 20, new for 10.
 *
 *   Jan 10  A and D join                       Feb 28  recompute (snapshot of 28 Feb)
 *   Jan 11  D orders ¥40 (+40)                 Mar 1 00:00  A orders ¥200 (+200), on the boundary
 *   Jan 12  B joins                            Mar 1   expiry: B −300, A −50, C −120
 *   Jan 15  A orders ¥100 (+100)               Mar 2   F joins, orders ¥500 (+500)
 *   Feb 1   expiry: A −100, D −40; C joins     Mar 3   E checks in (+5)
 *   Feb 10  B orders ¥300 (+300)               Mar 4   F's order refunded in full (−500);
 *   Feb 15  E joins                                    campaign "Spring" (cost ¥100, 7 days)
 *   Feb 20  A orders ¥50 (+50)                         sent to A and C (tag vip)
 *   Feb 25  C orders ¥120 (+120)               Mar 5   A orders ¥80 (+80): the campaign's
 *   Feb 26  B answers the survey: 6            Mar 6   A opens the campaign's page
 *   Feb 27  guest sale ¥999                    Mar 8   guest sale ¥100
 *                                              Mar 9   guest sale ¥50, ¥20 of it refunded
 *                                              Mar 12  C orders ¥60 (+60), after the window
 *                                              Mar 15  G joins, is given 20 points by hand
 *                                              Mar 20  survey: A 7, C 5, E 2
 *                                              Mar 25  A redeems a gift for 100 points
 *                                              Mar 31  recompute (snapshot of 31 Mar)
 *                                              Apr 1 00:00  H joins (after the period)
 *
 * The report is for March: [1 Mar, 1 Apr) local = [Feb 28 16:00Z, Mar 31 16:00Z).
 */
describeOnDatabases('programme reports on a fixed history', (get) => {
  const ids: Record<string, string> = {}
  let campaignId = ''
  const at = (iso: string) => get().clock.set(iso)
  const noon = (day: string) => at(`${day}T04:00:00Z`)
  const join = async (name: string, telegramId?: string) => {
    const member = await get().domain.members.register({
      displayName: name,
      ...(telegramId ? { telegramId, marketingConsent: true } : {}),
    })
    ids[name] = member.id
  }
  const order = (id: string, name: string, amount: number) =>
    get().domain.orders.ingest({ id, member: { id: ids[name]! }, amount })

  beforeAll(async () => {
    const { domain } = get()
    noon('2025-01-10')
    await domain.programme.replace(
      programmeWith({
        expiry: { mode: 'end_of_month', months: 0 },
        segments: { newMemberDays: 10, atRiskDays: 20, churnedDays: 30, loyalOrders: 3 },
      }),
    )
    const survey = await domain.surveys.create({
      title: 'How was it?',
      question: 'Rate us',
      rewardPoints: 0,
    })
    const gift = await domain.rewards.create({ name: 'Mug', kind: 'gift', pointsCost: 100 })
    await join('A', '1001')
    await join('D')
    noon('2025-01-11')
    await order('d-1', 'D', 4_000)
    noon('2025-01-12')
    await join('B', '1002')
    noon('2025-01-15')
    await order('a-1', 'A', 10_000)
    noon('2025-02-01')
    await domain.ledger.expireDue()
    await join('C', '1003')
    noon('2025-02-10')
    await order('b-1', 'B', 30_000)
    noon('2025-02-15')
    await join('E')
    noon('2025-02-20')
    await order('a-2', 'A', 5_000)
    noon('2025-02-25')
    await order('c-1', 'C', 12_000)
    noon('2025-02-26')
    await domain.surveys.respond(ids.B!, survey.id, { score: 6 })
    noon('2025-02-27')
    await domain.guestSales.record({ id: 'g-0', amount: 99_900 })
    noon('2025-02-28')
    await domain.segments.recompute()

    at('2025-02-28T16:00:00.000Z') // 00:00 on 1 March: the first instant of the period
    await order('a-3', 'A', 20_000)
    noon('2025-03-01')
    await domain.ledger.expireDue()
    noon('2025-03-02')
    await join('F')
    await order('f-1', 'F', 50_000)
    noon('2025-03-03')
    await domain.interactions.checkIn(ids.E!)
    noon('2025-03-04')
    await domain.orders.refund('f-1', { id: 'f-1-refund', amount: 50_000 })
    await domain.tags.add(ids.A!, ['vip'])
    await domain.tags.add(ids.C!, ['vip'])
    const campaign = await domain.campaigns.create(
      {
        name: 'Spring',
        message: { text: 'Spring sale' },
        segment: { tags: ['vip'] },
        cost: 10_000,
      },
      'test',
    )
    campaignId = campaign.id
    await domain.campaigns.dispatchDue()
    for (const row of await domain.outbox.claim('w', ['telegram'], 10))
      await domain.outbox.settle('w', row, { status: 'sent' })
    noon('2025-03-05')
    await order('a-4', 'A', 8_000)
    noon('2025-03-06')
    await domain.campaigns.recordOpen(campaignId, ids.A!)
    noon('2025-03-08')
    await domain.guestSales.record({ id: 'g-1', amount: 10_000 })
    noon('2025-03-09')
    await domain.guestSales.record({ id: 'g-2', amount: 5_000 })
    await domain.guestSales.refund('g-2', { id: 'g-2-refund', amount: 2_000 })
    noon('2025-03-12')
    await order('c-2', 'C', 6_000)
    noon('2025-03-15')
    await join('G')
    await domain.adjust(ids.G!, { points: 20, reason: 'welcome gift' }, 'test')
    noon('2025-03-20')
    for (const [name, score] of [
      ['A', 7],
      ['C', 5],
      ['E', 2],
    ] as const)
      await domain.surveys.respond(ids[name]!, survey.id, { score })
    noon('2025-03-25')
    await domain.rewards.redeem(ids.A!, gift.id)
    noon('2025-03-31')
    await domain.segments.recompute()
    at('2025-03-31T16:00:00.000Z') // 00:00 on 1 April: outside the period
    await join('H')
    noon('2025-04-10')
    await domain.segments.recompute()
  })

  const march = { from: '2025-03-01', to: '2025-04-01' }

  it('counts members, new members and the new-member rate', async () => {
    const report = await get().domain.reports.programme(march)
    // Before March: A, D, B, C, E. Joined in March: F, G; H joined at the period's end.
    expect(report.members).toEqual({ atStart: 5, atEnd: 7, new: 2, newMemberRate: 40 }) // 2 ÷ 5
  })

  it('tells member sales from guest sales, net of refunds, and the member share', async () => {
    const { sales } = await get().domain.reports.programme(march)
    expect(sales).toEqual({
      memberOrders: 4, // a-3 (on the boundary), f-1, a-4, c-2
      memberSales: 34_000, // 20,000 + (50,000 − 50,000) + 8,000 + 6,000
      guestOrders: 2, // g-1, g-2 (g-0 was in February)
      guestSales: 13_000, // 10,000 + (5,000 − 2,000)
      memberShare: 72.34, // 34,000 ÷ 47,000 = 72.340…%
    })
  })

  it('counts active members (ordered or interacted), churn and repeat purchases', async () => {
    const report = await get().domain.reports.programme(march)
    // Ordered: A, F, C. Interacted: E (check-in, survey), A (page opened, survey, gift), C
    // (survey). G's points were given by hand: not an interaction. 4 of the 7 members.
    expect(report.activity).toEqual({ active: 4, ordered: 3, interacted: 3, activityRate: 57.14 })
    // Not churned on 28 Feb (a purchase on or after 30 Jan): A, B, C; D's last was 11 Jan.
    // Churned on 31 Mar (none on or after 2 Mar): B. 1 ÷ 3.
    expect(report.churn).toEqual({ customersAtStart: 3, lost: 1, churnRate: 33.33 })
    // Bought in March: A twice, C once; F's order was refunded in full. 1 ÷ 2.
    expect(report.repeat).toEqual({ customers: 2, repeatCustomers: 1, repeatRate: 50 })
  })

  it('accounts for points: issued, redeemed, expired, reversed and the liability', async () => {
    const { points } = await get().domain.reports.programme(march)
    expect(points).toEqual({
      issued: 865, // orders 200 + 500 + 80 + 60, check-in 5, by hand 20
      redeemed: 100,
      expired: 470, // 300 + 50 + 120
      reversed: 500, // F's refund
      outstandingAtStart: 470, // 40 + 100 + 300 + 50 + 120 − 140 expired on 1 Feb
      outstanding: 265, // A 180, C 60, E 5, G 20
    })
    expect(
      points.outstandingAtStart +
        points.issued -
        points.redeemed -
        points.expired -
        points.reversed,
    ).toBe(points.outstanding)
    const balances = await get()
      .store.db.selectFrom('members')
      .select((eb) => eb.fn.sum<number>('pointsBalance').as('sum'))
      .where('status', '=', 'active')
      .executeTakeFirstOrThrow()
    expect(Number(balances.sum)).toBe(265)
  })

  it('gives the satisfaction distribution on the 7-level scale', async () => {
    const { satisfaction } = await get().domain.reports.programme(march)
    expect(satisfaction).toEqual({
      responses: 3, // B's 6 was in February
      average: 4.67, // (7 + 5 + 2) ÷ 3
      satisfiedShare: 66.67, // 5 and 7 of 3 answers
      distribution: [
        { score: 1, responses: 0 },
        { score: 2, responses: 1 },
        { score: 3, responses: 0 },
        { score: 4, responses: 0 },
        { score: 5, responses: 1 },
        { score: 6, responses: 0 },
        { score: 7, responses: 1 },
      ],
    })
  })

  it('measures segment movement between the daily snapshots at the period’s start and end', async () => {
    const { segments } = await get().domain.reports.programme(march)
    expect(segments.startSnapshotDay).toBe('2025-02-28')
    expect(segments.endSnapshotDay).toBe('2025-03-31')
    const sizes = (list: { class: string; atStart: number | null; atEnd: number | null }[]) =>
      Object.fromEntries(list.map((s) => [s.class, [s.atStart, s.atEnd]]))
    // 28 Feb (new since 19 Feb, at risk before 9 Feb, churned before 30 Jan): A repeat (2
    // purchases, last 20 Feb), B and C first_time, D churned, E potential.
    // 31 Mar (new since 22 Mar, at risk before 12 Mar, churned before 2 Mar): A at_risk (last
    // 5 Mar), C repeat (12 Mar), B and D churned, E, F (refunded) and G potential.
    expect(sizes(segments.lifecycle)).toEqual({
      new: [0, 0],
      potential: [1, 3],
      first_time: [2, 0],
      repeat: [1, 1],
      loyal: [0, 0],
      slipping: [0, 0],
      at_risk: [0, 1],
      churned: [1, 2],
    })
    expect(segments.lifecycle.find((s) => s.class === 'potential')?.change).toBe(2)
    // 28 Feb, 4 customers (score = 1 + ⌊5 × (rank − 1) ÷ 4⌋: ranks 1–4 score 1–4):
    //   R: D 1, B 2, A 3, C 4; F: A 4, others 1; M: D 1, C 2, A 3, B 4
    //   A 10 medium, B 7, C 7, D 3 low. ABC over 61,000: B, A, C above them < 80% → A; D 93% → B.
    // 31 Mar: R: D 1, B 2, A 3, C 4; F: B, D 1, C 3, A 4; M: D 1, C 2 (18,000), B 3, A 4 (43,000)
    //   A 11 and C 9 medium, B 6 and D 3 low. ABC over 95,000: A, B, C → A; D above 95.8% → C.
    expect(sizes(segments.value)).toEqual({ high: [0, 0], medium: [1, 2], low: [3, 2] })
    expect(sizes(segments.abc)).toEqual({ A: [3, 3], B: [1, 0], C: [0, 1] })
  })

  it('reads the end of a period reaching today from the current classification', async () => {
    const { segments } = await get().domain.reports.programme({ from: '2025-04-01' })
    expect(segments.endSnapshotDay).toBeNull()
    expect(segments.startSnapshotDay).toBe('2025-03-31')
    // On 10 April C's last purchase (12 Mar) is 29 days old: at risk, not yet churned; H is new.
    const now = Object.fromEntries(segments.lifecycle.map((s) => [s.class, s.atEnd]))
    expect(now).toMatchObject({ at_risk: 1, churned: 3, new: 1, potential: 3 })
  })

  it('gives members and sales week by week', async () => {
    const weeks = await get().domain.reports.weekly(march)
    expect(
      weeks.map((w) => [
        w.week,
        w.newMembers,
        w.members,
        w.memberOrders,
        w.memberSales,
        w.guestSales,
      ]),
    ).toEqual([
      ['2025-02-24', 1, 6, 2, 20_000, 0], // Sat 1 – Sun 2 Mar: F; a-3, f-1 (refunded)
      ['2025-03-03', 0, 6, 1, 8_000, 13_000], // a-4; g-1, g-2
      ['2025-03-10', 1, 7, 1, 6_000, 0], // c-2; G joined on Saturday 15th
      ['2025-03-17', 0, 7, 0, 0, 0],
      ['2025-03-24', 0, 7, 0, 0, 0],
      ['2025-03-31', 0, 7, 0, 0, 0], // Monday 31st only
    ])
    expect(weeks[0]!.from).toBe('2025-02-28T16:00:00.000Z')
    expect(weeks.at(-1)!.to).toBe('2025-03-31T16:00:00.000Z')
  })

  it('puts the campaigns of the period side by side: sent, converted, sales, ROI', async () => {
    expect(await get().domain.reports.marketing(march)).toEqual([
      {
        source: 'campaign',
        id: campaignId,
        name: 'Spring',
        sent: 2,
        uncertain: 0,
        held: 0,
        expired: 0,
        opened: 1,
        // A's ¥80 on 5 Mar is within 7 days of the message; C's ¥60 on 12 Mar is not.
        converted: 1,
        orders: 1,
        sales: 8_000,
        cost: 10_000,
        roi: 80, // 8,000 ÷ 10,000 × 100
        holdout: null,
      },
    ])
    expect(await get().domain.reports.marketing({ from: '2025-02-01', to: '2025-03-01' })).toEqual(
      [],
    )
  })
})

describeOnDatabases('guest sales', (get) => {
  it('records an order without a member once, with no points, and refunds it once', async () => {
    const { guestSales, orders } = get().domain
    const first = await guestSales.record({ id: 'till-1', amount: 8_800 })
    expect(first).toMatchObject({
      orderId: 'till-1',
      guest: true,
      pointsEarned: 0,
      replayed: false,
    })
    expect(await guestSales.record({ id: 'till-1', amount: 8_800 })).toMatchObject({
      replayed: true,
    })
    await expect(guestSales.record({ id: 'till-1', amount: 9_900 })).rejects.toMatchObject({
      code: 'idempotency_mismatch',
    })
    const member = await get().domain.members.register({ displayName: 'Mei' })
    await expect(
      orders.ingest({ id: 'till-1', member: { id: member.id }, amount: 8_800 }),
    ).rejects.toMatchObject({ code: 'idempotency_mismatch' })
    await orders.ingest({ id: 'till-2', member: { id: member.id }, amount: 1_000 })
    await expect(guestSales.record({ id: 'till-2', amount: 1_000 })).rejects.toMatchObject({
      code: 'idempotency_mismatch',
    })

    const refund = await guestSales.refund('till-1', { id: 'r-1', amount: 800 })
    expect(refund).toMatchObject({ orderId: 'till-1', amount: 800, refundedAmount: 800 })
    expect(await guestSales.refund('till-1', { id: 'r-1', amount: 800 })).toMatchObject({
      refundedAmount: 800,
    })
    await expect(guestSales.refund('till-1', { id: 'r-2', amount: 8_001 })).rejects.toMatchObject({
      code: 'refund_exceeds_order',
      details: { refundable: 8_000 },
    })
    await expect(guestSales.refund('nope', { id: 'r-3', amount: 1 })).rejects.toMatchObject({
      code: 'order_not_found',
    })
    const ledger = await get()
      .store.db.selectFrom('ledgerEntries')
      .select('id')
      .where('sourceId', '=', 'till-1')
      .execute()
    expect(ledger).toEqual([])
  })
})
