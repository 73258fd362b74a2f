import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  // The tier an order was placed at (the member's tier before it: the one it earned at and whose
  // benefits it could claim), so that reports put sales and benefit costs beside each other by
  // tier as it was, not as it is now. Orders recorded before are null: their tier is unknown.
  await db.schema.alterTable('orders').addColumn('tier_code', 'text').execute()
  // Each benefit a till applied to an order, with what it saved the member: what the tiers cost.
  await db.schema
    .createTable('order_benefits')
    .addColumn('order_id', 'text', (col) => col.notNull().references('orders.id'))
    .addColumn('position', 'integer', (col) => col.notNull())
    .addColumn('tier_code', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('sku', 'text')
    .addColumn('amount', 'bigint', (col) => col.notNull())
    .addColumn('placed_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('order_benefits_pk', ['order_id', 'position'])
    .execute()
  await db.schema
    .createIndex('order_benefits_placed')
    .on('order_benefits')
    .columns(['placed_at'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('order_benefits').execute()
  await db.schema.alterTable('orders').dropColumn('tier_code').execute()
}
