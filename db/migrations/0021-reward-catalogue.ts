import type { Kysely } from 'kysely'
import { isPostgres } from '../dialect.ts'

/**
 * What the console's catalogue needs of a reward: the dates it is offered between, whether it
 * is retired for good (a paused reward is only inactive and can be offered again), and its
 * picture; `image_sha256` is the picture's address, so that a new picture is a new URL and an
 * old one may be cached for good. The picture is kept in the database, not in a data directory,
 * for the reason the import's file is (0014): every process on the same PostgreSQL serves it,
 * a backup of the database holds the whole catalogue, and nothing is left on a disk.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // One column a statement: SQLite adds no more at once.
  for (const column of ['starts_at', 'ends_at', 'retired_at', 'image_sha256'])
    await db.schema.alterTable('rewards').addColumn(column, 'text').execute()
  await db.schema
    .createTable('reward_images')
    .addColumn('reward_id', 'text', (col) => col.primaryKey().references('rewards.id'))
    .addColumn('sha256', 'text', (col) => col.notNull())
    .addColumn('content_type', 'text', (col) => col.notNull())
    .addColumn('bytes', isPostgres(db) ? 'bytea' : 'blob', (col) => col.notNull())
    .addColumn('size', 'integer', (col) => col.notNull())
    .addColumn('width', 'integer', (col) => col.notNull())
    .addColumn('height', 'integer', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('reward_images').execute()
  for (const column of ['image_sha256', 'retired_at', 'ends_at', 'starts_at'])
    await db.schema.alterTable('rewards').dropColumn(column).execute()
}
