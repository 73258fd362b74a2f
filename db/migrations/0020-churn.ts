import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  // When a slipping customer started slipping, so that a digest can tell this week's from older.
  await db.schema.alterTable('member_segments').addColumn('slipping_since', 'text').execute()
  // One digest a week: the key is the local date it was due, so a second run sends nothing.
  await db.schema
    .createTable('churn_digests')
    .addColumn('week', 'text', (col) => col.primaryKey())
    .addColumn('period_from', 'text', (col) => col.notNull())
    .addColumn('period_to', 'text', (col) => col.notNull())
    .addColumn('member_ids_json', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('win_back_by', 'text')
    .addColumn('win_back_at', 'text')
    .execute()
  // A reminder's member-page button counts its opens as a campaign's does, once per reminder.
  await db.schema
    .createTable('reminder_opens')
    .addColumn('reminder_id', 'integer', (col) => col.primaryKey().references('reminders.id'))
    .addColumn('member_id', 'text', (col) => col.notNull().references('members.id'))
    .addColumn('opened_at', 'text', (col) => col.notNull())
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('reminder_opens').execute()
  await db.schema.dropTable('churn_digests').execute()
  await db.schema.alterTable('member_segments').dropColumn('slipping_since').execute()
}
