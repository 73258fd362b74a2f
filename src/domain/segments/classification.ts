import { sql } from 'kysely'
import type { Db } from '../../../db/client.ts'
import type { Classified, Purchases } from './scores.ts'

/**
 * Members per page of the recompute: one page is one short read and one short write, a few
 * milliseconds each, so an order waits for at most one of them.
 */
export const RECOMPUTE_BATCH = 500

/**
 * Active members with ids after `after` (all from the start when null), in id order, and the
 * range of ids the page stands for: up to and including `through`, or to the end when `through`
 * is null (the last page). Pages tile the whole id space, so a row of `member_segments` whose
 * member is no longer active falls in exactly one of them and is removed with it.
 */
export interface MemberPage {
  after: string | null
  through: string | null
  members: { id: string; joinedAt: string; purchases: Purchases | null }[]
}

/**
 * Reads one page of active members with their purchases (orders not refunded in full, revenue
 * net of refunds), by keyset on the member id, outside any transaction: two indexed range
 * reads (`members` by its key, `orders` by `orders_member`).
 */
export async function readPage(
  db: Db,
  after: string | null,
  limit = RECOMPUTE_BATCH,
): Promise<MemberPage> {
  let members = db
    .selectFrom('members')
    .select(['id', 'joinedAt'])
    .where('status', '=', 'active')
    .orderBy('id')
    .limit(limit)
  if (after !== null) members = members.where('id', '>', after)
  const rows = await members.execute()
  const through = rows.length === limit ? rows.at(-1)!.id : null
  if (rows.length === 0) return { after, through, members: [] }

  let orders = db
    .selectFrom('orders')
    .select([
      'memberId',
      sql<number>`count(*)`.as('ordersCount'),
      sql<number>`sum(amount - refunded_amount)`.as('revenue'),
      sql<string>`min(placed_at)`.as('firstPurchaseAt'),
      sql<string>`max(placed_at)`.as('lastPurchaseAt'),
    ])
    .whereRef('amount', '>', 'refundedAmount')
    .where('memberId', '<=', rows.at(-1)!.id)
    .groupBy('memberId')
  if (after !== null) orders = orders.where('memberId', '>', after)
  const purchases = new Map<string, Purchases>()
  for (const row of await orders.execute()) {
    purchases.set(row.memberId, {
      ordersCount: Number(row.ordersCount),
      revenue: Number(row.revenue),
      firstPurchaseAt: row.firstPurchaseAt,
      lastPurchaseAt: row.lastPurchaseAt,
    })
  }
  return {
    after,
    through,
    members: rows.map((row) => ({ ...row, purchases: purchases.get(row.id) ?? null })),
  }
}

/**
 * Replaces the classification of the page's id range with `rows`: members of the range who are
 * no longer active lose theirs. Run it in the page's own short transaction.
 */
export async function writePage(
  trx: Db,
  page: MemberPage,
  rows: (Classified & {
    memberId: string
    purchases: Purchases | null
  })[],
  computedAt: string,
): Promise<void> {
  let stale = trx.deleteFrom('memberSegments')
  if (page.after !== null) stale = stale.where('memberId', '>', page.after)
  if (page.through !== null) stale = stale.where('memberId', '<=', page.through)
  await stale.execute()
  if (rows.length === 0) return
  await trx
    .insertInto('memberSegments')
    .values(
      rows.map(({ memberId, purchases, lifecycle, r, f, m, valueClass, abc }) => ({
        memberId,
        lifecycle,
        r,
        f,
        m,
        valueClass,
        abc,
        ordersCount: purchases?.ordersCount ?? 0,
        revenue: purchases?.revenue ?? 0,
        firstPurchaseAt: purchases?.firstPurchaseAt ?? null,
        lastPurchaseAt: purchases?.lastPurchaseAt ?? null,
        computedAt,
      })),
    )
    .execute()
}

/**
 * Replaces the snapshot of `day` with `sizes`, the members the recompute classified per
 * lifecycle stage, value class and ABC class. The classification keeps no history; these few
 * rows a day are what reports compare a period's start and end with.
 */
export async function snapshotSizes(
  trx: Db,
  day: string,
  computedAt: string,
  sizes: Iterable<{ dimension: string; class: string; members: number }>,
): Promise<void> {
  await trx.deleteFrom('segmentSnapshots').where('day', '=', day).execute()
  const rows = [...sizes].map((size) => ({ day, computedAt, ...size }))
  if (rows.length > 0) await trx.insertInto('segmentSnapshots').values(rows).execute()
}
