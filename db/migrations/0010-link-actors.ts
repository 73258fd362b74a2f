import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  // Who linked a chat identity to a member (a bind code, staff, an API key): a wrong link hands
  // one person's points to another, so it must be traceable. Merges record theirs on the
  // ledger's `merge` entries, which have an actor column already.
  await db.schema.alterTable('member_identities').addColumn('linked_by', 'text').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('member_identities').dropColumn('linked_by').execute()
}
