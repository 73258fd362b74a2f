import { setImmediate } from 'node:timers/promises'
import type { Db } from '../../../db/client.ts'
import { isUniqueViolation } from '../../../db/errors.ts'
import { DomainError, isDomainError } from '../../shared/errors.ts'
import type { DomainDeps } from '../context.ts'
import { type MemberRow, findEntryByKey, lockMember } from '../ledger/ledger.repository.ts'
import { credit } from '../ledger/ledger.service.ts'
import type { MemberPatch } from '../members/members.service.ts'
import type { MembersService } from '../members/members.service.ts'
import type { MemberRef } from '../members/members.ts'
import { type Programme, expiryFor, tierIndex } from '../programme/programme.ts'
import type { ProgrammeService } from '../programme/programme.service.ts'
import { addTagsWithin } from '../segments/tags.ts'
import { holdTier } from '../tiers/tiers.ts'
import { readCsv } from './csv.ts'
import {
  type MemberColumn,
  type MemberRecord,
  type RowIssue,
  MEMBER_COLUMNS,
  columnOf,
  identifiersOf,
  readMemberRow,
} from './member-columns.ts'

/** Rows one import takes; a larger programme is imported in several files. */
export const MAX_IMPORT_ROWS = 100_000
/** Bytes one import takes: a CSV of 100,000 members with every column is about 20 MB. */
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024

/** Bytes that leave a CSV without a single cell: a byte order mark, blanks, separators, quotes. */
const NOTHING_WRITTEN = new Set([0xef, 0xbb, 0xbf, 0x20, 0x09, 0x0a, 0x0d, 0x2c, 0x3b, 0x22])

/**
 * What is refused before an import is kept or started, so that the client hears it at once:
 * a file over `MAX_IMPORT_BYTES` (`invalid_input` naming the limit) or one with nothing in it.
 */
export function checkImportFile(file: Buffer): void {
  if (file.length > MAX_IMPORT_BYTES)
    throw new DomainError(
      'invalid_input',
      `the file is ${(file.length / 1024 / 1024).toFixed(1)} MB; import at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB at a time`,
      { limit: MAX_IMPORT_BYTES },
    )
  if (!file.some((byte) => !NOTHING_WRITTEN.has(byte)))
    throw new DomainError('invalid_input', 'the file is empty: no header line')
}

/**
 * A pause for one turn of the event loop once `everyMs` have passed since the last: better-sqlite3
 * answers synchronously, so without it a run of rows would let no request, bot update or timer
 * in until the whole file is done.
 */
function breather(everyMs = 5): () => Promise<void> {
  let since = performance.now()
  return async () => {
    if (performance.now() - since < everyMs) return
    await setImmediate()
    since = performance.now()
  }
}

export interface ImportOptions {
  /** Reports what would happen and writes nothing. */
  dryRun?: boolean
  /** `update` (default) fills in what a row states; `skip` leaves existing members alone. */
  onExisting?: 'update' | 'skip'
  /** Who imports, recorded on the opening-balance ledger entries. */
  actor: string
  /**
   * Told how far the import is, at most every `PROGRESS_EVERY_MS` and once at the end; the
   * import waits for it, so a slow callback slows the import, never the other way round.
   */
  onProgress?: (progress: ImportProgress) => void | Promise<void>
  /** Stops the import between two rows; rows already imported stay. */
  signal?: AbortSignal
}

export interface ImportProgress {
  /** Data rows of the file, known once it has been read through (before anything is written). */
  rowsTotal: number
  rowsRead: number
  bytesRead: number
  bytesTotal: number
  created: number
  updated: number
  unchanged: number
  failed: number
}

const PROGRESS_EVERY_MS = 100

export type ImportAction = 'create' | 'update' | 'unchanged'

export interface ImportReport {
  dryRun: boolean
  /** Data rows read (the header and blank lines not counted). */
  rows: number
  created: number
  updated: number
  unchanged: number
  failed: number
  /** Rows not imported, each with its line and why; file-level problems too. */
  errors: RowIssue[]
  /** Imported (or left alone) all the same, with something the merchant should know. */
  warnings: RowIssue[]
  results: { line: number; action: ImportAction; memberId: string | null; changes: string[] }[]
}

type Plan =
  | { action: 'create'; record: MemberRecord; warnings: string[] }
  | {
      action: 'update' | 'unchanged'
      record: MemberRecord
      member: MemberRow
      patch: MemberPatch
      tags: string[]
      tierCode?: string
      changes: string[]
      warnings: string[]
    }

