import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  // What WeChat reports when a mass send finishes (the MASSSENDJOBFINISH event), by its msg_id:
  // the outbox rows of the send carry the same id (`platform_message_id`, sent via `mass`), so a
  // campaign's results read how many of its followers WeChat reached.
  await db.schema
    .createTable('mass_send_results')
    .addColumn('msg_id', 'text', (col) => col.primaryKey())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('total_count', 'integer', (col) => col.notNull())
    .addColumn('filter_count', 'integer', (col) => col.notNull())
    .addColumn('sent_count', 'integer', (col) => col.notNull())
    .addColumn('error_count', 'integer', (col) => col.notNull())
    .addColumn('finished_at', 'text', (col) => col.notNull())
    .execute()
  await db.schema
    .createIndex('outbox_platform_message')
    .on('outbox')
    .column('platform_message_id')
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('outbox_platform_message').execute()
  await db.schema.dropTable('mass_send_results').execute()
}
