import { signal } from '@preact/signals'
import { useEffect } from 'preact/hooks'
import { ApiError, type Ok, type Schemas, call, download } from '../../ui/api.ts'
import { locale } from '../../ui/boot.tsx'
import { number } from '../format.ts'
import { fail } from '../state.ts'
import { DATA_TEXTS, type ExportKind } from './texts.ts'

type Report = Ok<'/api/v1/members/import', 'post'>
type Job = Ok<'/api/v1/imports/{id}', 'get'>
type OnExisting = 'update' | 'skip'

const x = () => DATA_TEXTS[locale.value]
const EXPORTS: ExportKind[] = ['members', 'ledger', 'orders']
/** How often a running import is asked for its progress; the server writes it about as often. */
const POLL_MS = 500

/** The file chosen and what the dry run said of it: the import sends that same file. */
const chosen = signal<{ file: Blob; onExisting: OnExisting; report: Report } | null>(null)
const checking = signal(false)
const job = signal<Job | null>(null)
/** Why the server refused the whole file (no header, too big), shown beside the form. */
const refused = signal<string | null>(null)

/** A refusal of the file itself is the merchant's to fix; anything else is the error screen. */
function explain(error: unknown): void {
  if (error instanceof ApiError && [400, 413, 415].includes(error.status))
    refused.value = error.message
  else fail(error)
}

// The browser's type for a .csv varies (Excel on Windows says application/vnd.ms-excel): the
// body is always sent as the text/csv the route takes.
const asCsv = (file: File) => new Blob([file], { type: 'text/csv' })

async function check(file: File, onExisting: OnExisting): Promise<void> {
  refused.value = null
  chosen.value = null
  job.value = null
  checking.value = true
  try {
    const body = asCsv(file)
    const report = await call('post', '/api/v1/members/import', {
      query: { dryRun: 'true', onExisting },
      file: body,
    })
    chosen.value = { file: body, onExisting, report }
  } catch (error) {
    explain(error)
  } finally {
    checking.value = false
  }
}

async function start(): Promise<void> {
  const { file, onExisting } = chosen.value!
  chosen.value = null
  try {
    // Without dryRun the route answers 202 with the job, which `call`'s type (200 or 201) does
    // not describe.
    job.value = (await call('post', '/api/v1/members/import', {
      query: { onExisting },
      file,
    })) as unknown as Job
  } catch (error) {
    explain(error)
  }
}

/** The owner's data page: a member CSV checked by a dry run, then imported with its progress; the exports. */
export function DataPage() {
  return (
    <>
      <ImportCard />
      <section class="card" data-testid="exports">
        <h2>{x().exportsTitle}</h2>
        <p class="hint">{x().exportsHint}</p>
        <div class="actions">
          {EXPORTS.map((kind) => (
            <button
              key={kind}
              class="secondary"
              data-export={kind}
              onClick={() =>
                void download('/api/v1/exports/{kind}', { params: { kind } }).catch(fail)
              }
            >
              {x().exportKind[kind]}
            </button>
          ))}
        </div>
      </section>
    </>
  )
}

