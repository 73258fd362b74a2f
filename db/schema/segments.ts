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
  /** While `slipping`: the local midnight from which the customer was away too long. */
  slippingSince: string | null
  computedAt: string
}

/**
 * One weekly digest of valuable customers who started slipping (`week`: the local date it was
 * due, one row a week), the members it named and who sent them the win-back step from it.
 */
export interface ChurnDigestsTable {
  week: string
  periodFrom: string
  periodTo: string
  memberIdsJson: string
  createdAt: string
  winBackBy: string | null
  winBackAt: string | null
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
