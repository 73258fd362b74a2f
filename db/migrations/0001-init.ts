import { type ColumnDefinitionBuilder, type Kysely, sql } from 'kysely'
import { isPostgres } from '../dialect.ts'

type Db = Kysely<unknown>

function serialId(
  db: Db,
): [string, 'integer' | 'bigserial', (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder] {
  return isPostgres(db)
    ? ['id', 'bigserial', (col) => col.primaryKey()]
    : ['id', 'integer', (col) => col.primaryKey().autoIncrement()]
}

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('programme_versions')
    .addColumn('version', 'integer', (col) => col.primaryKey())
    .addColumn('config', 'text', (col) => col.notNull())
    .addColumn('note', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute()

  await db.schema
    .createTable('members')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('code', 'text', (col) => col.notNull().unique())
    .addColumn('display_name', 'text', (col) => col.notNull())
    .addColumn('phone', 'text')
    .addColumn('birthday', 'text')
    .addColumn('region', 'text')
    .addColumn('gender', 'text')
    .addColumn('locale', 'text', (col) => col.notNull())
    .addColumn('source_channel', 'text')
    .addColumn('referrer_id', 'text', (col) => col.references('members.id'))
    .addColumn('marketing_consent', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('privacy_consent_at', 'text')
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('merged_into', 'text', (col) => col.references('members.id'))
    .addColumn('tier_code', 'text', (col) => col.notNull())
    .addColumn('tier_floor_code', 'text')
    .addColumn('tier_retained_code', 'text')
    .addColumn('tier_window_start', 'text', (col) => col.notNull())
    .addColumn('tier_window_end', 'text', (col) => col.notNull())
    .addColumn('points_balance', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('points_debt', 'bigint', (col) =>
      col
        .notNull()
        .defaultTo(0)
        .check(sql`points_debt >= 0`),
    )
    .addColumn('lottery_chances', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('revision', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('external_id', 'text')
    .addColumn('joined_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute()
  // Partial unique indexes: a phone or external id belongs to one active member at most.
  await sql`create unique index members_phone_active on members (phone) where phone is not null and status = 'active'`.execute(
    db,
  )
  await sql`create unique index members_external_id on members (external_id) where external_id is not null`.execute(
    db,
  )
  await db.schema
    .createIndex('members_tier_window_end')
    .on('members')
    .column('tier_window_end')
    .execute()

  await db.schema
    .createTable('member_identities')
    .addColumn('channel', 'text', (col) => col.notNull())
    .addColumn('external_id', 'text', (col) => col.notNull())
    .addColumn('member_id', 'text', (col) => col.notNull().references('members.id'))
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('member_identities_pk', ['channel', 'external_id'])
    .execute()
  await db.schema
    .createIndex('member_identities_member')
    .on('member_identities')
    .column('member_id')
    .execute()

  await db.schema
    .createTable('ledger_entries')
    .addColumn(...serialId(db))
    .addColumn('member_id', 'text', (col) => col.notNull().references('members.id'))
    .addColumn('points', 'bigint', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('note', 'text')
    .addColumn('source_type', 'text')
    .addColumn('source_id', 'text')
    .addColumn('idempotency_key', 'text', (col) => col.unique())
    .addColumn('programme_version', 'integer')
    .addColumn('balance_after', 'bigint', (col) => col.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('actor', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute()
  await db.schema
    .createIndex('ledger_member_id')
    .on('ledger_entries')
    .columns(['member_id', 'id'])
    .execute()
  await db.schema
    .createIndex('ledger_source')
    .on('ledger_entries')
    .columns(['source_type', 'source_id'])
    .execute()

  await db.schema
    .createTable('point_lots')
    .addColumn(...serialId(db))
    .addColumn('member_id', 'text', (col) => col.notNull().references('members.id'))
    .addColumn('ledger_entry_id', 'bigint', (col) => col.notNull().references('ledger_entries.id'))
    .addColumn('points', 'bigint', (col) => col.notNull().check(sql`points > 0`))
    .addColumn('used', 'bigint', (col) =>
      col
        .notNull()
        .defaultTo(0)
        .check(sql`used >= 0`),
    )
    .addColumn('expired', 'bigint', (col) =>
      col
        .notNull()
        .defaultTo(0)
        .check(sql`expired >= 0`),
    )
    .addColumn('remaining', 'bigint', (col) => col.notNull().check(sql`remaining >= 0`))
    .addColumn('expires_at', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addCheckConstraint('point_lots_conservation', sql`points = used + expired + remaining`)
    .execute()
  await db.schema
    .createIndex('point_lots_member')
    .on('point_lots')
    .columns(['member_id', 'remaining'])
    .execute()
  await db.schema
    .createIndex('point_lots_expiry')
    .on('point_lots')
    .columns(['expires_at', 'remaining'])
    .execute()

  await db.schema
    .createTable('lot_allocations')
    .addColumn(...serialId(db))
    .addColumn('ledger_entry_id', 'bigint', (col) => col.notNull().references('ledger_entries.id'))
    .addColumn('lot_id', 'bigint', (col) => col.notNull().references('point_lots.id'))
    .addColumn('points', 'bigint', (col) => col.notNull().check(sql`points > 0`))
    .execute()
  await db.schema
    .createIndex('lot_allocations_entry')
    .on('lot_allocations')
    .column('ledger_entry_id')
    .execute()

  await db.schema
    .createTable('orders')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('member_id', 'text', (col) => col.notNull().references('members.id'))
    .addColumn('amount', 'bigint', (col) => col.notNull())
    .addColumn('currency', 'text', (col) => col.notNull())
    .addColumn('items_json', 'text', (col) => col.notNull())
    .addColumn('points_redeemed', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('points_earned', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('points_reversed', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('points_returned', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('refunded_amount', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('request_hash', 'text', (col) => col.notNull())
    .addColumn('response_json', 'text', (col) => col.notNull())
    .addColumn('programme_version', 'integer', (col) => col.notNull())
    .addColumn('placed_at', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addCheckConstraint('orders_refund_bounded', sql`refunded_amount <= amount`)
    .execute()
  await db.schema
    .createIndex('orders_member')
    .on('orders')
    .columns(['member_id', 'placed_at'])
    .execute()

  await db.schema
    .createTable('refunds')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('order_id', 'text', (col) => col.notNull().references('orders.id'))
    .addColumn('amount', 'bigint', (col) => col.notNull())
    .addColumn('points_reversed', 'bigint', (col) => col.notNull())
    .addColumn('points_returned', 'bigint', (col) => col.notNull())
    .addColumn('request_hash', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute()

  await db.schema
    .createTable('rewards')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('points_cost', 'bigint', (col) => col.notNull())
    .addColumn('stock', 'integer', (col) => col.check(sql`stock >= 0`))
    .addColumn('issued', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('min_tier_code', 'text')
    .addColumn('per_member_limit', 'integer')
    .addColumn('value', 'bigint')
    .addColumn('tier_code', 'text')
    .addColumn('valid_days', 'integer')
    .addColumn('active', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute()

  await db.schema
    .createTable('redemptions')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('member_id', 'text', (col) => col.notNull().references('members.id'))
    .addColumn('reward_id', 'text', (col) => col.notNull().references('rewards.id'))
    .addColumn('points', 'bigint', (col) => col.notNull())
    .addColumn('ledger_entry_id', 'bigint', (col) => col.references('ledger_entries.id'))
    .addColumn('coupon_id', 'text')
    .addColumn('idempotency_key', 'text', (col) => col.notNull().unique())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute()
  await db.schema
    .createIndex('redemptions_member_reward')
    .on('redemptions')
    .columns(['member_id', 'reward_id'])
    .execute()

  await db.schema
    .createTable('coupons')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('code', 'text', (col) => col.notNull().unique())
    .addColumn('member_id', 'text', (col) => col.notNull().references('members.id'))
    .addColumn('reward_id', 'text', (col) => col.notNull().references('rewards.id'))
    .addColumn('redemption_id', 'text', (col) => col.notNull().references('redemptions.id'))
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('value', 'bigint')
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('issued_at', 'text', (col) => col.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('used_at', 'text')
    .addColumn('used_by', 'text')
    .execute()
  await db.schema.createIndex('coupons_member').on('coupons').column('member_id').execute()

  await db.schema
    .createTable('tier_changes')
    .addColumn(...serialId(db))
    .addColumn('member_id', 'text', (col) => col.notNull().references('members.id'))
    .addColumn('from_code', 'text')
    .addColumn('to_code', 'text', (col) => col.notNull())
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute()
  await db.schema
    .createIndex('tier_changes_member')
    .on('tier_changes')
    .column('member_id')
    .execute()

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('prefix', 'text', (col) => col.notNull())
    .addColumn('key_hash', 'text', (col) => col.notNull().unique())
    .addColumn('role', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute()

  await db.schema
    .createTable('staff')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('channel', 'text', (col) => col.notNull())
    .addColumn('external_id', 'text', (col) => col.notNull())
    .addColumn('role', 'text', (col) => col.notNull())
    .addColumn('display_name', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addUniqueConstraint('staff_identity', ['channel', 'external_id'])
    .execute()

  await db.schema
    .createTable('staff_invites')
    .addColumn('code_hash', 'text', (col) => col.primaryKey())
    .addColumn('role', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('expires_at', 'text', (col) => col.notNull())
    .addColumn('used_at', 'text')
    .addColumn('used_by', 'text')
    .execute()
}

export async function down(db: Db): Promise<void> {
  for (const table of [
    'staff_invites',
    'staff',
    'api_keys',
    'tier_changes',
    'coupons',
    'redemptions',
    'rewards',
    'refunds',
    'orders',
    'lot_allocations',
    'point_lots',
    'ledger_entries',
    'member_identities',
    'members',
    'programme_versions',
  ]) {
    await db.schema.dropTable(table).execute()
  }
}
