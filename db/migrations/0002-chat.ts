import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  // Where a chat user is in a multi-step dialog, so that a restart mid-dialog loses nothing.
  await db.schema
    .createTable('dialog_states')
    .addColumn('channel', 'text', (col) => col.notNull())
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('state', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('dialog_states_pk', ['channel', 'user_id'])
    .execute()

  // Updates already handled (Telegram update_id, WeChat message id): a redelivery is ignored.
  await db.schema
    .createTable('processed_updates')
    .addColumn('channel', 'text', (col) => col.notNull())
    .addColumn('update_key', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('processed_updates_pk', ['channel', 'update_key'])
    .execute()
  await db.schema
    .createIndex('processed_updates_created')
    .on('processed_updates')
    .column('created_at')
    .execute()

  // One-time codes that link a member's identity on another chat app to the same member.
  await db.schema
    .createTable('bind_codes')
    .addColumn('code_hash', 'text', (col) => col.primaryKey())
    .addColumn('member_id', 'text', (col) => col.notNull().references('members.id'))
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('expires_at', 'text', (col) => col.notNull())
    .addColumn('used_at', 'text')
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('bind_codes').execute()
  await db.schema.dropTable('processed_updates').execute()
  await db.schema.dropTable('dialog_states').execute()
}
