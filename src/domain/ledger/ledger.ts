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

export interface LedgerWrite {
  memberId: string
  /** Magnitude: credit adds it, debit takes it. */
  points: number
  kind: LedgerKind
  reason: string
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
  reason: string
  note: string | null
  sourceType: string | null
  sourceId: string | null
  balanceAfter: number
  expiresAt: string | null
  createdAt: string
}
