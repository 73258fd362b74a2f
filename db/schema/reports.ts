/** A sale to a customer who is not a member: no points; `id` is the merchant's order id. */
export interface GuestSalesTable {
  id: string
  amount: number
  currency: string
  refundedAmount: number
  requestHash: string
  placedAt: string
  createdAt: string
}

export interface GuestRefundsTable {
  id: string
  saleId: string
  amount: number
  requestHash: string
  createdAt: string
}

/** Members per lifecycle stage or value class at the last recompute of a local day. */
export interface SegmentSnapshotsTable {
  day: string
  /** `lifecycle` or `value` */
  dimension: string
  class: string
  members: number
  computedAt: string
}
