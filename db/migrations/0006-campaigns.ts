import type { Kysely } from 'kysely'
import { isPostgres } from '../dialect.ts'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('campaigns')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('message_json', 'text', (col) => col.notNull())
    .addColumn('segment_json', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('send_at', 'text', (col) => col.notNull())
    .addColumn('cost', 'bigint')
    .addColumn('attribution_days', 'integer', (col) => col.notNull())
    .addColumn('targeted', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('started_at', 'text')
    .addColumn('completed_at', 'text')
    .execute()
  await db.schema
    .createIndex('campaigns_status_send_at')
    .on('campaigns')
    .columns(['status', 'send_at'])
    .execute()

  // The durable outbox: one row per recipient, claimed with a lease so that several workers
  // share the work and a crashed worker's rows are taken over when its lease runs out.
  await db.schema
    .createTable('outbox')
    .addColumn('id', isPostgres(db) ? 'bigserial' : 'integer', (col) =>
      isPostgres(db) ? col.primaryKey() : col.primaryKey().autoIncrement(),
    )
    .addColumn('campaign_id', 'text', (col) => col.references('campaigns.id'))
    .addColumn('member_id', 'text', (col) => col.notNull().references('members.id'))
    .addColumn('channel', 'text', (col) => col.notNull())
    .addColumn('recipient', 'text', (col) => col.notNull())
    .addColumn('payload_json', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('not_before', 'text', (col) => col.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addUniqueConstraint('outbox_once_per_campaign', ['campaign_id', 'member_id'])
    .execute()
  await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'not_before']).execute()

  // Mini-app visits that came from a campaign's link: the campaign's "opened".
  await db.schema
    .createTable('campaign_opens')
    .addColumn('campaign_id', 'text', (col) => col.notNull().references('campaigns.id'))
    .addColumn('member_id', 'text', (col) => col.notNull().references('members.id'))
    .addColumn('opened_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('campaign_opens_pk', ['campaign_id', 'member_id'])
    .execute()

  // A chat identity the platform told us we can no longer write to (blocked, deactivated).
  await db.schema.alterTable('member_identities').addColumn('unreachable_at', 'text').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('member_identities').dropColumn('unreachable_at').execute()
  await db.schema.dropTable('campaign_opens').execute()
  await db.schema.dropTable('outbox').execute()
  await db.schema.dropTable('campaigns').execute()
}
