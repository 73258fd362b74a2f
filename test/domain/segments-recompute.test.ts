import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { setImmediate } from 'node:timers/promises'
import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import type { Db, DbHandle } from '../../db/client.ts'
import { createDomain } from '../../src/domain/index.ts'
import { localDate } from '../../src/domain/programme/programme.ts'
import { RECOMPUTE_BATCH } from '../../src/domain/segments/classification.ts'
import {
  ABC_SHARES,
  REPEAT_ORDERS,
  VALUE_CLASS_MIN_RFM,
  lifecycleCutoffs,
} from '../../src/domain/segments/segments.ts'
import { ManualClock } from '../../src/shared/clock.ts'
import { type DomainFixture, createFixture, programmeWith } from '../helpers/domain.ts'
import { available, databases } from '../helpers/db.ts'

const NOW = '2025-01-10T04:00:00Z'
const DAY_MS = 86_400_000

/** A small seeded generator, so that a failure names data that can be made again. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/**
 * `members` members written straight into the tables, with few distinct amounts and days so
 * that ties are everywhere (ranks and ABC must treat peers alike), members without orders, some
 * merged or closed members whose orders must not count, orders refunded in part and in full,
 * and stale classification rows that the recompute must remove.
 */
async function generate(db: Db, members: number, now: Date): Promise<string[]> {
  const random = seeded(members)
  const pick = <T>(values: T[]) => values[Math.floor(random() * values.length)]!
  const ago = (days: number) => new Date(now.getTime() - days * DAY_MS).toISOString()
  const ids = Array.from({ length: members }, (_, i) => `mem_t${String(i).padStart(6, '0')}`)
  for (let start = 0; start < members; start += 500) {
    await db
      .insertInto('members')
      .values(
        ids.slice(start, start + 500).map((id, j) => {
          const joinedAt = ago(pick([1, 10, 29, 30, 31, 200, 400]))
          const status =
            (start + j) % 97 === 5 ? 'merged' : (start + j) % 89 === 7 ? 'closed' : 'active'
          return {
            id,
            code: `T${id.slice(5)}`,
            displayName: id,
            phone: null,
            birthday: null,
            region: null,
            gender: null,
            locale: 'zh-CN',
            sourceChannel: null,
            referrerId: null,
            marketingConsent: 1,
            privacyConsentAt: joinedAt,
            status,
            mergedInto: null,
            tierCode: 'member',
            tierFloorCode: null,
            tierRetainedCode: null,
            tierWindowStart: joinedAt,
            tierWindowEnd: now.toISOString(),
            pointsBalance: 0,
            pointsDebt: 0,
            lotteryChances: 0,
            externalId: null,
            joinedAt,
            updatedAt: joinedAt,
          }
        }),
      )
      .execute()
  }
  const orders = []
  for (let i = 0; i < members * 2; i++) {
    const amount = pick([1_000, 5_000, 5_000, 20_000, 99_000])
    const refund = random()
    const refundedAmount = refund < 0.05 ? amount : refund < 0.1 ? Math.floor(amount / 2) : 0
    const placedAt = ago(pick([0, 1, 5, 60, 89, 90, 91, 179, 180, 181, 300]))
    orders.push({
      id: `ord_t${i}`,
      // Squared, so that a few members buy often and a fifth of them never.
      memberId: ids[Math.floor(random() ** 2 * members * 0.8)]!,
      amount,
      currency: 'CNY',
      itemsJson: '[]',
      pointsRedeemed: 0,
      pointsEarned: 0,
      pointsReversed: 0,
      pointsReturned: 0,
      refundedAmount,
      status:
        refundedAmount === amount
          ? 'refunded'
          : refundedAmount > 0
            ? 'partially_refunded'
            : 'completed',
      requestHash: '',
      responseJson: '',
      programmeVersion: 1,
      placedAt,
      createdAt: placedAt,
    })
  }
  for (let start = 0; start < orders.length; start += 1000)
    await db
      .insertInto('orders')
      .values(orders.slice(start, start + 1000))
      .execute()
  const stale = ids.filter((_, i) => i % 97 === 5 || i % 89 === 7).slice(0, 20)
  await db
    .insertInto('memberSegments')
    .values(
      stale.map((memberId) => ({
        memberId,
        lifecycle: 'loyal',
        r: 5,
        f: 5,
        m: 5,
        valueClass: 'high',
        abc: 'A',
        ordersCount: 9,
        revenue: 9,
        firstPurchaseAt: null,
        lastPurchaseAt: null,
        computedAt: '2024-01-01T00:00:00.000Z',
      })),
    )
    .execute()
  return ids
}

