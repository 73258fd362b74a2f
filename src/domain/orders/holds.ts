import type { ExpressionBuilder } from 'kysely'
import type { Database } from '../../../db/schema/index.ts'

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
