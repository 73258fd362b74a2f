import { useEffect, useState } from 'preact/hooks'
import { type Ok, call } from '../ui/api.ts'
import { isLedgerReason } from '../i18n.ts'
import { date, fail, number, t, version } from './state.ts'

type Entry = Ok<'/api/miniapp/ledger', 'get'>['items'][number]

/** The points history, newest first, a page at a time. */
export function HistoryView() {
  const [entries, setEntries] = useState<Entry[]>()
  const [cursor, setCursor] = useState<string | null>(null)
  const load = (after?: string) =>
    call('get', '/api/miniapp/ledger', { query: { limit: 20, cursor: after } }).then((page) => {
      setEntries((before) => [...(after ? (before ?? []) : []), ...page.items])
      setCursor(page.nextCursor)
    }, fail)
  useEffect(() => void load(), [version.value])
  if (!entries) return null
  return (
    <section class="card">
      <ul class="list" data-testid="history">
        {entries.map((entry) => {
          // A reason newer than this page (a server updated first) shows as its code.
          const label = isLedgerReason(entry.reason) ? t().reason[entry.reason] : entry.reason
          return (
            <li key={entry.id}>
              <div>
                <span class="label">
                  {entry.reason === 'manual' && entry.note ? `${label} · ${entry.note}` : label}
                </span>
                <small>{date(entry.createdAt)}</small>
              </div>
              <b class={entry.points >= 0 ? 'plus' : 'minus'}>
                {`${entry.points > 0 ? '+' : ''}${number(entry.points)}`}
              </b>
            </li>
          )
        })}
        {entries.length === 0 && <li class="empty">{t().historyEmpty}</li>}
      </ul>
      {cursor && (
        <button class="more secondary" onClick={() => void load(cursor)}>
          {t().more}
        </button>
      )}
    </section>
  )
}
