import type { Kysely } from 'kysely'
import { isPostgres } from '../dialect.ts'

export async function up(db: Kysely<unknown>): Promise<void> {
  // Why a retained tier is held ('window': kept from the last window, 'reward': bought with
  // points, 'import': carried in from another system), so the tier outlook can say so.
  await db.schema.alterTable('members').addColumn('tier_retained_cause', 'text').execute()
  // The local year the birthday multiplier was last paid in: at most once a year, whatever
  // the birthday is changed to.
  await db.schema.alterTable('members').addColumn('birthday_bonus_year', 'integer').execute()
  // Corrections of member details that decide points (the birthday), with who made them and why.
  await db.schema
    .createTable('member_changes')
    .addColumn('id', isPostgres(db) ? 'bigserial' : 'integer', (col) =>
      isPostgres(db) ? col.primaryKey() : col.primaryKey().autoIncrement(),
    )
    .addColumn('member_id', 'text', (col) => col.notNull().references('members.id'))
    .addColumn('field', 'text', (col) => col.notNull())
    .addColumn('from_value', 'text')
    .addColumn('to_value', 'text')
    .addColumn('reason', 'text')
    .addColumn('actor', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute()
  await db.schema
    .createIndex('member_changes_member')
    .on('member_changes')
    .column('member_id')
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('member_changes').execute()
  await db.schema.alterTable('members').dropColumn('birthday_bonus_year').execute()
  await db.schema.alterTable('members').dropColumn('tier_retained_cause').execute()
}
