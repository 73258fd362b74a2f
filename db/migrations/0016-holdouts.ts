import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  // The share held out and the seed of the draw, so that the split can be drawn again and checked.
  await db.schema
    .alterTable('campaigns')
    .addColumn('holdout_percent', 'integer', (col) => col.notNull().defaultTo(0))
    .execute()
  await db.schema.alterTable('campaigns').addColumn('holdout_seed', 'integer').execute()
  // The members drawn out of a campaign's audience: never messaged, compared with those who were.
  await db.schema
    .createTable('campaign_holdouts')
    .addColumn('campaign_id', 'text', (col) => col.notNull().references('campaigns.id'))
    .addColumn('member_id', 'text', (col) => col.notNull().references('members.id'))
    .addPrimaryKeyConstraint('campaign_holdouts_pk', ['campaign_id', 'member_id'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('campaign_holdouts').execute()
  await db.schema.alterTable('campaigns').dropColumn('holdout_seed').execute()
  await db.schema.alterTable('campaigns').dropColumn('holdout_percent').execute()
}
