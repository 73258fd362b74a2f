import { sql } from 'kysely'
import { isUniqueViolation } from '../../../db/errors.ts'
import { defaultProgramme } from '../../../db/seed/default-programme.ts'
import type { Db } from '../../../db/client.ts'
import { DomainError } from '../../shared/errors.ts'
import type { DomainDeps } from '../context.ts'
import { type Programme, programmeSchema } from './programme.ts'

export interface ProgrammeVersion {
  version: number
  config: Programme
  note: string | null
  createdBy: string | null
  createdAt: string
}

export function parseProgramme(input: unknown): Programme {
  const parsed = programmeSchema.safeParse(input)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const field = issue.path.join('.')
    throw new DomainError(
      'invalid_input',
      `programme ${field ? `${field}: ` : ''}${issue.message}`,
      {
        field,
        issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      },
    )
  }
  return parsed.data
}

/** The programme is versioned: replacing it adds a version, and ledger entries cite theirs. */
export class ProgrammeService {
  private cached: ProgrammeVersion | undefined

  constructor(private readonly deps: DomainDeps) {}

  /**
   * The newest version. Checked against the database every call, so that a version another
   * process added is used at once; parsed once per version, and its text read only when the
   * version is not the one parsed already.
   */
  async current(db: Db = this.deps.store.db): Promise<ProgrammeVersion> {
    const cachedVersion = this.cached?.version ?? null
    const row = await db
      .selectFrom('programmeVersions')
      .select((eb) => [
        'version',
        'note',
        'createdBy',
        'createdAt',
        eb
          .case()
          .when('version', '=', cachedVersion)
          .then(sql<string | null>`null`)
          .else(eb.ref('config'))
          .end()
          .as('config'),
      ])
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst()
    if (!row) throw new DomainError('not_found', 'no programme is configured yet')
    if (row.config === null) return this.cached!
    const parsed = { ...row, config: programmeSchema.parse(JSON.parse(row.config)) }
    // Concurrent calls may answer out of order: the cache only moves on to newer versions, so
    // that a call answered "unchanged" never returns an older one than it asked about.
    if (!this.cached || parsed.version > this.cached.version) this.cached = parsed
    return parsed
  }

  async at(version: number): Promise<ProgrammeVersion> {
    const row = await this.deps.store.db
      .selectFrom('programmeVersions')
      .selectAll()
      .where('version', '=', version)
      .executeTakeFirst()
    if (!row) throw new DomainError('not_found', `no programme version ${version}`)
    return { ...row, config: programmeSchema.parse(JSON.parse(row.config)) }
  }

  async history(): Promise<Omit<ProgrammeVersion, 'config'>[]> {
    return this.deps.store.db
      .selectFrom('programmeVersions')
      .select(['version', 'note', 'createdBy', 'createdAt'])
      .orderBy('version', 'desc')
      .execute()
  }

  /** Validates `input` and makes it the current version; invalid input changes nothing. */
  async replace(
    input: unknown,
    options: { actor?: string; note?: string } = {},
  ): Promise<ProgrammeVersion> {
    const config = parseProgramme(input)
    return this.deps.store.transaction(async (trx) => {
      const latest = await trx
        .selectFrom('programmeVersions')
        .select('version')
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst()
      const row = {
        version: (latest?.version ?? 0) + 1,
        config: JSON.stringify(config),
        note: options.note ?? null,
        createdBy: options.actor ?? null,
        createdAt: this.deps.clock.now().toISOString(),
      }
      await trx.insertInto('programmeVersions').values(row).execute()
      return { ...row, config }
    })
  }

  /** Seeds the default programme on first start; returns whether it did. */
  async ensureSeeded(): Promise<boolean> {
    const existing = await this.deps.store.db
      .selectFrom('programmeVersions')
      .select('version')
      .limit(1)
      .executeTakeFirst()
    if (existing) return false
    try {
      await this.replace(defaultProgramme, { actor: 'seed', note: 'default programme' })
      return true
    } catch (error) {
      // Another process seeded it between our look and our write.
      if (isUniqueViolation(error)) return false
      throw error
    }
  }
}