class RowRefused extends Error {
  constructor(readonly issue: Omit<RowIssue, 'line'>) {
    super(issue.message)
  }
}

const REF: Record<string, (value: string) => MemberRef> = {
  external_id: (externalId) => ({ externalId }),
  phone: (phone) => ({ phone }),
  code: (code) => ({ code }),
  telegram_id: (telegramId) => ({ telegramId }),
  wechat_id: (wechatId) => ({ wechatId }),
  official_openid: (officialOpenId) => ({ officialOpenId }),
}

/**
 * Imports members from a CSV file (导入会员). Every row is validated and reported by its line;
 * good rows are imported, each in its own transaction, bad ones are not. A member is found by
 * external id, phone, member code or chat id, so that importing the same file again changes
 * nothing. A dry run plans every row against the database exactly as the import would, and
 * writes nothing.
 */
export class MemberImportService {
  constructor(
    private readonly deps: DomainDeps,
    private readonly programmes: ProgrammeService,
    private readonly members: MembersService,
  ) {}

  async importMembers(file: Buffer, options: ImportOptions): Promise<ImportReport> {
    checkImportFile(file)
    const { version, config: programme } = await this.programmes.current()
    const now = this.deps.clock.now()
    const pause = breather()
    const { header, columns, rows } = await this.survey(file, pause)
    const csv = readCsv(file)
    options.signal?.throwIfAborted()
    const report: ImportReport = {
      dryRun: Boolean(options.dryRun),
      rows,
      created: 0,
      updated: 0,
      unchanged: 0,
      failed: 0,
      errors: [],
      warnings: header.flatMap((name, i) =>
        columns[i]
          ? []
          : [
              {
                line: 1,
                column: name,
                code: 'unknown_column',
                message: `column ${JSON.stringify(name)} is not one Jifen knows; it was ignored`,
              },
            ],
      ),
      results: [],
    }
    const firstSeen = new Map<string, number>()
    let first = true
    let bytesRead = 0
    let toldAt = performance.now()
    const progress = (): ImportProgress => ({
      rowsTotal: rows,
      rowsRead: report.created + report.updated + report.unchanged + report.failed,
      bytesRead,
      bytesTotal: csv.totalBytes,
      created: report.created,
      updated: report.updated,
      unchanged: report.unchanged,
      failed: report.failed,
    })
    for await (const { line, cells, bytes } of csv.records) {
      await pause()
      options.signal?.throwIfAborted()
      if (options.onProgress && performance.now() - toldAt >= PROGRESS_EVERY_MS) {
        await options.onProgress(progress())
        toldAt = performance.now()
      }
      bytesRead = bytes
      if (first) {
        first = false
        continue
      }
      const read = readMemberRow(line, columns, cells, programme, now)
      if ('issues' in read) {
        report.failed++
        report.errors.push(...read.issues)
        continue
      }
      const duplicate = identifiersOf(read.record).find(([k, v]) => firstSeen.has(`${k}:${v}`))
      if (duplicate) {
        report.failed++
        report.errors.push({
          line,
          column: duplicate[0],
          code: 'duplicate_in_file',
          message: `${duplicate[0]} ${duplicate[1]} is already on line ${firstSeen.get(duplicate.join(':'))}; the row was not imported`,
        })
        continue
      }
      for (const [k, v] of identifiersOf(read.record)) firstSeen.set(`${k}:${v}`, line)
      try {
        const plan = options.dryRun
          ? await this.plan(this.deps.store.db, read.record, programme, options)
          : await this.deps.store.transaction(async (trx) => {
              const planned = await this.plan(trx, read.record, programme, options)
              return {
                ...planned,
                memberId: await this.apply(trx, planned, programme, version, options, now),
              }
            })
        const memberId =
          'memberId' in plan ? (plan.memberId as string) : 'member' in plan ? plan.member.id : null
        report[
          plan.action === 'create' ? 'created' : plan.action === 'update' ? 'updated' : 'unchanged'
        ]++
        report.results.push({
          line,
          action: plan.action,
          memberId,
          changes: plan.action === 'create' ? [] : plan.changes,
        })
        report.warnings.push(...plan.warnings.map((message) => ({ line, code: 'note', message })))
      } catch (error) {
        const issue = this.refusal(error)
        if (!issue) throw error
        report.failed++
        report.errors.push({ line, ...issue })
      }
    }
    report.errors.push(...csv.problems.map((p) => ({ ...p, code: 'malformed_csv' })))
    report.errors.sort((a, b) => a.line - b.line)
    await options.onProgress?.({ ...progress(), bytesRead: csv.totalBytes })
    return report
  }

