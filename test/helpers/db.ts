import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { type DbHandle, type DbOptions, createDb } from '../../db/client.ts'
import { randomBytes } from 'node:crypto'

/** The PostgreSQL server the tests use, when one is given (CI always gives one). */
export const postgresUrl = process.env.TEST_DATABASE_URL

export interface TestDatabase {
  name: 'sqlite' | 'postgres'
  /** A new, empty, migrated database, dropped again by `cleanup`. */
  create(options?: Pick<DbOptions, 'onStatement'>): Promise<TestDbHandle>
}

export interface TestDbHandle extends DbHandle {
  /** The DATABASE_URL of this database, for a child process to open it too. */
  url: string
  cleanup(): Promise<void>
}

const sqlite: TestDatabase = {
  name: 'sqlite',
  async create(options = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'jifen-test-'))
    const url = `file:${join(dir, 'test.db')}`
    const handle = createDb(url, options)
    await handle.migrate()
    return {
      ...handle,
      url,
      cleanup: async () => {
        await handle.close()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  },
}

const postgres: TestDatabase = {
  name: 'postgres',
  async create(options = {}) {
    const name = `jifen_test_${randomBytes(6).toString('hex')}`
    const admin = new pg.Client({ connectionString: postgresUrl })
    await admin.connect()
    await admin.query(`create database ${name}`)
    await admin.end()
    const url = new URL(postgresUrl!)
    url.pathname = `/${name}`
    const handle = createDb(url.toString(), { ...options, poolSize: 20 })
    await handle.migrate()
    return {
      ...handle,
      url: url.toString(),
      cleanup: async () => {
        await handle.close()
        const client = new pg.Client({ connectionString: postgresUrl })
        await client.connect()
        // The pool's connections may still be closing: give them a moment before forcing.
        for (let attempt = 0; ; attempt++) {
          try {
            await client.query(
              `drop database if exists ${name}${attempt < 20 ? '' : ' with (force)'}`,
            )
            break
          } catch (error) {
            if (attempt >= 20) throw error
            await new Promise((resolve) => setTimeout(resolve, 50))
          }
        }
        await client.end()
      },
    }
  },
}

/**
 * The databases every database test runs on: SQLite always, PostgreSQL when TEST_DATABASE_URL
 * is set. Use with `describe.each(databases)`; the PostgreSQL run is reported as skipped
 * otherwise (see `describeOnDatabases`).
 */
export const databases: TestDatabase[] = [sqlite, postgres]

export function available(db: TestDatabase): boolean {
  return db.name === 'sqlite' || Boolean(postgresUrl)
}
