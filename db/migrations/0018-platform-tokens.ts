import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  // A platform's access token (the Official Account's), one per account: fetching a new one
  // invalidates the old at WeChat, so every process reads this row instead of fetching its own.
  await db.schema
    .createTable('platform_tokens')
    .addColumn('account', 'text', (col) => col.primaryKey())
    .addColumn('token', 'text', (col) => col.notNull())
    .addColumn('expires_at', 'text', (col) => col.notNull())
    .addColumn('fetched_at', 'text', (col) => col.notNull())
    .execute()
  // When the member last wrote to us there: the Official Account lets us write back by
  // customer-service message only within 48 hours of it.
  await db.schema.alterTable('member_identities').addColumn('last_inbound_at', 'text').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('member_identities').dropColumn('last_inbound_at').execute()
  await db.schema.dropTable('platform_tokens').execute()
}