  /**
   * The header and the number of rows, read to the end before anything is written, so that a
   * file over the row limit imports nothing: reading stops at the first row over it.
   */
  private async survey(
    file: Buffer,
    pause: () => Promise<void>,
  ): Promise<{ header: string[]; columns: (MemberColumn | undefined)[]; rows: number }> {
    let header: string[] | undefined
    let columns: (MemberColumn | undefined)[] = []
    let rows = 0
    for await (const { line, cells } of readCsv(file).records) {
      await pause()
      if (!header) {
        header = cells
        columns = this.columns(header)
      } else if (++rows > MAX_IMPORT_ROWS) {
        throw new DomainError(
          'invalid_input',
          `line ${line} is row ${rows}: import at most ${MAX_IMPORT_ROWS} rows at a time, in several files; nothing was imported`,
          { limit: MAX_IMPORT_ROWS, line },
        )
      }
    }
    return { header: header!, columns, rows }
  }

  /** Column of each header cell; a file must name at least one way to find a member. */
  private columns(header: string[]): (MemberColumn | undefined)[] {
    const columns = header.map(columnOf)
    const twice = MEMBER_COLUMNS.find((c) => columns.filter((x) => x === c).length > 1)
    if (twice)
      throw new DomainError('invalid_input', `the header names the column ${twice} twice`, {
        field: twice,
      })
    if (!columns.some((c) => c && Object.keys(REF).includes(c))) {
      throw new DomainError(
        'invalid_input',
        `the header line names no column to find members by (external_id, phone, code, telegram_id, wechat_id or official_openid); it reads: ${header.join(', ')}`,
      )
    }
    return columns
  }

  private refusal(error: unknown): Omit<RowIssue, 'line'> | undefined {
    if (error instanceof RowRefused) return error.issue
    if (
      isUniqueViolation(error) ||
      (isDomainError(error) && ['member_exists', 'identity_taken'].includes(error.code))
    )
      return {
        code: 'conflict',
        message:
          `another member holds these details: ${error instanceof Error ? error.message : ''}`.trim(),
      }
    return undefined
  }

