import { useSignal } from '@preact/signals'
import { type Ok, call } from '../../ui/api.ts'
import { useLoad } from '../../ui/load.ts'
import { dateTime } from '../format.ts'
import { fail, locale, staff, version } from '../state.ts'
import { AUDIT_TEXTS } from './texts.ts'

type Page = Ok<'/api/v1/audit-log', 'get'>
type Entry = Page['items'][number]
interface Filter {
  actorId?: string
  operation?: string
  from?: string
  to?: string
}

const texts = () => AUDIT_TEXTS[locale.value]
/** A local calendar day of the date inputs as the instant it starts (or, for `to`, ends). */
const dayStart = (day: string) => (day ? new Date(`${day}T00:00:00`).toISOString() : undefined)
const dayEnd = (day: string) => (day ? new Date(`${day}T23:59:59.999`).toISOString() : undefined)

function Change({ label, value }: { label: string; value: unknown }) {
  if (value === null || value === undefined) return null
  return (
    <details>
      <summary>{label}</summary>
      <pre>{JSON.stringify(value, null, 2)}</pre>
    </details>
  )
}

function Row({ entry }: { entry: Entry }) {
  const tx = texts()
  return (
    <li class="audit-entry" data-audit={entry.id}>
      <div>
        <strong>{entry.operation}</strong> <span class="hint">{dateTime(entry.at)}</span>
      </div>
      <div>
        {entry.actor.name} · {tx.kind[entry.actor.kind] ?? entry.actor.kind} · {entry.actor.role}
        {entry.targetId && (
          <>
            {' '}
            · {tx.target}: <code>{entry.targetId}</code>
          </>
        )}
      </div>
      <Change label={tx.before} value={entry.before} />
      <Change label={tx.after} value={entry.after} />
    </li>
  )
}

/** The owner's audit log: every write, filterable by who, what and when, newest first. */
export function AuditPage() {
  const tx = texts()
  const filter = useSignal<Filter>({})
  const older = useSignal<Entry[]>([])
  const cursor = useSignal<string | null>(null)
  const first = useLoad(
    async () => {
      const page = await call('get', '/api/v1/audit-log', { query: { ...filter.value, limit: 50 } })
      older.value = []
      cursor.value = page.nextCursor
      return page
    },
    [version.value, filter.value],
    fail,
  )
  const more = async () => {
    const page = await call('get', '/api/v1/audit-log', {
      query: { ...filter.value, cursor: cursor.value!, limit: 50 },
    })
    older.value = [...older.value, ...page.items]
    cursor.value = page.nextCursor
  }
  const operations = staff.value?.operations.filter((op) => !op.startsWith('GET ')) ?? []
  const entries = [...(first?.items ?? []), ...older.value]
  return (
    <section class="card" data-testid="audit">
      <h2>{tx.title}</h2>
      <p class="hint">{tx.intro}</p>
      <form
        class="form"
        onSubmit={(event) => {
          event.preventDefault()
          const form = new FormData(event.currentTarget)
          const field = (name: string) => {
            const value = form.get(name)
            return typeof value === 'string' ? value.trim() : ''
          }
          filter.value = {
            actorId: field('actorId') || undefined,
            operation: field('operation') || undefined,
            from: dayStart(field('from')),
            to: dayEnd(field('to')),
          }
        }}
      >
        <label>
          {tx.actor}
          <input name="actorId" maxLength={100} />
        </label>
        <label>
          {tx.operation}
          <select name="operation">
            <option value="">{tx.anyOperation}</option>
            {operations.map((op) => (
              <option key={op} value={op}>
                {op}
              </option>
            ))}
          </select>
        </label>
        <label>
          {tx.from}
          <input type="date" name="from" />
        </label>
        <label>
          {tx.to}
          <input type="date" name="to" />
        </label>
        <button type="submit">{tx.filter}</button>
      </form>
      {first && entries.length === 0 && <p data-testid="audit-empty">{tx.none}</p>}
      <ul class="audit-list" data-testid="audit-list">
        {entries.map((entry) => (
          <Row key={entry.id} entry={entry} />
        ))}
      </ul>
      {cursor.value && (
        <button class="secondary" onClick={() => void more().catch(fail)}>
          {tx.more}
        </button>
      )}
    </section>
  )
}
