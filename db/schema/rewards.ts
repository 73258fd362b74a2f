export interface RewardsTable {
  id: string
  name: string
  description: string | null
  kind: string
  pointsCost: number
  /** null means unlimited */
  stock: number | null
  issued: number
  minTierCode: string | null
  perMemberLimit: number | null
  /** Face value in minor units for coupons and cash offsets. */
  value: number | null
  tierCode: string | null
  validDays: number | null
  active: number
  createdAt: string
  updatedAt: string
}
