import { sql } from 'kysely'
import { prepared } from '../../../db/prepared.ts'
import { isUniqueViolation } from '../../../db/errors.ts'
import { defaultProgramme } from '../../../db/seed/default-programme.ts'
import type { Db } from '../../../db/client.ts'
import { DomainError } from '../../shared/errors.ts'
import type { DomainDeps } from '../context.ts'
import {
  type Programme,
  type ProgrammeChange,
  diffProgrammes,
  programmeSchema,
} from './programme.ts'

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
/** The newest version, its text left out when it is `cachedVersion`: every request reads it. */
const newestVersion = prepared((db, p: { cachedVersion: number | null }) =>
  db
    .selectFrom('programmeVersions')
    .select((eb) => [
      'version',
      'note',
      'createdBy',
      'createdAt',
      eb
        .case()
        .when('version', '=', p.cachedVersion)
        .then(sql<string | null>`null`)
        .else(eb.ref('config'))
        .end()
        .as('config'),
    ])
    .orderBy('version', 'desc')
    .limit(1),
)

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
    const row = await newestVersion.first(db, { cachedVersion })
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

  /**
   * Validates `input` and makes it the current version; invalid input changes nothing. With
   * `basedOn`, the version the editor started from, a version added since is refused with
   * `programme_changed` (naming the current one), so that two editors never overwrite each other
   * unseen; the unique version number settles two saves that read the same latest at once.
   */
  async replace(
    input: unknown,
    options: { actor?: string; note?: string; basedOn?: number } = {},
  ): Promise<ProgrammeVersion> {
    const config = parseProgramme(input)
    const write = this.deps.store.transaction(async (trx) => {
      const latest = await trx
        .selectFrom('programmeVersions')
        .select('version')
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst()
      const current = latest?.version ?? 0
      if (options.basedOn !== undefined && options.basedOn !== current)
        throw new DomainError(
          'programme_changed',
          `the programme is at version ${current}, not ${options.basedOn}: reload it and edit again`,
          { current, basedOn: options.basedOn },
        )
      const row = {
        version: current + 1,
        config: JSON.stringify(config),
        note: options.note ?? null,
        createdBy: options.actor ?? null,
        createdAt: this.deps.clock.now().toISOString(),
      }
      await trx.insertInto('programmeVersions').values(row).execute()
      return { ...row, config }
    })
    if (options.basedOn === undefined) return write
    return write.catch((error: unknown) => {
      // Another save took the same next number between our read and our write.
      if (isUniqueViolation(error))
        throw new DomainError('programme_changed', 'the programme was changed meanwhile', {
          basedOn: options.basedOn,
        })
      throw error
    })
  }

  /**
   * Makes an earlier version's settings current again as a new version (history is never
   * rewritten); `basedOn` as for `replace`.
   */
  async restore(
    version: number,
    options: { actor?: string; basedOn?: number } = {},
  ): Promise<ProgrammeVersion> {
    const earlier = await this.at(version)
    return this.replace(earlier.config, { ...options, note: `restored version ${version}` })
  }

  /**
   * What changed in `version` against `against` (by default the version before it; the first
   * version is compared with nothing, so every setting shows as added).
   */
  async diff(
    version: number,
    against: number = version - 1,
  ): Promise<{ version: number; against: number | null; changes: ProgrammeChange[] }> {
    const after = await this.at(version)
    const before = against >= 1 ? await this.at(against) : null
    return {
      version,
      against: before ? against : null,
      changes: diffProgrammes(before?.config ?? {}, after.config),
    }
  }

  /** What saving `input` would change against the current version; invalid input is refused. */
  async preview(input: unknown): Promise<{ basedOn: number; changes: ProgrammeChange[] }> {
    const config = parseProgramme(input)
    const current = await this.current()
    return { basedOn: current.version, changes: diffProgrammes(current.config, config) }
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
