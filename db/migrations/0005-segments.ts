import { type Kysely, sql } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per active member, replaced as a whole by every recompute: segment filters read
  // the classification from here instead of aggregating the orders on every count. No foreign
  // key: the rows are made from the members table itself, and checking 100,000 references cost
  // PostgreSQL a quarter of the whole recompute.
  await db.schema
    .createTable('member_segments')
    .addColumn('member_id', 'text', (col) => col.primaryKey())
    .addColumn('lifecycle', 'text', (col) => col.notNull())
    .addColumn('r', 'integer')
    .addColumn('f', 'integer')
    .addColumn('m', 'integer')
    .addColumn('value_class', 'text')
    .addColumn('abc', 'text')
    .addColumn('orders_count', 'integer', (col) => col.notNull())
    .addColumn('revenue', 'bigint', (col) => col.notNull())
    .addColumn('first_purchase_at', 'text')
    .addColumn('last_purchase_at', 'text')
    .addColumn('computed_at', 'text', (col) => col.notNull())
    .execute()

  // A single row: every recompute updates it first, so that two processes recomputing at once
  // queue on its row lock instead of both inserting the same members.
  await db.schema
    .createTable('segment_state')
    .addColumn('id', 'integer', (col) => col.primaryKey())
    .addColumn('computed_at', 'text')
    .addColumn('members', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('ms', 'integer', (col) => col.notNull().defaultTo(0))
    .execute()
  await sql`insert into segment_state (id) values (1)`.execute(db)

  await db.schema
    .createTable('member_tags')
    .addColumn('member_id', 'text', (col) => col.notNull().references('members.id'))
    .addColumn('tag', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('member_tags_pk', ['member_id', 'tag'])
    .execute()
  await db.schema.createIndex('member_tags_tag').on('member_tags').column('tag').execute()

  await db.schema
    .createTable('segments')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('filter_json', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['segments', 'member_tags', 'segment_state', 'member_segments']) {
    await db.schema.dropTable(table).execute()
  }
}
