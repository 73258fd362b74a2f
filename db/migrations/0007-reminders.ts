import type { Kysely } from 'kysely'
import { isPostgres } from '../dialect.ts'

export async function up(db: Kysely<unknown>): Promise<void> {
  // The merchant's products, as far as reminders need them: a name to write and how long one
  // unit lasts (商品使用周期), so that the member is reminded before the supply runs out.
  await db.schema
    .createTable('products')
    .addColumn('sku', 'text', (col) => col.primaryKey())
    .addColumn('name_zh', 'text', (col) => col.notNull())
    .addColumn('name_en', 'text', (col) => col.notNull())
    .addColumn('usage_cycle_days', 'integer')
    .addColumn('remind_days_before', 'integer')
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute()

  // A reminder is decided once: planned (scheduled) with a due time, then queued into the
  // outbox, cancelled (no longer true) or skipped (consent, cap, unreachable, stale). The
  // dedupe key makes planning idempotent, so that every process may plan without duplicates.
  await db.schema
    .createTable('reminders')
    .addColumn('id', isPostgres(db) ? 'bigserial' : 'integer', (col) =>
      isPostgres(db) ? col.primaryKey() : col.primaryKey().autoIncrement(),
    )
    .addColumn('member_id', 'text', (col) => col.notNull().references('members.id'))
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('dedupe_key', 'text', (col) => col.notNull().unique())
    .addColumn('subject_json', 'text', (col) => col.notNull())
    .addColumn('due_at', 'text', (col) => col.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('reason', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('decided_at', 'text')
    .execute()
  await db.schema
    .createIndex('reminders_due')
    .on('reminders')
    .columns(['status', 'due_at'])
    .execute()
  await db.schema
    .createIndex('reminders_member_kind')
    .on('reminders')
    .columns(['member_id', 'kind', 'created_at'])
    .execute()

  // What the shop reports happened to an order after it was placed; once per order and type.
  await db.schema
    .createTable('order_events')
    .addColumn('order_id', 'text', (col) => col.notNull().references('orders.id'))
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('occurred_at', 'text', (col) => col.notNull())
    .addColumn('details_json', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('order_events_pk', ['order_id', 'type'])
    .execute()

  // The outbox carries reminders as well as campaigns now. `purpose` says which rules apply:
  // marketing needs the member's consent and counts toward the frequency cap; service messages
  // about the member's own order do neither.
  await db.schema.alterTable('outbox').addColumn('reminder_id', 'bigint').execute()
  await db.schema
    .alterTable('outbox')
    .addColumn('purpose', 'text', (col) => col.notNull().defaultTo('marketing'))
    .execute()
  await db.schema
    .createIndex('outbox_once_per_reminder')
    .on('outbox')
    .column('reminder_id')
    .unique()
    .execute()
  await db.schema
    .createIndex('outbox_member_created')
    .on('outbox')
    .columns(['member_id', 'created_at'])
    .execute()

  // Periodic jobs are taken by one process at a time: the lease names who runs it until when.
  await db.schema
    .createTable('job_leases')
    .addColumn('name', 'text', (col) => col.primaryKey())
    .addColumn('owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('last_tick_at', 'text')
    .addColumn('last_finished_at', 'text')
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('job_leases').execute()
  await db.schema.dropIndex('outbox_member_created').execute()
  await db.schema.dropIndex('outbox_once_per_reminder').execute()
  await db.schema.alterTable('outbox').dropColumn('purpose').execute()
  await db.schema.alterTable('outbox').dropColumn('reminder_id').execute()
  await db.schema.dropTable('order_events').execute()
  await db.schema.dropTable('reminders').execute()
  await db.schema.dropTable('products').execute()
}