/**
 * The classification as the single statement over the whole population gave it before the
 * recompute was made to work in batches: the reference the batched recompute must match.
 */
async function wholePopulation(store: DbHandle, now: Date): Promise<void> {
  const rules = { newMemberDays: 30, atRiskDays: 90, churnedDays: 180, loyalOrders: 5 }
  const { newSince, atRiskBefore, churnedBefore } = lifecycleCutoffs(rules, now, 'Asia/Shanghai')
  const day = localDate(now, 'Asia/Shanghai')
  const computedAt = now.toISOString()
  await store.transaction(async (trx) => {
    await sql`delete from member_segments`.execute(trx)
    await sql`
      with purchases as (
        select member_id, count(*) as orders_count, sum(amount - refunded_amount) as revenue,
               min(placed_at) as first_purchase_at, max(placed_at) as last_purchase_at
        from orders where amount > refunded_amount group by member_id
      ),
      customers as (
        select p.member_id, p.orders_count, p.revenue, p.first_purchase_at, p.last_purchase_at,
               rank() over (order by p.last_purchase_at) as r_rank,
               rank() over (order by p.orders_count) as f_rank,
               rank() over (order by p.revenue) as m_rank,
               count(*) over () as customers,
               sum(p.revenue) over () - sum(p.revenue) over (order by p.revenue) as revenue_above,
               sum(p.revenue) over () as total_revenue
        from purchases p join members owner on owner.id = p.member_id
        where owner.status = 'active'
      ),
      scored as (
        select c.*, 1 + 5 * (c.r_rank - 1) / c.customers as r,
               1 + 5 * (c.f_rank - 1) / c.customers as f,
               1 + 5 * (c.m_rank - 1) / c.customers as m
        from customers c
      )
      insert into member_segments (member_id, lifecycle, r, f, m, value_class, abc, orders_count,
                                   revenue, first_purchase_at, last_purchase_at, computed_at)
      select mem.id,
             case
               when s.member_id is null and mem.joined_at >= ${newSince} then 'new'
               when s.member_id is null then 'potential'
               when s.last_purchase_at < ${churnedBefore} then 'churned'
               when s.last_purchase_at < ${atRiskBefore} then 'at_risk'
               when s.orders_count >= ${rules.loyalOrders} then 'loyal'
               when s.orders_count >= ${REPEAT_ORDERS} then 'repeat'
               else 'first_time'
             end,
             s.r, s.f, s.m,
             case
               when s.member_id is null then null
               when s.r + s.f + s.m >= ${VALUE_CLASS_MIN_RFM.high} then 'high'
               when s.r + s.f + s.m >= ${VALUE_CLASS_MIN_RFM.medium} then 'medium'
               else 'low'
             end,
             case
               when s.member_id is null then null
               when 100 * s.revenue_above < ${ABC_SHARES.A} * s.total_revenue then 'A'
               when 100 * s.revenue_above < ${ABC_SHARES.B} * s.total_revenue then 'B'
               else 'C'
             end,
             coalesce(s.orders_count, 0), coalesce(s.revenue, 0),
             s.first_purchase_at, s.last_purchase_at, cast(${computedAt} as text)
      from members mem left join scored s on s.member_id = mem.id
      where mem.status = 'active'
    `.execute(trx)
    await trx.deleteFrom('segmentSnapshots').where('day', '=', day).execute()
    await sql`
      insert into segment_snapshots (day, dimension, class, members, computed_at)
      select cast(${day} as text), 'lifecycle', lifecycle, count(*), cast(${computedAt} as text)
      from member_segments group by lifecycle
      union all
      select cast(${day} as text), 'value', value_class, count(*), cast(${computedAt} as text)
      from member_segments where value_class is not null group by value_class
      union all
      select cast(${day} as text), 'abc', abc, count(*), cast(${computedAt} as text)
      from member_segments where abc is not null group by abc
    `.execute(trx)
  })
}

async function classification(db: Db) {
  const rows = await db.selectFrom('memberSegments').selectAll().orderBy('memberId').execute()
  const snapshot = await db
    .selectFrom('segmentSnapshots')
    .selectAll()
    .orderBy('dimension')
    .orderBy('class')
    .execute()
  return {
    rows: rows.map((row) => ({
      ...row,
      ordersCount: Number(row.ordersCount),
      revenue: Number(row.revenue),
    })),
    snapshot: snapshot.map((row) => ({ ...row, members: Number(row.members) })),
  }
}

/**
 * The store as the recompute's own domain sees it, with how long each of its write
 * transactions held the database (from after BEGIN to before COMMIT), in the order they ran.
 */
