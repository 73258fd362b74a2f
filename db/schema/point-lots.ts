import type { Generated } from 'kysely'

/** Points earned together and expiring together; always points = used + expired + remaining. */
export interface PointLotsTable {
  id: Generated<number>
  memberId: string
  ledgerEntryId: number
  points: number
  used: number
  expired: number
  remaining: number
  expiresAt: string | null
  createdAt: string
}
