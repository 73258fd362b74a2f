import { type Kysely, sql } from 'kysely'
import { isPostgres } from '../dialect.ts'

const OUTBOX_COLUMNS = [
  'id',
  'campaign_id',
  'member_id',
  'channel',
  'recipient',
  'payload_json',
  'status',
  'attempts',
  'not_before',
  'lease_owner',
  'lease_until',
  'last_error',
  'sent_at',
  'created_at',
  'reminder_id',
  'purpose',
]

/**
 * SQLite cannot change a column's NOT NULL: the outbox is copied into a table of the new shape.
 * Nothing references the outbox, so dropping the old table breaks no foreign key.
 */
async function rebuildSqliteOutbox(db: Kysely<unknown>, memberIdNullable: boolean): Promise<void> {
  await db.schema
    .createTable('outbox_next')
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('campaign_id', 'text', (col) => col.references('campaigns.id'))
    .addColumn('member_id', 'text', (col) =>
      memberIdNullable ? col.references('members.id') : col.notNull().references('members.id'),
    )
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
    .addColumn('reminder_id', 'bigint')
    .addColumn('purpose', 'text', (col) => col.notNull().defaultTo('marketing'))
    .addUniqueConstraint('outbox_once_per_campaign', ['campaign_id', 'member_id'])
    .execute()
  const columns = sql.join(OUTBOX_COLUMNS.map((c) => sql.ref(c)))
  await sql`insert into outbox_next (${columns}) select ${columns} from outbox`.execute(db)
  await db.schema.dropTable('outbox').execute()
  await db.schema.alterTable('outbox_next').renameTo('outbox').execute()
  await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'not_before']).execute()
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
}

export async function up(db: Kysely<unknown>): Promise<void> {
  // A message to a staff member (a notice, a digest) goes through the same outbox and worker as
  // a member's: such a row names no member, but the staff member it is for and what it is.
  if (isPostgres(db)) await sql`alter table outbox alter column member_id drop not null`.execute(db)
  else await rebuildSqliteOutbox(db, true)
  await db.schema.alterTable('outbox').addColumn('staff_id', 'text').execute()
  await db.schema.alterTable('outbox').addColumn('kind', 'text').execute()
  await db.schema.alterTable('outbox').addColumn('dedupe_key', 'text').execute()
  // A notice queued twice (two processes seeing the same event) is queued once.
  await db.schema
    .createIndex('outbox_once_per_staff_notice')
    .on('outbox')
    .columns(['staff_id', 'dedupe_key'])
    .unique()
    .execute()
  // When a message is past its use (its campaign's end, its reminder's validity): held by a
  // channel that is down until then, it expires instead of arriving late.
  await db.schema.alterTable('outbox').addColumn('expires_at', 'text').execute()
  // Each channel's health, for every process: what the adapters saw last, the incident it
  // belongs to (counted, so that staff are told once per incident), and when to probe a
  // channel that is down with one message again.
  await db.schema
    .createTable('channel_health')
    .addColumn('channel', 'text', (col) => col.primaryKey())
    .addColumn('state', 'text', (col) => col.notNull())
    .addColumn('reason', 'text')
    .addColumn('since', 'text', (col) => col.notNull())
    .addColumn('incident', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('probe_at', 'text')
    .addColumn('probe_failures', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('channel_health').execute()
  await db.schema.alterTable('outbox').dropColumn('expires_at').execute()
  await db
    .deleteFrom('outbox' as never)
    .where(sql.ref('member_id'), 'is', null)
    .execute()
  await db.schema.dropIndex('outbox_once_per_staff_notice').execute()
  await db.schema.alterTable('outbox').dropColumn('dedupe_key').execute()
  await db.schema.alterTable('outbox').dropColumn('kind').execute()
  await db.schema.alterTable('outbox').dropColumn('staff_id').execute()
  if (isPostgres(db)) await sql`alter table outbox alter column member_id set not null`.execute(db)
  else await rebuildSqliteOutbox(db, false)
}
