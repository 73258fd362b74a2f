import type { Kysely } from 'kysely'
import { isPostgres } from '../dialect.ts'

export async function up(db: Kysely<unknown>): Promise<void> {
  // How a sent message went where a channel has more than one way (the Official Account:
  // customer-service, template or mass send), and the platform's id of it (a mass send's msg_id).
  await db.schema.alterTable('outbox').addColumn('sent_via', 'text').execute()
  await db.schema.alterTable('outbox').addColumn('platform_message_id', 'text').execute()

  // The sources a merchant names (a store, a poster, a staff member), each with its channel QR
  // code (带参数二维码): WeChat tells which one a follower scanned by its scene string.
  await db.schema
    .createTable('channel_sources')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('scene', 'text', (col) => col.notNull().unique())
    .addColumn('ticket', 'text', (col) => col.notNull())
    .addColumn('qr_url', 'text', (col) => col.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute()
  // Every follow and scan through a source, by chat identity: a follower may scan before they
  // join, and the first touch is their source once they do.
  await db.schema
    .createTable('channel_source_touches')
    .addColumn('id', isPostgres(db) ? 'bigserial' : 'integer', (col) =>
      isPostgres(db) ? col.primaryKey() : col.primaryKey().autoIncrement(),
    )
    .addColumn('source_id', 'text', (col) => col.notNull().references('channel_sources.id'))
    .addColumn('channel', 'text', (col) => col.notNull())
    .addColumn('external_id', 'text', (col) => col.notNull())
    .addColumn('event', 'text', (col) => col.notNull())
    .addColumn('touched_at', 'text', (col) => col.notNull())
    .execute()
  await db.schema
    .createIndex('channel_source_touches_identity')
    .on('channel_source_touches')
    .columns(['channel', 'external_id', 'touched_at'])
    .execute()
  await db.schema
    .createIndex('channel_source_touches_source')
    .on('channel_source_touches')
    .columns(['source_id'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('channel_source_touches').execute()
  await db.schema.dropTable('channel_sources').execute()
  await db.schema.alterTable('outbox').dropColumn('platform_message_id').execute()
  await db.schema.alterTable('outbox').dropColumn('sent_via').execute()
}
