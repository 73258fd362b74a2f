import type { Generated } from 'kysely'

/** Which lots a debit drew from, so that a refund can give the points back where they came from. */
export interface LotAllocationsTable {
  id: Generated<number>
  ledgerEntryId: number
  lotId: number
  points: number
}
