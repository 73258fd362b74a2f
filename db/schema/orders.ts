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
  placedAt: string
  createdAt: string
}
