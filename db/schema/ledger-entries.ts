import type { Generated } from 'kysely'

/** Append-only: a row is never updated or deleted. */
export interface LedgerEntriesTable {
  id: Generated<number>
  memberId: string
  points: number
  kind: string
  reason: string
  note: string | null
  sourceType: string | null
  sourceId: string | null
  idempotencyKey: string | null
  programmeVersion: number | null
  balanceAfter: number
  expiresAt: string | null
  actor: string | null
  createdAt: string
}
