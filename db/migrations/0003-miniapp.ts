import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  // Server secrets (the key that signs mini-app sessions and links), made on first use so that
  // a fresh install needs no configuration and every process of a deployment shares them.
  await db.schema
    .createTable('server_secrets')
    .addColumn('name', 'text', (col) => col.primaryKey())
    .addColumn('value', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute()

  // One-time, expiring links that open the mini-app from WeChat.
  await db.schema
    .createTable('miniapp_links')
    .addColumn('id_hash', 'text', (col) => col.primaryKey())
    .addColumn('member_id', 'text', (col) => col.notNull().references('members.id'))
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('expires_at', 'text', (col) => col.notNull())
    .addColumn('used_at', 'text')
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('miniapp_links').execute()
  await db.schema.dropTable('server_secrets').execute()
}
