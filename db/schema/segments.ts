/**
 * A member's classification as of `computedAt`: lifecycle stage, RFM scores (1–5), value class
 * and ABC class. Scores and classes are null for members who have never bought.
 */
export interface MemberSegmentsTable {
  memberId: string
  lifecycle: string
  r: number | null
  f: number | null
  m: number | null
  valueClass: string | null
  abc: string | null
  ordersCount: number
  /** Net of refunds, in minor units. */
  revenue: number
  firstPurchaseAt: string | null
  lastPurchaseAt: string | null
  computedAt: string
}

/** One row (id 1): when the classification was last recomputed, of how many members, in how long. */
export interface SegmentStateTable {
  id: number
  computedAt: string | null
  members: number
  ms: number
}

export interface MemberTagsTable {
  memberId: string
  tag: string
  createdAt: string
}

/** A saved filter over the classification; its size is counted when asked, never stored. */
export interface SegmentsTable {
  id: string
  name: string
  filterJson: string
  createdAt: string
}
