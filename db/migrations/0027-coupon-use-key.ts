import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  // The Idempotency-Key of the request that used the coupon: a till's retry, or a double tap at
  // the counter, is answered with that use instead of "already used". Unique, so that one key
  // cannot use two coupons.
  await db.schema.alterTable('coupons').addColumn('use_key', 'text').execute()
  await db.schema.createIndex('coupons_use_key').unique().on('coupons').column('use_key').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('coupons_use_key').execute()
  await db.schema.alterTable('coupons').dropColumn('use_key').execute()
}
