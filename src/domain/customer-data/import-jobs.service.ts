import { setTimeout } from 'node:timers/promises'
import type { Selectable } from 'kysely'
import type { ImportJobsTable } from '../../../db/schema/import-jobs.ts'
import { isUniqueViolation } from '../../../db/errors.ts'
import { DomainError, isDomainError } from '../../shared/errors.ts'
import { newId } from '../../shared/ids.ts'
import type { DomainDeps } from '../context.ts'
import {
  type ImportProgress,
  type ImportReport,
  checkImportFile,
  type MemberImportService,
} from './member-import.service.ts'

export const IMPORT_JOB_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const
export type ImportJobStatus = (typeof IMPORT_JOB_STATUSES)[number]

/** A job whose process has not written for this long is presumed dead (crashed, killed). */
export const IMPORT_STALE_MS = 2 * 60_000
/** Finished jobs, with their reports, are kept this long and then deleted. */
export const IMPORT_KEEP_DAYS = 7
/** Errors and warnings listed by `get` unless the full report is asked for. */
export const REPORT_LISTED = 1_000

/** What a job stopped by its process's end says, so that the merchant knows what to do. */
const INTERRUPTED =
  'the server stopped while this import was queued or running; rows already imported stay. Upload the same file again: rows already imported are found and left unchanged'

/** How often a running job writes its progress, which is also its heartbeat. */
const FLUSH_EVERY_MS = 500
/** How often a process whose next job waits for another process's import asks again. */
const WAIT_MS = 1_000

export interface ImportJob {
  id: string
  status: ImportJobStatus
  onExisting: 'update' | 'skip'
  fileBytes: number
  progress: Omit<ImportProgress, 'rowsTotal'> & { rowsTotal: number | null }
  /** Once done: the report of the synchronous import, its lists capped unless asked in full. */
  report: (Omit<ImportReport, 'results'> & Partial<Pick<ImportReport, 'results'>>) | null
  /** Only when the report's lists were capped: how many errors and warnings there are. */
  reportTotals: { errors: number; warnings: number } | null
  error: { code: string; message: string } | null
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
}

type JobRow = Omit<Selectable<ImportJobsTable>, 'file' | 'reportJson' | 'summaryJson'>

const FINISHED: ImportJobStatus[] = ['done', 'failed', 'cancelled']

/**
 * Member imports as background jobs (导入任务): the file is kept in the database until the job
 * ends, progress is written as it goes, the report is kept for later reading whether or not the
 * client that started it is still there. One import runs at a time across every process on the
 * database (a unique index on the running job); a process runs the jobs it accepted, in order.
 * A job whose process stopped is marked failed, not resumed: its report would count rows of the
 * first run as unchanged, so the merchant uploads again and gets an honest one.
 */
export class ImportJobsService {
  /** This process, as the owner of the jobs it accepted. */
  private readonly owner = newId('proc')
  /** The jobs this process accepted and has not started, in the order it accepted them. */
  private readonly queue: string[] = []
  private draining: Promise<void> | undefined
  private current: AbortController | undefined
  private stopping = false

  constructor(
    private readonly deps: DomainDeps,
    private readonly imports: MemberImportService,
  ) {}

  /**
   * Queues an import of `file` and returns at once; the job runs in the background of this
   * process. Refuses a file over the size limit, or an empty one, before keeping it.
   */
  async start(
    file: Buffer,
    options: { onExisting?: 'update' | 'skip'; actor: string },
  ): Promise<ImportJob> {
    if (this.stopping) throw new DomainError('closed', 'this server is stopping; try again')
    checkImportFile(file)
    const now = this.deps.clock.now().toISOString()
    const id = newId('imp')
    await this.deps.store.db
      .insertInto('importJobs')
      .values({
        id,
        status: 'queued',
        onExisting: options.onExisting ?? 'update',
        actor: options.actor,
        owner: this.owner,
        file,
        fileBytes: file.length,
        rowsTotal: null,
        rowsRead: 0,
        bytesRead: 0,
        bytesTotal: file.length,
        created: 0,
        updated: 0,
        unchanged: 0,
        failed: 0,
        createdAt: now,
        heartbeatAt: now,
      })
      .execute()
    this.queue.push(id)
    this.kick()
    return this.get(id)
  }

  /** The job; with `full`, the report with every row's result and every error. */
  async get(id: string, options: { full?: boolean } = {}): Promise<ImportJob> {
    // The summary is stored apart, so that polling a huge job never parses its whole report.
    const row = await this.select()
      .select(options.full ? 'reportJson as stored' : 'summaryJson as stored')
      .where('id', '=', id)
      .executeTakeFirst()
    if (!row) throw new DomainError('not_found', `no import ${id}`)
    if (!row.stored) return toJob(row, null)
    if (!options.full) return toJob(row, JSON.parse(row.stored) as Reported)
    return toJob(row, { report: JSON.parse(row.stored) as ImportReport, reportTotals: null })
  }