  /** What importing the record would do, read through `db`; throws RowRefused when it cannot. */
  private async plan(
    db: Db,
    record: MemberRecord,
    programme: Programme,
    options: ImportOptions,
  ): Promise<Plan> {
    const found = new Map<string, { member: MemberRow; by: string[] }>()
    for (const [key, value] of identifiersOf(record)) {
      const member = await this.members.findByRef(db, REF[key]!(value))
      if (!member) continue
      const entry = found.get(member.id) ?? { member, by: [] }
      entry.by.push(key)
      found.set(member.id, entry)
    }
    if (found.size > 1) {
      const who = [...found.values()].map(
        ({ member, by }) => `${by.join(' and ')} to member ${member.code}`,
      )
      throw new RowRefused({
        code: 'conflict',
        message: `the row names two members: ${who.join(', ')}`,
      })
    }
    const [match] = found.values()
    if (!match) {
      if (!record.displayName)
        throw new RowRefused({
          code: 'missing_name',
          column: 'name',
          message: 'name is required to create a member',
        })
      return { action: 'create', record, warnings: record.points === undefined ? [] : [] }
    }
    const { member } = match
    if (member.status !== 'active')
      throw new RowRefused({
        code: 'member_inactive',
        message: `member ${member.code} is ${member.status}`,
      })
    const identities = await db
      .selectFrom('memberIdentities')
      .select(['channel', 'externalId'])
      .where('memberId', '=', member.id)
      .execute()
    const chatId = (channel: string) => identities.find((i) => i.channel === channel)?.externalId
    const clash = (
      [
        ['external_id', record.externalId, member.externalId],
        ['code', record.code, member.code],
        ['telegram_id', record.telegramId, chatId('telegram')],
        ['wechat_id', record.wechatId, chatId('wechat')],
        ['official_openid', record.officialOpenId, chatId('wechat_official')],
      ] as const
    ).find(([, given, held]) => given !== undefined && held != null && given !== held)
    if (clash) {
      throw new RowRefused({
        code: 'conflict',
        column: clash[0],
        message: `the member found by ${match.by.join(' and ')} (${member.code}) has ${clash[0]} ${clash[2]}, not ${clash[1]}`,
      })
    }
    const warnings: string[] = []
    if (record.points !== undefined && record.points !== member.pointsBalance) {
      warnings.push(
        `points ${record.points} left as they are: the member exists with ${member.pointsBalance} points, and a points column only opens the balance of a new member (use an adjustment to change it)`,
      )
    }
    if (options.onExisting === 'skip')
      return { action: 'unchanged', record, member, patch: {}, tags: [], changes: [], warnings }

    const patch: MemberPatch = {}
    const changes: string[] = []
    const set = <K extends keyof MemberPatch>(
      key: K,
      column: string,
      value: MemberPatch[K],
      held: unknown,
    ) => {
      if (value === undefined || value === held) return
      patch[key] = value
      changes.push(column)
    }
    set('displayName', 'name', record.displayName, member.displayName)
    set('phone', 'phone', record.phone, member.phone)
    set('email', 'email', record.email, member.email)
    set('birthday', 'birthday', record.birthday, member.birthday)
    set('gender', 'gender', record.gender, member.gender)
    set('region', 'region', record.region, member.region)
    set('locale', 'locale', record.locale, member.locale)
    set(
      'marketingConsent',
      'marketing_consent',
      record.marketingConsent,
      member.marketingConsent === 1,
    )
    set('externalId', 'external_id', record.externalId, member.externalId)
    set('telegramId', 'telegram_id', record.telegramId, chatId('telegram'))
    set('wechatId', 'wechat_id', record.wechatId, chatId('wechat'))
    const held = await db
      .selectFrom('memberTags')
      .select('tag')
      .where('memberId', '=', member.id)
      .execute()
    const tags = record.tags.filter((tag) => !held.some((h) => h.tag === tag))
    if (tags.length) changes.push('tags')
    const raisesTier =
      record.tierCode !== undefined &&
      tierIndex(programme, record.tierCode) >
        Math.max(
          tierIndex(programme, member.tierCode),
          tierIndex(programme, member.tierRetainedCode),
        )
    if (raisesTier) changes.push('tier')
    return {
      action: changes.length ? 'update' : 'unchanged',
      record,
      member,
      patch,
      tags,
      tierCode: raisesTier ? record.tierCode : undefined,
      changes,
      warnings,
    }
  }

  /** Writes the plan in the caller's transaction; returns the member's id. */
  private async apply(
    trx: Db,
    plan: Plan,
    programme: Programme,
    version: number,
    options: ImportOptions,
    now: Date,
  ): Promise<string> {
    const { record } = plan
    if (plan.action === 'unchanged') return plan.member.id
    if (plan.action === 'update') {
      if (Object.keys(plan.patch).length)
        await this.members.updateWithin(
          trx,
          plan.member.id,
          plan.patch,
          programme,
          now,
          options.actor,
          'import',
        )
      await addTagsWithin(trx, plan.member.id, plan.tags, now.toISOString())
      // A tier brought from another system is held like a bought one, to the end of the window.
      if (plan.tierCode)
        await holdTier(
          trx,
          await lockMember(trx, plan.member.id),
          plan.tierCode,
          'import',
          programme,
          now,
        )
      return plan.member.id
    }
    const id = await this.members.insertMember(
      trx,
      programme,
      {
        displayName: record.displayName!,
        email: record.email,
        birthday: record.birthday,
        region: record.region,
        gender: record.gender,
        locale: record.locale,
        sourceChannel: 'import',
        telegramId: record.telegramId,
        wechatId: record.wechatId,
        officialOpenId: record.officialOpenId,
        externalId: record.externalId,
        marketingConsent: record.marketingConsent,
      },
      record.phone ?? null,
      now,
      { code: record.code, joinedAt: record.joinedAt },
    )
    await addTagsWithin(trx, id, record.tags, now.toISOString())
    if (record.tierCode)
      await holdTier(trx, await lockMember(trx, id), record.tierCode, 'import', programme, now)
    if (record.points) {
      const key = `opening:${id}`
      if (!(await findEntryByKey(trx, key))) {
        await credit(
          trx,
          await lockMember(trx, id),
          {
            memberId: id,
            points: record.points,
            kind: 'adjust',
            reason: 'opening_balance',
            sourceType: 'import',
            idempotencyKey: key,
            programmeVersion: version,
            actor: options.actor,
            expiresAt: expiryFor(programme.expiry, now, programme.timezone),
          },
          now,
        )
      }
    }
    return id
  }
}
