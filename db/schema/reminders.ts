import type { Generated } from 'kysely'

/** A product as reminders know it; `usageCycleDays` is how long one unit lasts. */
export interface ProductsTable {
  sku: string
  nameZh: string
  nameEn: string
  usageCycleDays: number | null
  /** Overrides the programme's "days before the supply runs out" for this product. */
  remindDaysBefore: number | null
  updatedAt: string
}

/** One reminder to one member, from planned to decided; see migration 0007. */
export interface RemindersTable {
  id: Generated<number>
  memberId: string
  kind: string
  dedupeKey: string
  subjectJson: string
  dueAt: string
  /** After this the reminder is no longer worth sending (the supply ran out long ago). */
  expiresAt: string | null
  status: string
  reason: string | null
  createdAt: string
  decidedAt: string | null
}

export interface OrderEventsTable {
  orderId: string
  type: string
  occurredAt: string
  detailsJson: string
  createdAt: string
}

export interface JobLeasesTable {
  name: string
  owner: string | null
  leaseUntil: string | null
  lastTickAt: string | null
  lastFinishedAt: string | null
}