  /** The jobs queued or running, in every process, oldest first, without their reports. */
  async active(): Promise<ImportJob[]> {
    const rows = await this.select()
      .where('status', 'in', ['queued', 'running'])
      .orderBy('createdAt')
      .orderBy('id')
      .execute()
    return rows.map((row) => toJob(row, null))
  }

  /** The most recent jobs first, without their reports. */
  async list(limit = 20): Promise<ImportJob[]> {
    const rows = await this.select()
      .orderBy('createdAt', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute()
    return rows.map((row) => toJob(row, null))
  }

  /**
   * Cancels a queued or running job: a running one stops before its next row, within a second,
   * in whichever process runs it. Rows already imported stay. A finished job is `already_done`.
   */
  async cancel(id: string): Promise<ImportJob> {
    const now = this.deps.clock.now().toISOString()
    const result = await this.deps.store.db
      .updateTable('importJobs')
      .set({ status: 'cancelled', finishedAt: now, file: null })
      .where('id', '=', id)
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirst()
    const job = await this.get(id)
    if (Number(result.numUpdatedRows) === 0)
      throw new DomainError('already_done', `import ${id} is ${job.status}`, {
        status: job.status,
      })
    return job
  }

  /**
   * Marks failed every queued or running job whose process stopped writing (crashed or killed)
   * and deletes finished jobs older than `IMPORT_KEEP_DAYS`; returns how many of each.
   */
  async sweep(): Promise<{ interrupted: number; deleted: number }> {
    const now = this.deps.clock.now()
    const interrupted = await this.deps.store.db
      .updateTable('importJobs')
      .set({
        status: 'failed',
        errorCode: 'interrupted',
        errorMessage: INTERRUPTED,
        finishedAt: now.toISOString(),
        file: null,
      })
      .where('status', 'in', ['queued', 'running'])
      .where('heartbeatAt', '<', new Date(now.getTime() - IMPORT_STALE_MS).toISOString())
      .executeTakeFirst()
    const deleted = await this.deps.store.db
      .deleteFrom('importJobs')
      .where('status', 'in', FINISHED)
      .where(
        'finishedAt',
        '<',
        new Date(now.getTime() - IMPORT_KEEP_DAYS * 86_400_000).toISOString(),
      )
      .executeTakeFirst()
    return {
      interrupted: Number(interrupted.numUpdatedRows),
      deleted: Number(deleted.numDeletedRows),
    }
  }

  /** Resolves once this process has no import to run. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining
  }

  /**
   * For shutdown: accepts no more jobs, stops the running one before its next row and marks
   * this process's unfinished jobs failed, saying to upload again.
   */
  async stop(): Promise<void> {
    this.stopping = true
    this.current?.abort()
    await this.idle()
    await this.deps.store.db
      .updateTable('importJobs')
      .set({
        status: 'failed',
        errorCode: 'interrupted',
        errorMessage: INTERRUPTED,
        finishedAt: this.deps.clock.now().toISOString(),
        file: null,
      })
      .where('owner', '=', this.owner)
      .where('status', 'in', ['queued', 'running'])
      .execute()
  }

  private select() {
    return this.deps.store.db
      .selectFrom('importJobs')
      .select([
        'id',
        'status',
        'onExisting',
        'actor',
        'owner',
        'fileBytes',
        'rowsTotal',
        'rowsRead',
        'bytesRead',
        'bytesTotal',
        'created',
        'updated',
        'unchanged',
        'failed',
        'errorCode',
        'errorMessage',
        'createdAt',
        'startedAt',
        'finishedAt',
        'heartbeatAt',
      ])
  }

  /**
   * Starts running this process's queued jobs unless a run is under way; one that is about to
   * end runs this one after, so that no job is left queued behind a run that has just looked.
   */
  private kick(): void {
    const next = (this.draining ?? Promise.resolve()).then(() => this.drain())
    this.draining = next
    void next.finally(() => {
      if (this.draining === next) this.draining = undefined
    })
  }

  /**
   * Runs this process's queued jobs, oldest first, until none is left. Never throws: with the
   * database gone, the jobs stop being kept alive and the next sweep marks them interrupted.
   */
  private async drain(): Promise<void> {
    try {
      await this.drainQueued()
    } catch {
      return
    }
  }

  private async drainQueued(): Promise<void> {
    while (!this.stopping) {
      const next = this.queue[0]
      if (next === undefined) return
      const claimed = await this.claim(next)
      if (claimed === 'busy') {
        // Another process's import runs: wait, keep ours alive, and clear a dead one.
        await this.heartbeat()
        await this.sweep()
        await setTimeout(WAIT_MS)
        continue
      }
      this.queue.shift()
      if (claimed === 'claimed') await this.run(next)
    }
  }

  /** `busy` while another import runs; `gone` when the job is no longer queued (cancelled). */
  private async claim(id: string): Promise<'claimed' | 'busy' | 'gone'> {
    const now = this.deps.clock.now().toISOString()
    try {
      const result = await this.deps.store.db
        .updateTable('importJobs')
        .set({ status: 'running', startedAt: now, heartbeatAt: now })
        .where('id', '=', id)
        .where('status', '=', 'queued')
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1 ? 'claimed' : 'gone'
    } catch (error) {
      if (isUniqueViolation(error)) return 'busy'
      throw error
    }
  }

  /** Keeps this process's queued jobs from looking dead while they wait. */
  private async heartbeat(): Promise<void> {
    await this.deps.store.db
      .updateTable('importJobs')
      .set({ heartbeatAt: this.deps.clock.now().toISOString() })
      .where('owner', '=', this.owner)
      .where('status', 'in', ['queued', 'running'])
      .execute()
  }

  private async run(id: string): Promise<void> {
    const { db } = this.deps.store
    const job = await db
      .selectFrom('importJobs')
      .select(['file', 'onExisting', 'actor'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    const controller = new AbortController()
    this.current = controller
    let flushedAt = 0
    let last: ImportProgress | undefined
    /** Writes progress; a job no longer running (cancelled) stops the import. */
    const flush = async (progress: ImportProgress) => {
      const result = await db
        .updateTable('importJobs')
        .set({ ...progress, heartbeatAt: this.deps.clock.now().toISOString() })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .executeTakeFirst()
      if (Number(result.numUpdatedRows) === 0) controller.abort()
      await this.heartbeat()
      flushedAt = performance.now()
    }
    try {
      const report = await this.imports.importMembers(Buffer.from(job.file ?? []), {
        onExisting: job.onExisting === 'skip' ? 'skip' : 'update',
        actor: job.actor,
        signal: controller.signal,
        onProgress: async (progress) => {
          last = progress
          if (performance.now() - flushedAt >= FLUSH_EVERY_MS) await flush(progress)
        },
      })
      // A cancel that came after the last row changes nothing: every row was imported.
      await db
        .updateTable('importJobs')
        .set({
          ...(last ?? {}),
          status: 'done',
          reportJson: JSON.stringify(report),
          summaryJson: JSON.stringify(summarise(report)),
          finishedAt: this.deps.clock.now().toISOString(),
          heartbeatAt: this.deps.clock.now().toISOString(),
          file: null,
        })
        .where('id', '=', id)
        .execute()
    } catch (error) {
      const aborted = controller.signal.aborted
      await db
        .updateTable('importJobs')
        .set({
          ...(last ?? {}),
          ...(aborted
            ? {}
            : {
                status: 'failed',
                errorCode: isDomainError(error) ? error.code : 'internal',
                errorMessage: isDomainError(error)
                  ? error.message
                  : `the import stopped on an unexpected error: ${error instanceof Error ? error.message : String(error)}; rows already imported stay`,
                finishedAt: this.deps.clock.now().toISOString(),
              }),
          file: null,
        })
        .where('id', '=', id)
        // A job cancelled between its claim and its first row stays cancelled.
        .where('status', 'in', aborted ? ['running', 'cancelled'] : ['running'])
        .execute()
    } finally {
      this.current = undefined
    }
  }
}

type Reported = Pick<ImportJob, 'report' | 'reportTotals'>

/** The report as `get` shows it by default: no per-row results, lists cut to REPORT_LISTED. */
function summarise(report: ImportReport): Reported {
  const { results: _results, ...rest } = report
  const capped = report.errors.length > REPORT_LISTED || report.warnings.length > REPORT_LISTED
  return {
    report: {
      ...rest,
      errors: report.errors.slice(0, REPORT_LISTED),
      warnings: report.warnings.slice(0, REPORT_LISTED),
    },
    reportTotals: capped
      ? { errors: report.errors.length, warnings: report.warnings.length }
      : null,
  }
}

function toJob(row: JobRow, reported: Reported | null): ImportJob {
  return {
    id: row.id,
    status: row.status as ImportJobStatus,
    onExisting: row.onExisting === 'skip' ? 'skip' : 'update',
    fileBytes: row.fileBytes,
    progress: {
      rowsTotal: row.rowsTotal,
      rowsRead: row.rowsRead,
      bytesRead: row.bytesRead,
      bytesTotal: row.bytesTotal,
      created: row.created,
      updated: row.updated,
      unchanged: row.unchanged,
      failed: row.failed,
    },
    report: reported?.report ?? null,
    reportTotals: reported?.reportTotals ?? null,
    error:
      row.errorCode && row.errorMessage ? { code: row.errorCode, message: row.errorMessage } : null,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  }
}
