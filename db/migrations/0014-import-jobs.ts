import type { Kysely } from 'kysely'
import { isPostgres } from '../dialect.ts'

export async function up(db: Kysely<unknown>): Promise<void> {
  // A member import that runs in the background: its file until it ends, its progress while it
  // runs (the heartbeat tells a live run from one whose process died), its report once done.
  await db.schema
    .createTable('import_jobs')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('on_existing', 'text', (col) => col.notNull())
    .addColumn('actor', 'text', (col) => col.notNull())
    .addColumn('owner', 'text', (col) => col.notNull())
    // In the database rather than on disk, so that any process on the same PostgreSQL sees it
    // and nothing is left behind in a data directory; dropped as soon as the job ends.
    .addColumn('file', isPostgres(db) ? 'bytea' : 'blob')
    .addColumn('file_bytes', 'integer', (col) => col.notNull())
    .addColumn('rows_total', 'integer')
    .addColumn('rows_read', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('bytes_read', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('bytes_total', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('created', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('updated', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('unchanged', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('failed', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('report_json', 'text')
    // The report without its per-row results and with its lists cut, as a poll reads it.
    .addColumn('summary_json', 'text')
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('heartbeat_at', 'text', (col) => col.notNull())
    .execute()
  // One import runs at a time, across every process on the database: a second claim fails here.
  await db.schema
    .createIndex('import_jobs_one_running')
    .on('import_jobs')
    .column('status')
    .unique()
    .where('status', '=', 'running')
    .execute()
  await db.schema
    .createIndex('import_jobs_created')
    .on('import_jobs')
    .column('created_at')
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('import_jobs').execute()
}
