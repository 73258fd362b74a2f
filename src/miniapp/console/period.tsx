import { signal } from '@preact/signals'
import { addDays, date, daysAgo, nextDay } from './format.ts'
import { t } from './state.ts'

/** A period a page's reader picks: its first and its last day, both included. */
export interface PeriodChoice {
  /**
   * Until the reader picks, the last 30 of the merchant's days, counted when the page opens (not
   * when the script loads, before the session has said which time zone the merchant is in).
   */
  days(): { first: string; last: string }
  /** As the server's period query takes it (`resolvePeriod`): its `to` is exclusive. */
  query(): { from: string; to: string }
  choose(end: 'first' | 'last', day: string): void
}

/** A page's own period, kept while the reader moves between pages. */
export function periodChoice(): PeriodChoice {
  const picked = signal<{ first: string; last: string } | undefined>(undefined)
  const days = () => picked.value ?? { first: daysAgo(29), last: daysAgo(0) }
  return {
    days,
    query: () => ({ from: days().first, to: nextDay(days().last) }),
    /**
     * Takes a day typed or picked for one end, moving the other so the period stays one the
     * server answers (it refuses a start after the end or in the future with the error screen):
     * the inputs' min and max bound the picker, not what is typed.
     */
    choose(end, day) {
      if (!day) return
      const today = daysAgo(0)
      let { first, last } = days()
      if (end === 'first') {
        first = day > today ? today : day
        if (last < first) last = first
      } else {
        last = day
        if (first > last) first = last > today ? today : last
      }
      picked.value = { first, last }
    },
  }
}

/**
 * The two days of a period, and the period the server says it answered (`fromDay`, exclusive
 * `toDay`) once it has.
 */
export function PeriodPicker(props: {
  choice: PeriodChoice
  answered: { fromDay: string; toDay: string } | undefined
  testId: string
}) {
  const { first, last } = props.choice.days()
  return (
    <>
      <form class="form period-form" onSubmit={(event) => event.preventDefault()}>
        <label>
          {t().periodFrom}
          <input
            type="date"
            name="from"
            value={first}
            max={daysAgo(0)}
            onChange={(event) => props.choice.choose('first', event.currentTarget.value)}
          />
        </label>
        <label>
          {t().periodTo}
          <input
            type="date"
            name="to"
            value={last}
            min={first}
            onChange={(event) => props.choice.choose('last', event.currentTarget.value)}
          />
        </label>
      </form>
      {props.answered && (
        <p class="hint" data-testid={props.testId}>
          {t().periodShown({
            from: date(`${props.answered.fromDay}T12:00:00`),
            // toDay is the exclusive end: the reader's last day is the one before it.
            to: date(`${addDays(props.answered.toDay, -1)}T12:00:00`),
          })}
        </p>
      )}
    </>
  )
}
