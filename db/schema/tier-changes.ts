import type { Generated } from 'kysely'

export interface TierChangesTable {
  id: Generated<number>
  memberId: string
  fromCode: string | null
  toCode: string
  reason: string
  createdAt: string
}
