import { type Kysely, sql } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  // Sales to customers who are not members (a till posts the order without a member): no
  // points, no member, but the denominator of the member share of sales. A table of their own
  // rather than member-less rows in `orders`, so that nothing that reads a member's orders
  // (tiers, classification, attribution, exports) has to learn about orders without one.
  await db.schema
    .createTable('guest_sales')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('amount', 'bigint', (col) => col.notNull())
    .addColumn('currency', 'text', (col) => col.notNull())
    .addColumn('refunded_amount', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('request_hash', 'text', (col) => col.notNull())
    .addColumn('placed_at', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addCheckConstraint('guest_sales_refund_bounded', sql`refunded_amount <= amount`)
    .execute()
  await db.schema.createIndex('guest_sales_placed').on('guest_sales').column('placed_at').execute()
  await db.schema
    .createTable('guest_refunds')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('sale_id', 'text', (col) => col.notNull().references('guest_sales.id'))
    .addColumn('amount', 'bigint', (col) => col.notNull())
    .addColumn('request_hash', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute()

  // Reports select orders and ledger entries by time across all members.
  await db.schema.createIndex('orders_placed').on('orders').column('placed_at').execute()
  await db.schema.createIndex('ledger_created').on('ledger_entries').column('created_at').execute()

  // The size of each lifecycle stage and value class at the last recompute of each local day:
  // the classification itself is replaced by every recompute and keeps no history.
  await db.schema
    .createTable('segment_snapshots')
    .addColumn('day', 'text', (col) => col.notNull())
    .addColumn('dimension', 'text', (col) => col.notNull())
    .addColumn('class', 'text', (col) => col.notNull())
    .addColumn('members', 'integer', (col) => col.notNull())
    .addColumn('computed_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('segment_snapshots_pk', ['day', 'dimension', 'class'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('segment_snapshots').execute()
  await db.schema.dropIndex('ledger_created').execute()
  await db.schema.dropIndex('orders_placed').execute()
  await db.schema.dropTable('guest_refunds').execute()
  await db.schema.dropTable('guest_sales').execute()
}
