import { type Kysely, PostgresAdapter } from 'kysely'

export function isPostgres(db: Kysely<unknown> | Kysely<never>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter
}