function ImportCard() {
  return (
    <section class="card" data-testid="import">
      <h2>{x().importTitle}</h2>
      <p class="hint">{x().importHint}</p>
      <form
        class="form"
        onSubmit={(event) => {
          event.preventDefault()
          const form = event.currentTarget
          const file = (form.elements.namedItem('file') as HTMLInputElement).files?.[0]
          const onExisting = (form.elements.namedItem('onExisting') as HTMLSelectElement)
            .value as OnExisting
          if (file) void check(file, onExisting)
        }}
      >
        <label>
          {x().file}
          <input type="file" name="file" accept=".csv,text/csv" required />
        </label>
        <label>
          {x().onExisting}
          <select name="onExisting">
            {(['update', 'skip'] as const).map((choice) => (
              <option key={choice} value={choice}>
                {x().onExistingChoice[choice]}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={checking.value}>
          {checking.value ? x().checking : x().check}
        </button>
      </form>
      {refused.value && (
        <p class="error-text" role="alert" data-testid="import-refusal">
          {refused.value}
        </p>
      )}
      {chosen.value && <DryRun report={chosen.value.report} />}
      {job.value && <Progress id={job.value.id} />}
    </section>
  )
}

function DryRun({ report }: { report: Report }) {
  const importable = report.rows - report.failed
  return (
    <div class="import-step" data-testid="dry-run">
      <p>
        {x().dryRun({
          rows: number(report.rows),
          created: number(report.created),
          updated: number(report.updated),
          unchanged: number(report.unchanged),
        })}
      </p>
      {report.errors.length === 0 ? (
        <p class="hint">{x().noneRefused}</p>
      ) : (
        <Issues
          testId="refused-rows"
          title={x().refusedTitle({ count: number(report.failed) })}
          issues={report.errors}
        />
      )}
      {report.warnings.length > 0 && (
        <Issues
          testId="warnings"
          title={x().warningsTitle({ count: number(report.warnings.length) })}
          issues={report.warnings}
        />
      )}
      {importable > 0 && (
        <div class="actions">
          <button data-testid="start-import" onClick={() => void start()}>
            {x().start({ rows: number(importable) })}
          </button>
        </div>
      )}
    </div>
  )
}

function Issues({
  title,
  issues,
  testId,
}: {
  title: string
  issues: Schemas['ImportReport']['errors']
  testId: string
}) {
  return (
    <>
      <h3>{title}</h3>
      <div class="table-scroll">
        <table class="data-table" data-testid={testId}>
          <thead>
            <tr>
              <th>{x().line}</th>
              <th>{x().column}</th>
              <th>{x().reason}</th>
            </tr>
          </thead>
          <tbody>
            {issues.map((issue, i) => (
              <tr key={i} data-line={issue.line}>
                <td>{issue.line}</td>
                <td>{issue.column ?? ''}</td>
                <td class="wrap">
                  {x().reasons[issue.code] && <strong>{x().reasons[issue.code]}</strong>}
                  {/* The server's detail is English: beside words of the page's own it is only
                      for an English reader; without them it is all there is to go by. */}
                  {(!x().reasons[issue.code] || locale.value === 'en') && (
                    <span class="hint">
                      {x().reasons[issue.code] && ' · '}
                      {issue.message}
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  )
}

/** Asks for the job until it has finished: the import runs on the server whether or not this page stays. */
function Progress({ id }: { id: string }) {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined
    let current = true
    const poll = (): void => {
      call('get', '/api/v1/imports/{id}', { params: { id } }).then((next) => {
        if (!current) return
        job.value = next
        if (next.status === 'queued' || next.status === 'running') timer = setTimeout(poll, POLL_MS)
      }, fail)
    }
    poll()
    return () => {
      current = false
      clearTimeout(timer)
    }
  }, [id])
  const now = job.value
  if (!now) return null
  const { progress } = now
  return (
    <div class="import-step" data-testid="import-progress" data-status={now.status}>
      <h3>
        {x().progressTitle} · <span data-testid="import-status">{x().status[now.status]}</span>
      </h3>
      <progress
        max={Math.max(1, progress.bytesTotal)}
        value={now.status === 'done' ? progress.bytesTotal : progress.bytesRead}
      />
      <p class="hint">
        {x().progress({
          read: number(progress.rowsRead),
          total: progress.rowsTotal === null ? '…' : number(progress.rowsTotal),
        })}
      </p>
      <p data-testid="import-result">
        {x().result({
          created: number(progress.created),
          updated: number(progress.updated),
          unchanged: number(progress.unchanged),
          failed: number(progress.failed),
        })}
      </p>
      {now.error && <p class="error-text">{now.error.message}</p>}
    </div>
  )
}
