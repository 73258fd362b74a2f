import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Domain, createDomain } from '../../src/domain/index.ts'
import { WEBHOOK_EVENTS } from '../../src/domain/webhooks/events.ts'
import { ManualClock } from '../../src/shared/clock.ts'
import { type TestDbHandle, available, databases } from '../helpers/db.ts'
import { programmeWith } from '../helpers/domain.ts'

interface Event {
  id: string
  type: string
  data: { memberId?: string; entry?: { id: string; kind: string; reason: string; points: number } }
}

for (const db of databases) {
  describe.skipIf(!available(db))(
    `webhook events, one per change [${db.name}${available(db) ? '' : ': skipped, TEST_DATABASE_URL not set'}]`,
    () => {
      let store: TestDbHandle
      let clock: ManualClock
      let domain: Domain
      let subscriptionId: string
      beforeAll(async () => {
        store = await db.create()
        clock = new ManualClock('2025-01-10T04:00:00Z')
        domain = createDomain(
          { store, clock },
          { webhooks: { secretKey: randomBytes(32), allowPrivateUrls: true } },
        )
        await domain.programme.ensureSeeded()
        subscriptionId = (
          await domain.webhooks.subscribe(
            { url: 'http://127.0.0.1:9/unused', events: [...WEBHOOK_EVENTS] },
            'test',
          )
        ).id
      })
      afterAll(async () => {
        await store?.cleanup()
      })

      /** The events recorded since `after` (a delivery id), oldest first. */
      async function eventsSince(after: number): Promise<{ last: number; events: Event[] }> {
        const rows = await store.db
          .selectFrom('webhookDeliveries')
          .select(['id', 'body', 'subscriptionId'])
          .where('id', '>', after)
          .orderBy('id')
          .execute()
        expect(rows.every((r) => r.subscriptionId === subscriptionId)).toBe(true)
        return {
          last: rows.at(-1)?.id ?? after,
          events: rows.map((r) => JSON.parse(r.body) as Event),
        }
      }
      let cursor = 0
      async function typesOf(action: () => Promise<unknown>): Promise<Event[]> {
        await action()
        const { last, events } = await eventsSince(cursor)
        cursor = last
        return events
      }
      const types = (events: Event[]) => events.map((e) => e.type)

      it('every ledger entry is one event carrying the entry, and every other change its own', async () => {
        let memberId = ''
        expect(
          types(
            await typesOf(async () => {
              memberId = (await domain.members.register({ displayName: '事件 Li' })).id
            }),
          ),
        ).toEqual(['member.created'])
        expect(
          types(await typesOf(() => domain.members.update(memberId, { region: 'SH' }, 'test'))),
        ).toEqual(['member.updated'])

        const ordered = await typesOf(() =>
          domain.orders.ingest({ id: 'evt-o1', member: { id: memberId }, amount: 800_000 }),
        )
        const entries = await store.db
          .selectFrom('ledgerEntries')
          .selectAll()
          .where('memberId', '=', memberId)
          .orderBy('id')
          .execute()
        expect(entries.length).toBeGreaterThan(0)
        expect(types(ordered)).toEqual([
          ...entries.map(() => 'points.earned'),
          'tier.changed',
          'order.recorded',
        ])
        expect(ordered.slice(0, entries.length).map((e) => e.data.entry)).toEqual(
          entries.map((row) =>
            expect.objectContaining({ id: String(row.id), points: row.points, reason: row.reason }),
          ),
        )

        expect(
          types(
            await typesOf(() =>
              domain.adjust(memberId, { points: -100, reason: 'goodwill' }, 'test'),
            ),
          ),
        ).toEqual(['points.adjusted'])

        const reward = await domain.rewards.create({
          name: { 'zh-CN': '咖啡券', en: 'Coffee' },
          kind: 'coupon',
          pointsCost: 500,
          value: 1_000,
        })
        let couponCode = ''
        expect(
          types(
            await typesOf(async () => {
              couponCode = (await domain.rewards.redeem(memberId, reward.id)).couponCode!
            }),
          ),
        ).toEqual(['points.spent', 'redemption.created'])
        expect(types(await typesOf(() => domain.rewards.useCoupon(couponCode, 'till')))).toEqual([
          'coupon.used',
        ])
        // A coupon used twice is refused the second time, and tells nothing.
        await expect(domain.rewards.useCoupon(couponCode, 'till')).rejects.toMatchObject({
          code: 'coupon_used',
        })
        expect(types(await typesOf(async () => undefined))).toEqual([])

        const refunded = await typesOf(() =>
          domain.orders.refund('evt-o1', { id: 'evt-r1', amount: 800_000 }),
        )
        expect(types(refunded)).toContain('order.refunded')
        expect(types(refunded)).toContain('points.adjusted')

        const expired = await typesOf(async () => {
          clock.advance(400 * 86_400_000)
          await domain.ledger.expireDue()
        })
        expect(types(expired).every((t) => t === 'points.expired')).toBe(true)

        // The refund left a debt: erasure writes it off with an entry, then tells the erasure.
        expect(types(await typesOf(() => domain.privacy.erase(memberId, 'test')))).toEqual([
          'points.adjusted',
          'member.erased',
        ])
        // Erasure takes the member's details out of the events kept about them.
        const kept = await store.db
          .selectFrom('webhookDeliveries')
          .select('body')
          .where('orderKey', '=', memberId)
          .execute()
        expect(kept.map((k) => k.body).join('')).not.toContain('事件 Li')
      })

      it('pending points approved and rejected are events of their own, beside the entry', async () => {
        await domain.programme.replace(
          programmeWith({ caps: { pointsPerOrder: 100, pointsPerMemberPerDay: 1_000_000 } }),
        )
        const member = await domain.members.register({ displayName: 'Held Zhao' })
        const first = await domain.orders.ingest({
          id: 'evt-h1',
          member: { id: member.id },
          amount: 50_000,
        })
        const second = await domain.orders.ingest({
          id: 'evt-h2',
          member: { id: member.id },
          amount: 50_000,
        })
        await typesOf(async () => undefined)
        expect(
          types(await typesOf(() => domain.pendingPoints.approve(first.pending!.id, 'staff:1'))),
        ).toEqual(expect.arrayContaining(['points.earned', 'points.pending_approved']))
        expect(
          types(await typesOf(() => domain.pendingPoints.reject(second.pending!.id, 'staff:1'))),
        ).toEqual(['points.earned', 'points.pending_rejected'])
      })

      it('a campaign that finished sending is campaign.completed, once', async () => {
        const campaign = await domain.campaigns.create(
          { name: 'Nobody', message: { text: 'hi' }, segment: { tags: ['no-such-tag'] } },
          'test',
        )
        await domain.campaigns.dispatchDue()
        const completed = await typesOf(() => domain.campaigns.completeFinished())
        expect(completed).toEqual([
          expect.objectContaining({
            type: 'campaign.completed',
            data: { campaign: expect.objectContaining({ id: campaign.id }) },
          }),
        ])
        expect(types(await typesOf(() => domain.campaigns.completeFinished()))).toEqual([])
      })
    },
  )
}
