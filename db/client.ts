import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import {
  Kysely,
  type LogEvent,
  Migrator,
  type SqliteDatabase,
  sql,
  type MigrationResultSet,
} from 'kysely'
import pg from 'pg'
import { migrations } from './migrations/index.ts'
import { CamelCaseResults, SnakeCasePostgresDialect, SnakeCaseSqliteDialect } from './snake-case.ts'
import type { Database } from './schema/index.ts'

export type { Database } from './schema/index.ts'
export type DialectName = 'sqlite' | 'postgres'
export type Db = Kysely<Database>

export interface DbHandle {
  readonly db: Db
  readonly dialect: DialectName
  /**
   * Runs `fn` in one write transaction: BEGIN IMMEDIATE on SQLite (so that concurrent writers
   * queue instead of failing half-way), READ COMMITTED with row locks on PostgreSQL. Retries
   * the whole function on SQLITE_BUSY, deadlock and serialization failure, so `fn` must only
   * touch the database it is given.
   */
  transaction<T>(fn: (trx: Db) => Promise<T>): Promise<T>
  migrate(): Promise<MigrationResultSet>
  /** Online backup of a SQLite database to `file`; PostgreSQL is backed up with pg_dump. */
  backup(file: string): Promise<void>
  close(): Promise<void>
}

const INT8_OID = 20
const NUMERIC_OID = 1700

/** Points and minor units are integers well below 2^53, so int8 and sum() come back as numbers. */
function pgTypes(): pg.CustomTypesConfig {
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
      if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value)
      return pg.types.getTypeParser(oid, format) as (value: string) => unknown
    }) as pg.CustomTypesConfig['getTypeParser'],
  }
}

const RETRYABLE_PG_CODES = new Set(['40001', '40P01'])
const MAX_ATTEMPTS = 8

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'SQLITE_BUSY' || (typeof code === 'string' && RETRYABLE_PG_CODES.has(code))
}

async function withRetry<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run()
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || !isRetryable(error)) throw error
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** attempt))
    }
  }
}

export function parseDatabaseUrl(url: string): { dialect: DialectName; target: string } {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    return { dialect: 'postgres', target: url }
  }
  if (url.startsWith('file:')) {
    const path = url.slice('file:'.length)
    if (path.length === 0)
      throw new Error('DATABASE_URL file: needs a path, e.g. file:./data/jifen.db')
    return { dialect: 'sqlite', target: path }
  }
  throw new Error('DATABASE_URL must start with file: (SQLite) or postgres:// (PostgreSQL)')
}

export interface DbOptions {
  poolSize?: number
  /** Called after every statement, BEGIN and COMMIT included (Kysely's `log` hook). */
  onStatement?: (event: LogEvent) => void
}

export function createDb(url: string, options: DbOptions = {}): DbHandle {
  const { dialect, target } = parseDatabaseUrl(url)
  return dialect === 'sqlite'
    ? createSqlite(target, options.onStatement)
    : createPostgres(target, options.poolSize ?? 10, options.onStatement)
}

const STATEMENT_CACHE_SIZE = 500

/**
 * Kysely's SQLite driver prepares every query anew, which costs more CPU than running it;
 * the engine runs the same few hundred statements over and over, so they are kept prepared
 * (least recently used dropped first). Statements are only ever run to completion
 * (`all`/`run`, never a lingering `iterate`), so sharing one between queries is safe.
 */
function withStatementCache(database: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>()
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let statement = statements.get(sql)
      if (statement) {
        statements.delete(sql)
      } else {
        statement = database.prepare(sql)
        if (statements.size >= STATEMENT_CACHE_SIZE)
          statements.delete(statements.keys().next().value!)
      }
      statements.set(sql, statement)
      return statement
    },
  }
}

function createSqlite(path: string, log?: (event: LogEvent) => void): DbHandle {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const database = new SQLite(path)
  database.pragma('journal_mode = WAL')
  database.pragma('synchronous = NORMAL')
  database.pragma('busy_timeout = 5000')
  database.pragma('foreign_keys = ON')
  const db = new Kysely<Database>({
    dialect: new SnakeCaseSqliteDialect({ database: withStatementCache(database) }),
    plugins: [new CamelCaseResults()],
    ...(log ? { log } : {}),
  })
  return {
    db,
    dialect: 'sqlite',
    transaction: (fn) =>
      withRetry(() =>
        db.connection().execute(async (connection) => {
          await sql`begin immediate`.execute(connection)
          try {
            const result = await fn(connection)
            await sql`commit`.execute(connection)
            return result
          } catch (error) {
            await sql`rollback`.execute(connection)
            throw error
          }
        }),
      ),
    migrate: () => runMigrations(db),
    backup: async (file) => {
      mkdirSync(dirname(file), { recursive: true })
      await database.backup(file)
    },
    close: () => db.destroy(),
  }
}

function createPostgres(
  connectionString: string,
  max: number,
  log?: (event: LogEvent) => void,
): DbHandle {
  const pool = new pg.Pool({ connectionString, max, types: pgTypes() })
  // An idle connection dropped by the server (restart, failover) must not crash the process;
  // the pool opens a new one on the next query.
  pool.on('error', () => {})
  const db = new Kysely<Database>({
    dialect: new SnakeCasePostgresDialect({ pool }),
    plugins: [new CamelCaseResults()],
    ...(log ? { log } : {}),
  })
  return {
    db,
    dialect: 'postgres',
    transaction: (fn) => withRetry(() => db.transaction().execute(fn)),
    migrate: () => runMigrations(db),
    backup: () =>
      Promise.reject(new Error('backup copies SQLite databases; back up PostgreSQL with pg_dump')),
    close: () => db.destroy(),
  }
}

async function runMigrations(db: Db): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
  })
  const result = await migrator.migrateToLatest()
  if (result.error)
    throw result.error instanceof Error
      ? result.error
      : new Error('the migration failed', { cause: result.error })
  return result
}
