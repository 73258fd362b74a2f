export interface RewardsTable {
  id: string
  /** The name in both languages, `{"zh-CN": ..., "en": ...}` (see LocalizedText). */
  nameJson: string
  descriptionJson: string | null
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
