import { DateTime } from 'luxon'

/**
 * Local calendar dates without luxon on the hot path: luxon builds a zoned DateTime and its
 * arithmetic for every call, which an order pays for each expiry date it writes. A date is
 * read off a cached Intl formatter per time zone and a local midnight found from the zone's
 * offset; luxon answers where the offset changes within a day of the midnights the step
 * starts and ends at (daylight saving), so that every answer is luxon's.
 */

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(timezone: string): Intl.DateTimeFormat {
  let format = formatters.get(timezone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formatters.set(timezone, format)
  }
  return format
}

interface LocalTime {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
}

function localTime(at: number, timezone: string): LocalTime {
  const fields: Record<string, number> = {}
  for (const part of formatter(timezone).formatToParts(at))
    if (part.type !== 'literal') fields[part.type] = Number(part.value)
  return fields as unknown as LocalTime
}

/** The local calendar date of an instant as `YYYY-MM-DD`. */
export function localDateOf(at: Date, timezone: string): string {
  const t = at.getTime()
  return new Date(t + offsetAt(t, timezone)).toISOString().slice(0, 10)
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

/** A calendar date `months` later, the day kept or cut to the month's last (31 Jan + 1 = 28/29 Feb). */
export function addCalendarMonths(
  date: { year: number; month: number; day: number },
  months: number,
): { year: number; month: number; day: number } {
  const index = date.year * 12 + (date.month - 1) + months
  const year = Math.floor(index / 12)
  const month = (index % 12) + 1
  return { year, month, day: Math.min(date.day, daysIn(year, month)) }
}

const QUARTER_HOUR_MS = 900_000
const OFFSETS_KEPT = 10_000
const offsets = new Map<string, number>()

/**
 * The zone's offset from UTC at an instant, in ms. Zones change offset on a quarter hour, so
 * the offset is kept per zone and quarter hour: an order's dates are a few look-ups, not a
 * formatting of the instant each.
 */
function offsetAt(at: number, timezone: string): number {
  const key = `${timezone}|${Math.floor(at / QUARTER_HOUR_MS)}`
  let offset = offsets.get(key)
  if (offset === undefined) {
    const seen = localTime(at, timezone)
    offset =
      Date.UTC(seen.year, seen.month - 1, seen.day, seen.hour, seen.minute, seen.second) -
      Math.floor(at / 1000) * 1000
    if (offsets.size >= OFFSETS_KEPT) offsets.clear()
    offsets.set(key, offset)
  }
  return offset
}

/**
 * The instant of 00:00 local time on a date where the zone keeps one offset from the day
 * before to the day after; undefined near a change of offset, where luxon's arithmetic (which
 * carries wall times across the change) is the rule.
 */
function steadyMidnight(
  year: number,
  month: number,
  day: number,
  timezone: string,
): number | undefined {
  const wall = Date.UTC(year, month - 1, day)
  const offset = offsetAt(wall, timezone)
  const at = wall - offset
  const steady = [at - DAY_MS, at, at + DAY_MS].every((t) => offsetAt(t, timezone) === offset)
  return steady ? at : undefined
}

const DAY_MS = 86_400_000

/**
 * The ISO instant of the local midnight that ends the last valid day of points earned at
 * `earnedAt`, `months` calendar months on (`endOfMonth`: to the end of that month).
 */
export function expiryInstant(
  earnedAt: Date,
  months: number,
  endOfMonth: boolean,
  timezone: string,
): string {
  const t = earnedAt.getTime()
  const local = new Date(t + offsetAt(t, timezone))
  const earned = {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
  }
  const last = addCalendarMonths(earned, months)
  const lastDay = endOfMonth ? { ...last, day: daysIn(last.year, last.month) } : last
  const next = new Date(Date.UTC(lastDay.year, lastDay.month - 1, lastDay.day + 1))
  const end = steadyMidnight(
    next.getUTCFullYear(),
    next.getUTCMonth() + 1,
    next.getUTCDate(),
    timezone,
  )
  if (end === undefined || !steadyMidnight(earned.year, earned.month, earned.day, timezone))
    return luxonExpiry(earnedAt, months, endOfMonth, timezone)
  return new Date(end).toISOString()
}

/** The ISO instants of the local midnight that begins the local day holding `at`, and the next. */
export function localDayBounds(at: Date, timezone: string): { start: string; end: string } {
  const t = at.getTime()
  const local = new Date(t + offsetAt(t, timezone))
  const [year, month, day] = [local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate()]
  const next = new Date(Date.UTC(year, month - 1, day + 1))
  const start = steadyMidnight(year, month, day, timezone)
  const end = steadyMidnight(
    next.getUTCFullYear(),
    next.getUTCMonth() + 1,
    next.getUTCDate(),
    timezone,
  )
  if (start === undefined || end === undefined) return luxonDayBounds(at, timezone)
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString() }
}

function luxonDayBounds(at: Date, timezone: string): { start: string; end: string } {
  const start = DateTime.fromJSDate(at, { zone: timezone }).startOf('day')
  return { start: start.toUTC().toISO()!, end: start.plus({ days: 1 }).toUTC().toISO()! }
}

export function luxonExpiry(
  earnedAt: Date,
  months: number,
  endOfMonth: boolean,
  timezone: string,
): string {
  const local = DateTime.fromJSDate(earnedAt, { zone: timezone }).startOf('day')
  const lastValidDay = endOfMonth
    ? local.plus({ months }).endOf('month').startOf('day')
    : local.plus({ months })
  return lastValidDay.plus({ days: 1 }).toUTC().toISO()!
}
