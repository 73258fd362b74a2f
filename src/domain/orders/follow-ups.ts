import type { Db } from '../../../db/client.ts'
import type { Programme } from '../programme/programme.ts'

export interface PlacedOrder {
  id: string
  memberId: string
  placedAt: Date
  items: { sku: string; quantity: number }[]
}

export interface RefundedOrder {
  orderId: string
  memberId: string
  /** Nothing of the order is left: what it bought is gone. */
  fully: boolean
}

/**
 * What happens after an order or a refund, beyond points and tiers (reminders, surveys ...).
 * Orders own this port so that they depend on no follower; the composition root wires the
 * followers in. Both run inside the order's or refund's transaction.
 */
export interface OrderFollowUps {
  afterOrder(trx: Db, programme: Programme, order: PlacedOrder): Promise<void>
  afterRefund(trx: Db, refund: RefundedOrder): Promise<void>
}
