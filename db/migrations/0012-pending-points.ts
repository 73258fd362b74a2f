import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  // Points of an order over an issuing cap, held out of the balance until staff decide.
  await db.schema
    .createTable('pending_points')
    .addColumn('id', 'text', (col) => col.primaryKey())
    // One hold per order: a replayed or concurrent duplicate order never holds twice.
    .addColumn('order_id', 'text', (col) => col.notNull().unique().references('orders.id'))
    .addColumn('member_id', 'text', (col) => col.notNull().references('members.id'))
    .addColumn('order_points', 'bigint', (col) => col.notNull())
    .addColumn('points', 'bigint', (col) => col.notNull())
    .addColumn('cap', 'text', (col) => col.notNull())
    .addColumn('cap_limit', 'bigint', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('programme_version', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute()
  await db.schema
    .createIndex('pending_points_status')
    .on('pending_points')
    .columns(['status', 'created_at'])
    .execute()
  await db.schema
    .createIndex('pending_points_member')
    .on('pending_points')
    .columns(['member_id', 'status'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('pending_points').execute()
}
