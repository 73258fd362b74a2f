import { beforeAll, expect, it } from 'vitest'
import { drawHoldout } from '../../src/domain/outbox/holdout.ts'
import { describeOnDatabases, programmeWith } from '../helpers/domain.ts'

/** A small seeded generator (mulberry32), so that the generated orders are the same every run. */
function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

describeOnDatabases('campaigns that prove their effect against a holdout', (get) => {
  let nextTelegramId = 8_000_000
  beforeAll(async () => {
    await get().domain.programme.replace(programmeWith({ quietHours: null }))
  })

  /** `count` opted-in members on Telegram in `region`; returns their member ids. */
  async function members(count: number, region: string): Promise<string[]> {
    const ids: string[] = []
    for (let i = 0; i < count; i += 100) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(100, count - i) }, () =>
          get().domain.members.register({
            displayName: `H${++nextTelegramId}`,
            telegramId: String(nextTelegramId),
            marketingConsent: true,
            region,
          }),
        ),
      )
      ids.push(...batch.map((m) => m.id))
    }
    return ids
  }

  /** Hands every due message to the platform and records it sent, as a worker would. */
  async function sendAll(): Promise<void> {
    const { outbox } = get().domain
    for (;;) {
      const claimed = await outbox.claim('test-worker', ['telegram', 'wechat'], 500)
      if (claimed.length === 0) return
      for (const row of claimed) {
        await outbox.begin('test-worker', row)
        await outbox.settle('test-worker', row, { status: 'sent' })
      }
    }
  }

  async function heldOutOf(campaignId: string): Promise<Set<string>> {
    const rows = await get()
      .store.db.selectFrom('campaignHoldouts')
      .select('memberId')
      .where('campaignId', '=', campaignId)
      .execute()
    return new Set(rows.map((r) => r.memberId))
  }

  it('a campaign holding out 20% of 2,000 members, where messaged members convert at 20% and held-out ones at 10%, reports an uplift interval that contains 10 points; the split is 20% and drawn again from its seed', async () => {
    const { domain, clock, store } = get()
    const audience = await members(2_000, 'Holdout-City')
    const campaign = await domain.campaigns.create(
      {
        name: 'Proof',
        message: { text: '新品上市' },
        segment: { regions: ['Holdout-City'] },
        holdoutPercent: 20,
        holdoutSeed: 20_261_202,
        attributionDays: 7,
      },
      'test',
    )
    expect(campaign).toMatchObject({ holdoutPercent: 20, holdoutSeed: 20_261_202 })
    await domain.campaigns.dispatchDue()
    const held = await heldOutOf(campaign.id)
    expect(held.size).toBe(400)
    expect(held).toEqual(drawHoldout(20_261_202, audience, 20))
    expect(held).toEqual(drawHoldout(20_261_202, [...audience].reverse(), 20))

    // Held-out members are recorded, never queued, never sent.
    const queued = await store.db
      .selectFrom('outbox')
      .select('memberId')
      .where('campaignId', '=', campaign.id)
      .$narrowType<{ memberId: string }>()
      .execute()
    expect(queued).toHaveLength(1_600)
    expect(queued.filter((row) => held.has(row.memberId))).toEqual([])
    expect((await domain.campaigns.get(campaign.id)).stats.targeted).toBe(1_600)
    await sendAll()

    clock.advance(3_600_000)
    const draw = random(7)
    let n = 0
    for (const memberId of audience) {
      if (draw() < (held.has(memberId) ? 0.1 : 0.2))
        await domain.orders.ingest({ id: `proof-${++n}`, member: { id: memberId }, amount: 10_000 })
    }
    const { stats } = await domain.campaigns.get(campaign.id)
    expect(stats.heldOut).toBe(400)
    const h = stats.holdout!
    expect(h.messaged.members).toBe(1_600)
    expect(h.heldOut.members).toBe(400)
    expect(h.interval!.low).toBeLessThan(0.1)
    expect(h.interval!.high).toBeGreaterThan(0.1)
    expect(h.verdict).toBe('positive')
    expect(h.uplift).toBeCloseTo(h.messaged.conversion! - h.heldOut.conversion!, 3)
    expect(h.incrementalSales).toBe(
      Math.round((h.messaged.sales / 1_600 - h.heldOut.sales / 400) * 1_600),
    )

    // The same seed over the same audience draws the same members again.
    const again = await domain.campaigns.create(
      {
        name: 'Proof again',
        message: { text: '新品上市' },
        segment: { regions: ['Holdout-City'] },
        holdoutPercent: 20,
        holdoutSeed: 20_261_202,
      },
      'test',
    )
    await domain.campaigns.dispatchDue()
    expect(await heldOutOf(again.id)).toEqual(held)
    await domain.campaigns.cancel(again.id)
  })

  it('a campaign with a holdout too small to tell says so instead of claiming an effect', async () => {
    const { domain, clock } = get()
    const audience = await members(20, 'Tiny-Town')
    const campaign = await domain.campaigns.create(
      {
        name: 'Tiny',
        message: { text: 'hi' },
        segment: { regions: ['Tiny-Town'] },
        holdoutPercent: 50,
      },
      'test',
    )
    expect(campaign.holdoutSeed).toEqual(expect.any(Number))
    await domain.campaigns.dispatchDue()
    await sendAll()
    clock.advance(60_000)
    const held = await heldOutOf(campaign.id)
    for (const memberId of audience.filter((id) => !held.has(id)))
      await domain.orders.ingest({
        id: `tiny-${memberId}`,
        member: { id: memberId },
        amount: 5_000,
      })
    const { stats } = await domain.campaigns.get(campaign.id)
    expect(stats.heldOut).toBe(10)
    expect(stats.holdout).toMatchObject({
      messaged: { members: 10, converted: 10 },
      heldOut: { members: 10, converted: 0 },
      verdict: 'too_small',
    })
  })

  it("a campaign without a holdout takes the programme's default share", async () => {
    const { domain } = get()
    await domain.programme.replace(programmeWith({ quietHours: null, campaignHoldoutPercent: 10 }))
    const campaign = await domain.campaigns.create(
      { name: 'Default', message: { text: 'hi' }, segment: { regions: ['Tiny-Town'] } },
      'test',
    )
    expect(campaign.holdoutPercent).toBe(10)
    await domain.campaigns.dispatchDue()
    expect((await heldOutOf(campaign.id)).size).toBe(2)
    await domain.campaigns.cancel(campaign.id)
    await domain.programme.replace(programmeWith({ quietHours: null }))
  })
})
