import { afterAll, beforeAll, describe } from 'vitest'
import { ManualClock } from '../../src/shared/clock.ts'
import { type Domain, createDomain } from '../../src/domain/index.ts'
import { defaultProgramme } from '../../db/seed/default-programme.ts'
import type { ProgrammeInput } from '../../src/domain/programme/programme.ts'
import type { DbOptions } from '../../db/client.ts'
import { type TestDatabase, type TestDbHandle, available, databases } from './db.ts'

export interface DomainFixture {
  store: TestDbHandle
  clock: ManualClock
  domain: Domain
}

/** The default programme with some fields replaced: a test states only what it relies on. */
export function programmeWith(overrides: Record<string, unknown>): ProgrammeInput {
  return { ...structuredClone(defaultProgramme), ...overrides } as unknown as ProgrammeInput
}

export async function createFixture(
  db: TestDatabase,
  start = '2025-01-10T04:00:00Z',
  options: Pick<DbOptions, 'onStatement'> = {},
): Promise<DomainFixture> {
  const store = await db.create(options)
  const clock = new ManualClock(start)
  const domain = createDomain({ store, clock })
  await domain.programme.ensureSeeded()
  return { store, clock, domain }
}

/**
 * Runs `body` once per database, each with a fresh database for the whole block. PostgreSQL is
 * reported as skipped when TEST_DATABASE_URL is not set.
 */
export function describeOnDatabases(
  title: string,
  body: (get: () => DomainFixture, db: TestDatabase) => void,
): void {
  for (const db of databases) {
    const label = available(db)
      ? `${title} [${db.name}]`
      : `${title} [${db.name}: skipped, TEST_DATABASE_URL not set]`
    describe.skipIf(!available(db))(label, () => {
      let fixture: DomainFixture | undefined
      beforeAll(async () => {
        fixture = await createFixture(db)
      })
      afterAll(async () => {
        await fixture?.store.cleanup()
      })
      body(() => fixture!, db)
    })
  }
}
