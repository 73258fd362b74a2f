import type { ExpressionBuilder } from 'kysely'
import type { Db } from '../../../db/client.ts'
import type { Database } from '../../../db/schema/index.ts'
import { proportionalShare } from '../programme/programme.ts'

/** The statuses of an issuing-cap hold (`pending_points`) on an order. */
export const PENDING_STATUSES = ['pending', 'approved', 'rejected', 'refunded'] as const
export type PendingStatus = (typeof PENDING_STATUSES)[number]

/**
 * True for an order of the query without a hold in one of `statuses`: how tier growth and the
 * first-order bonus leave out orders whose points were held or dropped.
 */
export function withoutHold(eb: ExpressionBuilder<Database, 'orders'>, statuses: PendingStatus[]) {
  return eb.not(
    eb.exists(
      eb
        .selectFrom('pendingPoints')
        .select('pendingPoints.id')
        .whereRef('pendingPoints.orderId', '=', 'orders.id')
        .where('pendingPoints.status', 'in', statuses),
    ),
  )
}

/**
 * A refund of an order whose points are held shrinks the hold in proportion, as it would have
 * reversed them once granted; a refund in full leaves nothing to decide. The caller holds the
 * member's lock.
 */
export async function shrinkPending(
  trx: Db,
  order: { id: string; amount: number },
  refundedAmount: number,
  refundId: string,
  now: Date,
): Promise<void> {
  const hold = await trx
    .selectFrom('pendingPoints')
    .selectAll()
    .where('orderId', '=', order.id)
    .where('status', '=', 'pending')
    .executeTakeFirst()
  if (!hold) return
  const fully = refundedAmount === order.amount
  await trx
    .updateTable('pendingPoints')
    .set({
      points: hold.orderPoints - proportionalShare(hold.orderPoints, refundedAmount, order.amount),
      ...(fully
        ? { status: 'refunded', decidedBy: `refund:${refundId}`, decidedAt: now.toISOString() }
        : {}),
    })
    .where('id', '=', hold.id)
    .execute()
}
