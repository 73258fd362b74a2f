import type { Kysely } from 'kysely'
import { isPostgres } from '../dialect.ts'

export async function up(db: Kysely<unknown>): Promise<void> {
  // Who wants to hear what happened: a URL, the events wanted (a row each, so that writing an
  // event finds its subscribers by index), and the signing secret, encrypted with a key that is
  // not in the database (an HMAC key cannot be stored as a one-way hash: we must sign with it).
  await db.schema
    .createTable('webhook_subscriptions')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('url', 'text', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('secret_encrypted', 'text', (col) => col.notNull())
    .addColumn('secret_prefix', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('disabled_at', 'text')
    .addColumn('disabled_reason', 'text')
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute()
  await db.schema
    .createTable('webhook_subscription_events')
    .addColumn('subscription_id', 'text', (col) =>
      col.notNull().references('webhook_subscriptions.id').onDelete('cascade'),
    )
    .addColumn('event_type', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('webhook_subscription_events_pk', ['event_type', 'subscription_id'])
    .execute()
  // The webhooks' outbox: one row per event and subscription, written in the transaction of the
  // change it tells, claimed by a worker with a lease. `order_key` (the member, or the campaign)
  // keeps one subscriber's events about one member in order: a row waits for the ones before it.
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', isPostgres(db) ? 'bigserial' : 'integer', (col) =>
      isPostgres(db) ? col.primaryKey() : col.primaryKey().autoIncrement(),
    )
    .addColumn('subscription_id', 'text', (col) =>
      col.notNull().references('webhook_subscriptions.id').onDelete('cascade'),
    )
    .addColumn('event_id', 'text', (col) => col.notNull())
    .addColumn('event_type', 'text', (col) => col.notNull())
    .addColumn('order_key', 'text', (col) => col.notNull())
    .addColumn('body', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('not_before', 'text', (col) => col.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('delivered_at', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addUniqueConstraint('webhook_deliveries_once', ['subscription_id', 'event_id'])
    .execute()
  await db.schema
    .createIndex('webhook_deliveries_due')
    .on('webhook_deliveries')
    .columns(['status', 'not_before'])
    .execute()
  await db.schema
    .createIndex('webhook_deliveries_in_order')
    .on('webhook_deliveries')
    .columns(['subscription_id', 'order_key', 'id'])
    .execute()
  // Every attempt with what the receiver answered, for the owner to read and to debug with.
  await db.schema
    .createTable('webhook_attempts')
    .addColumn('id', isPostgres(db) ? 'bigserial' : 'integer', (col) =>
      isPostgres(db) ? col.primaryKey() : col.primaryKey().autoIncrement(),
    )
    .addColumn('delivery_id', 'bigint', (col) =>
      col.notNull().references('webhook_deliveries.id').onDelete('cascade'),
    )
    .addColumn('started_at', 'text', (col) => col.notNull())
    .addColumn('duration_ms', 'integer', (col) => col.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('error', 'text')
    .execute()
  await db.schema
    .createIndex('webhook_attempts_delivery')
    .on('webhook_attempts')
    .columns(['delivery_id', 'id'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('webhook_attempts').execute()
  await db.schema.dropTable('webhook_deliveries').execute()
  await db.schema.dropTable('webhook_subscription_events').execute()
  await db.schema.dropTable('webhook_subscriptions').execute()
}
