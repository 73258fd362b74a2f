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
  /** 0 while paused or once retired. */
  active: number
  /** Offered from and until these instants; null is no bound. */
  startsAt: string | null
  endsAt: string | null
  /** Set once, when retired: a retired reward is never offered again. */
  retiredAt: string | null
  /** The SHA-256 of its picture in reward_images, or null without one. */
  imageSha256: string | null
  createdAt: string
  updatedAt: string
}

/** A reward's picture, one per reward (see migration 0021). */
export interface RewardImagesTable {
  rewardId: string
  sha256: string
  /** image/png, image/jpeg or image/webp, as read from the bytes. */
  contentType: string
  bytes: Buffer
  size: number
  width: number
  height: number
  updatedAt: string
}
