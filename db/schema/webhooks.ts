import type { Generated } from 'kysely'

/** A receiver of events; `secretEncrypted` is AES-256-GCM under WEBHOOK_SECRET_KEY. */
export interface WebhookSubscriptionsTable {
  id: string
  url: string
  description: string | null
  secretEncrypted: string
  /** The secret's first characters, so that the owner can tell which one a receiver holds. */
  secretPrefix: string
  /** active, or disabled (by the owner, or after a delivery failed for days). */
  status: string
  disabledAt: string | null
  disabledReason: string | null
  createdBy: string
  createdAt: string
  updatedAt: string
}

export interface WebhookSubscriptionEventsTable {
  subscriptionId: string
  eventType: string
}

/**
 * One event for one subscription: pending, claimed, sending, delivered, or failed (given up).
 * `body` is the exact JSON sent and signed, the same bytes at every attempt.
 */
export interface WebhookDeliveriesTable {
  id: Generated<number>
  subscriptionId: string
  eventId: string
  eventType: string
  orderKey: string
  body: string
  status: string
  attempts: number
  notBefore: string
  leaseOwner: string | null
  leaseUntil: string | null
  lastError: string | null
  deliveredAt: string | null
  createdAt: string
}

export interface WebhookAttemptsTable {
  id: Generated<number>
  deliveryId: number
  startedAt: string
  durationMs: number
  responseStatus: number | null
  responseBody: string | null
  error: string | null
}
