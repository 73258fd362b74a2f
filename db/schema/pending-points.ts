/**
 * The points of an order that went over an issuing cap: recorded, not in the balance, until
 * staff approve (credited) or reject (dropped). `points` is what approval would credit now:
 * `orderPoints` less the share of the amount refunded since.
 */
export interface PendingPointsTable {
  id: string
  orderId: string
  memberId: string
  orderPoints: number
  points: number
  /** The cap the order went over: `per_order` or `per_member_day`. */
  cap: string
  capLimit: number
  /** `pending`, `approved`, `rejected`, or `refunded` (refunded in full before a decision). */
  status: string
  decidedBy: string | null
  decidedAt: string | null
  programmeVersion: number
  createdAt: string
}
