/** An order reported by the merchant's shop system; `id` is the merchant's own order id. */
export interface OrdersTable {
  id: string
  memberId: string
  amount: number
  currency: string
  itemsJson: string
  pointsRedeemed: number
  pointsEarned: number
  pointsReversed: number
  pointsReturned: number
  refundedAmount: number
  status: string
  requestHash: string
  responseJson: string
  programmeVersion: number
  /** The member's tier before the order (the one it earned at); null on orders from before 0029. */
  tierCode: string | null
  placedAt: string
  createdAt: string
}

/** A benefit of the member's tier that a till applied to an order, with what it saved. */
export interface OrderBenefitsTable {
  orderId: string
  /** Its place in the order's `benefits`, as the till gave them. */
  position: number
  tierCode: string
  kind: 'discount' | 'member_price' | 'free_shipping'
  sku: string | null
  amount: number
  /** The order's `placedAt`, so that a report's period reads this table alone. */
  placedAt: string
}
