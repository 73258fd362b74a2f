/**
 * The kinds of ledger entry. Signs: earn, return and positive adjust add points; redeem,
 * refund (reversal of earned points), expire and negative adjust take them; merge moves a
 * whole balance from one member record to another.
 */
export const LEDGER_KINDS = [
  'earn',
  'redeem',
  'refund',
  'return',
  'expire',
  'adjust',
  'merge',
] as const
export type LedgerKind = (typeof LEDGER_KINDS)[number]

/**
 * Why points moved. Every entry names one of these; members read them in their history, so the
 * chat catalogue and the mini-app have words for each (a missing one does not compile).
 */
export const LEDGER_REASONS = [
  'order',
  'first_order_bonus',
  'points_approved',
  'points_rejected',
  'referral_referrer',
  'referral_referee',
  'referral_cancelled',
  'checkin',
  'quiz',
  'survey',
  'lottery',
  'lottery_prize',
  'manual',
  'reward',
  'order_payment',
  'order_refund',
  'expiry',
  'merged_in',
  'merged_out',
  'opening_balance',
  'erasure',
] as const
export type LedgerReason = (typeof LEDGER_REASONS)[number]

export interface LedgerWrite {
  memberId: string
  /** Magnitude: credit adds it, debit takes it. */
  points: number
  kind: LedgerKind
  reason: LedgerReason
  note?: string | null
  sourceType?: string | null
  sourceId?: string | null
  idempotencyKey?: string | null
  programmeVersion?: number | null
  actor?: string | null
}

export interface LedgerEntryView {
  id: string
  points: number
  kind: string
  reason: LedgerReason
  note: string | null
  sourceType: string | null
  sourceId: string | null
  balanceAfter: number
  expiresAt: string | null
  createdAt: string
}
