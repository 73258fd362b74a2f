import type { Generated } from 'kysely'

/** A member of the merchant's programme. Integers are 0/1 flags on both databases. */
export interface MembersTable {
  id: string
  code: string
  displayName: string
  phone: string | null
  /** Lower-cased; unique among active members, like the phone. */
  email: string | null
  birthday: string | null
  region: string | null
  gender: string | null
  locale: string
  sourceChannel: string | null
  referrerId: string | null
  marketingConsent: number
  privacyConsentAt: string | null
  status: string
  mergedInto: string | null
  tierCode: string
  tierFloorCode: string | null
  tierRetainedCode: string | null
  /** Why the retained tier is held: 'window' (kept from the last window), 'reward', 'import'. */
  tierRetainedCause: string | null
  tierWindowStart: string
  tierWindowEnd: string
  /** Cached sum of the ledger; updated in the same transaction as every entry. */
  pointsBalance: number
  /** Points reversed or deducted when no lot could cover them; settled from the next earnings. */
  pointsDebt: number
  lotteryChances: number
  /** The programme's local year the birthday multiplier was last paid in. */
  birthdayBonusYear: number | null
  /** Bumped by every write that changes points, so that the write takes the member's row lock. */
  revision: Generated<number>
  externalId: string | null
  joinedAt: string
  updatedAt: string
}

/** A correction of a member detail that decides points, with who made it and why. */
export interface MemberChangesTable {
  id: Generated<number>
  memberId: string
  field: string
  fromValue: string | null
  toValue: string | null
  reason: string | null
  actor: string
  createdAt: string
}
