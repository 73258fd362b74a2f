import { DateTime } from 'luxon'
import { describe, expect, it } from 'vitest'
import {
  expiryInstant,
  localDateOf,
  localDayBounds,
  luxonExpiry,
} from '../../src/domain/programme/calendar.ts'

/** Zones with whole-hour, half-hour and 45-minute offsets, DST at 02:00 and at midnight, a skipped day. */
const ZONES = [
  'Asia/Shanghai',
  'UTC',
  'America/New_York',
  'Europe/London',
  'Asia/Kolkata',
  'Pacific/Chatham',
  'Australia/Lord_Howe',
  'America/Santiago',
  'America/Havana',
  'America/Sao_Paulo',
  'Asia/Tehran',
  'Pacific/Apia',
]

const POLICIES: [months: number, endOfMonth: boolean][] = [
  [1, false],
  [12, false],
  [0, true],
  [3, true],
]

/** The last two and first day of every month of a leap year and a common one, leap days, and
 *  seeded instants; each at three times of day, so that the local date differs by zone. */
function instants(): Date[] {
  const out: Date[] = []
  for (const year of [2015, 2024])
    for (let month = 0; month < 12; month++)
      for (const day of [-1, 0, 1]) out.push(new Date(Date.UTC(year, month, day, 12)))
  for (const year of [2000, 2028]) out.push(new Date(Date.UTC(year, 1, 29, 12)))
  // Steps that end beside a change of offset at or near midnight (Havana, Apia's skipped day).
  for (const iso of ['2015-07-02', '2011-12-29', '2012-01-01', '2012-03-01'])
    out.push(new Date(`${iso}T12:00:00Z`))
  let seed = 15
  for (let i = 0; i < 30; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    out.push(new Date(Date.UTC(2008, 0, 1) + (seed / 2 ** 31) * 25 * 365 * 86_400_000))
  }
  return out.flatMap((at) => [-11, 0, 13].map((h) => new Date(at.getTime() + h * 3_600_000)))
}

describe('expiry dates and local dates without luxon', () => {
  const all = instants()

  it.each(ZONES)('give luxon’s local date of every instant in %s', (zone) => {
    for (const at of all)
      expect([at.toISOString(), localDateOf(at, zone)]).toEqual([
        at.toISOString(),
        DateTime.fromJSDate(at, { zone }).toISODate(),
      ])
  })

  it.each(ZONES)('give luxon’s local midnights around every instant in %s', (zone) => {
    for (const at of all) {
      const midnight = DateTime.fromISO(DateTime.fromJSDate(at, { zone }).toISODate()!, { zone })
      expect([at.toISOString(), localDayBounds(at, zone)]).toEqual([
        at.toISOString(),
        { start: midnight.toUTC().toISO(), end: midnight.plus({ days: 1 }).toUTC().toISO() },
      ])
    }
  })

  it.each(ZONES)('give luxon’s expiry for every instant and policy in %s', (zone) => {
    for (const at of all)
      for (const [months, endOfMonth] of POLICIES)
        expect([
          at.toISOString(),
          months,
          endOfMonth,
          expiryInstant(at, months, endOfMonth, zone),
        ]).toEqual([
          at.toISOString(),
          months,
          endOfMonth,
          luxonExpiry(at, months, endOfMonth, zone),
        ])
  })

  it('keep the day or cut it to the month’s end, leap years included', () => {
    const shanghai = (iso: string) => new Date(`${iso}T12:00:00+08:00`)
    expect(expiryInstant(shanghai('2024-01-31'), 1, false, 'Asia/Shanghai')).toBe(
      '2024-02-29T16:00:00.000Z',
    )
    expect(expiryInstant(shanghai('2025-01-31'), 1, false, 'Asia/Shanghai')).toBe(
      '2025-02-28T16:00:00.000Z',
    )
    expect(expiryInstant(shanghai('2024-02-29'), 12, false, 'Asia/Shanghai')).toBe(
      '2025-02-28T16:00:00.000Z',
    )
    expect(expiryInstant(shanghai('2025-11-15'), 3, true, 'Asia/Shanghai')).toBe(
      '2026-02-28T16:00:00.000Z',
    )
  })
})