function measured(store: DbHandle) {
  const spans: { start: number; end: number }[] = []
  const handle: DbHandle = {
    ...store,
    transaction: (fn) =>
      store.transaction(async (trx) => {
        const start = performance.now()
        try {
          return await fn(trx)
        } finally {
          spans.push({ start, end: performance.now() })
        }
      }),
  }
  return { handle, spans }
}

for (const database of databases) {
  describe.skipIf(!available(database))(`the segment recompute [${database.name}]`, () => {
    let fixture: DomainFixture | undefined
    afterEach(async () => {
      await fixture?.store.cleanup()
      fixture = undefined
    })

    it('classifies in batches exactly as the whole-population statement does, snapshot included', async () => {
      fixture = await createFixture(database, NOW)
      const { store, domain } = fixture
      // The reference statement knows the fixed stages only; slipping has its own test
      // (test/domain/slipping.test.ts), so here it is turned off.
      await domain.programme.replace(programmeWith({ segments: { slipping: { enabled: false } } }))
      await store.transaction((trx) => generate(trx, RECOMPUTE_BATCH * 3 + 37, new Date(NOW)))
      const result = await domain.segments.recompute()
      const batched = await classification(store.db)
      await wholePopulation(store, new Date(NOW))
      const reference = await classification(store.db)
      expect(result.members).toBe(reference.rows.length)
      expect(new Set(reference.rows.map((row) => row.lifecycle)).size).toBe(7)
      expect(new Set(reference.rows.map((row) => row.abc))).toEqual(new Set(['A', 'B', 'C', null]))
      expect(batched).toEqual(reference)
    })

    it('orders posted during a recompute all succeed, and no write transaction of it holds the database for more than a short part of its run', async () => {
      fixture = await createFixture(database, NOW)
      const { store, domain } = fixture
      const members = 3_000
      const ids = await store.transaction((trx) => generate(trx, members, new Date(NOW)))
      const { handle, spans } = measured(store)
      const recomputing = createDomain({ store: handle, clock: new ManualClock(NOW) })
      await domain.programme.current()
      await recomputing.programme.current()

      let done = false
      let posted = 0
      const failures: unknown[] = []
      const post = async (lane: number) => {
        for (let i = 0; !done; i++) {
          try {
            await domain.orders.ingest({
              id: `during-${lane}-${i}`,
              member: { id: ids[(lane * 7919 + i * 104_729) % 100]! },
              amount: 1_200,
            })
            posted++
          } catch (error) {
            failures.push(error)
          }
          // As requests do: SQLite answers in microtasks only, which would starve the recompute.
          await setImmediate()
        }
      }
      const delay = monitorEventLoopDelay({ resolution: 10 })
      delay.enable()
      const started = performance.now()
      const run = recomputing.segments.recompute().finally(() => {
        done = true
      })
      await Promise.all([run, post(1), post(2), post(3)])
      const total = performance.now() - started
      delay.disable()

      expect(failures).toEqual([])
      expect(posted).toBeGreaterThan(0)
      expect((await run).members).toBeGreaterThan(members * 0.9)
      // One write per batch of members and one that closes the run with the snapshot.
      expect(spans.length).toBeGreaterThanOrEqual(Math.ceil((members * 0.9) / RECOMPUTE_BATCH) + 1)
      const longest = Math.max(...spans.map((span) => span.end - span.start))
      expect(longest).toBeLessThan(total / 4)
      // Generous: the event loop is never held for half the run (on SQLite a statement holds it).
      expect(delay.max / 1e6).toBeLessThan(total / 2)
    })

    it('a second recompute waits for the one running to finish before it writes', async () => {
      fixture = await createFixture(database, NOW)
      const { store } = fixture
      await store.transaction((trx) => generate(trx, RECOMPUTE_BATCH * 2 + 1, new Date(NOW)))
      const first = measured(store)
      const second = measured(store)
      const [a, b] = [first, second].map(({ handle }) =>
        createDomain({ store: handle, clock: new ManualClock(NOW) }),
      )
      await Promise.all([a!.segments.recompute(), b!.segments.recompute()])
      const [earlier, later] =
        first.spans[0]!.start < second.spans[0]!.start
          ? [first.spans, second.spans]
          : [second.spans, first.spans]
      expect(later[0]!.start).toBeGreaterThanOrEqual(earlier.at(-1)!.end)
      const lease = await store.db
        .selectFrom('jobLeases')
        .select(['leaseUntil'])
        .where('name', '=', 'segment-classification')
        .executeTakeFirstOrThrow()
      expect(lease.leaseUntil).toBeNull()
    })
  })
}
