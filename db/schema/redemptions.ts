export interface RedemptionsTable {
  id: string
  memberId: string
  rewardId: string
  points: number
  /** null for a reward that costs no points */
  ledgerEntryId: number | null
  couponId: string | null
  idempotencyKey: string
  status: string
  createdAt: string
}
