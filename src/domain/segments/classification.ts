import { sql } from 'kysely'
import type { Db } from '../../../db/client.ts'
import { quantitiesBySku, supplyDays } from '../reminders/reminder-rules.ts'
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

/** The usage cycle in days of every product that has one, by SKU. */
export async function readUsageCycles(db: Db): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('products')
    .select(['sku', 'usageCycleDays'])
    .where('usageCycleDays', 'is not', null)
    .execute()
  return new Map(rows.map((row) => [row.sku, row.usageCycleDays!]))
}

/**
 * Reads one page of active members with their purchases (orders not refunded in full, revenue
 * net of refunds), by keyset on the member id, outside any transaction: two indexed range
 * reads (`members` by its key, `orders` by `orders_member`), and with `cycles` (products with a
 * usage cycle) a third, of the lines of each member's last purchase, for its supply.
 */
export async function readPage(
  db: Db,
  after: string | null,
  limit = RECOMPUTE_BATCH,
  cycles: Map<string, number> = new Map(),
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
      supplyDays: null,
    })
  }
  if (cycles.size > 0 && purchases.size > 0)
    await readSupplies(db, after, rows.at(-1)!.id, cycles, purchases)
  return {
    after,
    through,
    members: rows.map((row) => ({ ...row, purchases: purchases.get(row.id) ?? null })),
  }
}

/**
 * Sets `supplyDays` of each member's last purchase: the longest supply among its lines whose
 * product has a usage cycle (orders placed at the same last instant count together).
 */
async function readSupplies(
  db: Db,
  after: string | null,
  through: string,
  cycles: Map<string, number>,
  purchases: Map<string, Purchases>,
): Promise<void> {
  let last = db
    .selectFrom('orders as o')
    .select(['o.memberId', 'o.itemsJson'])
    .whereRef('o.amount', '>', 'o.refundedAmount')
    .where('o.memberId', '<=', through)
    .where((eb) =>
      eb(
        'o.placedAt',
        '=',
        eb
          .selectFrom('orders as later')
          .select((inner) => inner.fn.max('later.placedAt').as('placedAt'))
          .whereRef('later.memberId', '=', 'o.memberId')
          .whereRef('later.amount', '>', 'later.refundedAmount'),
      ),
    )
  if (after !== null) last = last.where('o.memberId', '>', after)
  for (const row of await last.execute()) {
    const items = JSON.parse(row.itemsJson) as { sku: string; quantity: number }[]
    const purchase = purchases.get(row.memberId)
    if (!purchase) continue
    for (const [sku, quantity] of quantitiesBySku(items)) {
      const cycle = cycles.get(sku)
      if (cycle === undefined) continue
      purchase.supplyDays = Math.max(purchase.supplyDays ?? 0, supplyDays(cycle, quantity))
    }
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
      rows.map(({ memberId, purchases, lifecycle, slippingSince, r, f, m, valueClass, abc }) => ({
        memberId,
        lifecycle,
        slippingSince,
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
