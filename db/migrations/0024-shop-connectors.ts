import { type Kysely, sql } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  // Web shops know their customers by email more often than by phone. Stored lower-cased, so
  // that the unique index and the look-up agree whatever case a shop sends.
  await db.schema.alterTable('members').addColumn('email', 'text').execute()
  await sql`create unique index members_email_active on members (email) where email is not null and status = 'active'`.execute(
    db,
  )
  // Every webhook a shop delivered, by the shop's own delivery id: a shop retries a delivery it
  // thinks failed, and the log answers "already handled" and shows staff what each one did.
  await db.schema
    .createTable('shop_deliveries')
    .addColumn('source', 'text', (col) => col.notNull())
    .addColumn('delivery_id', 'text', (col) => col.notNull())
    .addColumn('topic', 'text', (col) => col.notNull())
    .addColumn('outcome', 'text', (col) => col.notNull())
    .addColumn('order_id', 'text')
    .addColumn('detail', 'text')
    .addColumn('received_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('shop_deliveries_pk', ['source', 'delivery_id'])
    .execute()
  await db.schema
    .createIndex('shop_deliveries_received')
    .on('shop_deliveries')
    .columns(['received_at'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('shop_deliveries').execute()
  await sql`drop index members_email_active`.execute(db)
  await db.schema.alterTable('members').dropColumn('email').execute()
}
