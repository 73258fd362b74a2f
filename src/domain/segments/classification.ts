import { sql } from 'kysely'
import type { Db } from '../../../db/client.ts'
import type { SegmentRules } from '../programme/programme.ts'
import { ABC_SHARES, REPEAT_ORDERS, VALUE_CLASS_MIN_RFM, lifecycleCutoffs } from './segments.ts'

/**
 * Replaces `member_segments` with the classification of every active member at `now`, in two
 * statements that run unchanged on SQLite (≥ 3.25, window functions) and PostgreSQL: one
 * grouped pass over the orders, ranks over the customers, and the rows written by the database
 * itself, so that nothing per member crosses the wire. Run it inside a transaction: readers see
 * the old classification until it commits. Returns the number of members classified.
 *
 * Quintiles are integer arithmetic on rank(): score = 1 + 5 × (rank − 1) ÷ customers, rounded
 * down, where rank() is 1 + the number of customers with a strictly lower value, so that equal
 * values always share a score. ABC compares the revenue of the customers strictly above a
 * member (the total less the running sum up to and including the member's peers) with the
 * shares of the total, also in integers, so that ties share a class too. M and ABC share one
 * ordering, so the databases sort the customers three times, not four.
 */
export async function classifyMembers(
  db: Db,
  rules: SegmentRules,
  now: Date,
  timezone: string,
): Promise<number> {
  const { newSince, atRiskBefore, churnedBefore } = lifecycleCutoffs(rules, now, timezone)
  await sql`delete from member_segments`.execute(db)
  const result = await sql`
    with purchases as (
      select member_id,
             count(*) as orders_count,
             sum(amount - refunded_amount) as revenue,
             min(placed_at) as first_purchase_at,
             max(placed_at) as last_purchase_at
      from orders
      where amount > refunded_amount
      group by member_id
    ),
    customers as (
      select p.member_id, p.orders_count, p.revenue, p.first_purchase_at, p.last_purchase_at,
             rank() over (order by p.last_purchase_at) as r_rank,
             rank() over (order by p.orders_count) as f_rank,
             rank() over (order by p.revenue) as m_rank,
             count(*) over () as customers,
             sum(p.revenue) over () - sum(p.revenue) over (order by p.revenue) as revenue_above,
             sum(p.revenue) over () as total_revenue
      from purchases p
      join members owner on owner.id = p.member_id
      where owner.status = 'active'
    ),
    scored as (
      select c.*,
             1 + 5 * (c.r_rank - 1) / c.customers as r,
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
           coalesce(s.orders_count, 0),
           coalesce(s.revenue, 0),
           s.first_purchase_at,
           s.last_purchase_at,
           cast(${now.toISOString()} as text)
    from members mem
    left join scored s on s.member_id = mem.id
    where mem.status = 'active'
  `.execute(db)
  return Number(result.numAffectedRows ?? 0)
}

/**
 * Replaces the snapshot of `day` with the sizes of the classification just written: members
 * per lifecycle stage, value class and ABC class. The classification keeps no history; these
 * few rows a day are what reports compare a period's start and end with.
 */
export async function snapshotSizes(db: Db, day: string, computedAt: string): Promise<void> {
  await db.deleteFrom('segmentSnapshots').where('day', '=', day).execute()
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
  `.execute(db)
}
