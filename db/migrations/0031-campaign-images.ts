import type { Kysely } from 'kysely'
import { isPostgres } from '../dialect.ts'

/**
 * The pictures of campaign messages, kept in the database as the catalogue's are (0021) and
 * for the same reasons. A picture is uploaded before the campaign that uses it exists, and
 * several campaigns may send the same one, so it is keyed by its SHA-256 rather than by a
 * campaign: the same bytes uploaded again are the same row.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('campaign_images')
    .addColumn('sha256', 'text', (col) => col.primaryKey())
    .addColumn('content_type', 'text', (col) => col.notNull())
    .addColumn('bytes', isPostgres(db) ? 'bytea' : 'blob', (col) => col.notNull())
    .addColumn('size', 'integer', (col) => col.notNull())
    .addColumn('width', 'integer', (col) => col.notNull())
    .addColumn('height', 'integer', (col) => col.notNull())
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('campaign_images').execute()
}
