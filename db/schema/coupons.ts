export interface CouponsTable {
  id: string
  code: string
  memberId: string
  rewardId: string
  redemptionId: string
  kind: string
  value: number | null
  status: string
  issuedAt: string
  expiresAt: string | null
  usedAt: string | null
  usedBy: string | null
  /** The Idempotency-Key of the use, if the request had one (migration 0027). */
  useKey: string | null
}
