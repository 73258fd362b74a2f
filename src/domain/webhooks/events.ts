import { sql } from 'kysely'
import type { Db } from '../../../db/client.ts'
import { prepared } from '../../../db/prepared.ts'
import type { LedgerEntriesTable } from '../../../db/schema/ledger-entries.ts'
import type { MembersTable } from '../../../db/schema/members.ts'
import type { Selectable } from 'kysely'
import { newId } from '../../shared/ids.ts'

/** What a subscription can ask to hear about; README "Webhooks out" describes each. */
export const WEBHOOK_EVENTS = [
  'member.created',
  'member.updated',
  'member.erased',
  'points.earned',
  'points.spent',
  'points.expired',
  'points.adjusted',
  'points.pending_approved',
  'points.pending_rejected',
  'tier.changed',
  'redemption.created',
  'coupon.used',
  'order.recorded',
  'order.refunded',
  'campaign.completed',
] as const
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number]

/** Something that happened, told to every subscription that asked for its type. */
export interface WebhookEvent {
  type: WebhookEventType
  /** The member it is about, or another key (`campaign:<id>`): its subscribers get them in order. */
  orderKey: string
  data: Record<string, unknown>
}

// The kind of ledger entry decides its event; a refund's reversal and a merge are adjustments
// of the balance that no member action spent.
const LEDGER_EVENT: Record<string, WebhookEventType> = {
  earn: 'points.earned',
  return: 'points.earned',
  redeem: 'points.spent',
  expire: 'points.expired',
  adjust: 'points.adjusted',
  refund: 'points.adjusted',
  merge: 'points.adjusted',
}

/** The one place a ledger entry becomes an event: one event per entry, with the entry. */
export function ledgerEntryEvent(entry: Selectable<LedgerEntriesTable>): WebhookEvent {
  return {
    type: LEDGER_EVENT[entry.kind] ?? 'points.adjusted',
    orderKey: entry.memberId,
    data: {
      memberId: entry.memberId,
      entry: {
        id: String(entry.id),
        points: entry.points,
        kind: entry.kind,
        reason: entry.reason,
        note: entry.note,
        sourceType: entry.sourceType,
        sourceId: entry.sourceId,
        balanceAfter: entry.balanceAfter,
        expiresAt: entry.expiresAt,
        actor: entry.actor,
        createdAt: entry.createdAt,
      },
    },
  }
}

/** What subscribers learn of a member: the record's own fields, never its chat identities. */
export function memberEventData(member: Selectable<MembersTable>): Record<string, unknown> {
  return {
    memberId: member.id,
    member: {
      id: member.id,
      code: member.code,
      externalId: member.externalId,
      displayName: member.displayName,
      phone: member.phone,
      birthday: member.birthday,
      locale: member.locale,
      tier: member.tierCode,
      marketingConsent: member.marketingConsent === 1,
      status: member.status,
      joinedAt: member.joinedAt,
      updatedAt: member.updatedAt,
    },
  }
}

// Typed parameters: PostgreSQL cannot infer the type of a bare parameter in a SELECT list.
const text = (value: string) => sql<string>`cast(${value} as text)`

/** One row per active subscription that asked for the type; every ledger entry runs it (#15). */
const eventDeliveries = prepared(
  (db, p: { eventId: string; eventType: string; orderKey: string; body: string; at: string }) =>
    db
      .insertInto('webhookDeliveries')
      .columns([
        'subscriptionId',
        'eventId',
        'eventType',
        'orderKey',
        'body',
        'status',
        'attempts',
        'notBefore',
        'createdAt',
      ])
      .expression((eb) =>
        eb
          .selectFrom('webhookSubscriptionEvents as wanted')
          .innerJoin('webhookSubscriptions as s', 's.id', 'wanted.subscriptionId')
          .where('wanted.eventType', '=', p.eventType)
          .where('s.status', '=', 'active')
          .select([
            's.id',
            text(p.eventId).as('eventId'),
            text(p.eventType).as('eventType'),
            text(p.orderKey).as('orderKey'),
            text(p.body).as('body'),
            text('pending').as('status'),
            sql.lit(0).as('attempts'),
            text(p.at).as('notBefore'),
            text(p.at).as('createdAt'),
          ]),
      ),
)

/**
 * Writes the events into the webhooks' outbox inside the caller's transaction, so that an event
 * exists exactly when the change it tells was committed: one row per subscription that asked for
 * the type, found by one INSERT ... SELECT (nothing is written when nobody listens). Each event
 * gets its id here; every delivery and replay of it carries the same id.
 */
export async function recordEvents(trx: Db, events: WebhookEvent[], now: Date): Promise<void> {
  const at = now.toISOString()
  for (const event of events) {
    const id = newId('evt')
    const body = JSON.stringify({ id, type: event.type, createdAt: at, data: event.data })
    await eventDeliveries.all(trx, {
      eventId: id,
      eventType: event.type,
      orderKey: event.orderKey,
      body,
      at,
    })
  }
}

/**
 * Erasure reaches the webhooks' outbox too: the member's details are taken out of every event
 * kept about them (delivered or not), and ledger notes, as the ledger's own are blanked. What
 * is left says what happened to which member id, as the ledger still does.
 */
export async function redactMemberEvents(trx: Db, memberIds: string[]): Promise<void> {
  const rows = await trx
    .selectFrom('webhookDeliveries')
    .select(['id', 'body'])
    .where('orderKey', 'in', memberIds)
    .execute()
  for (const row of rows) {
    const event = JSON.parse(row.body) as { type: string; data: Record<string, unknown> }
    const entry = event.data.entry as Record<string, unknown> | undefined
    if (event.type.startsWith('member.'))
      event.data = { memberId: event.data.memberId, erased: true }
    else if (entry?.note) entry.note = null
    else continue
    await trx
      .updateTable('webhookDeliveries')
      .set({ body: JSON.stringify(event) })
      .where('id', '=', row.id)
      .execute()
  }
}
