import { locale } from '../ui/boot.tsx'
import { staff } from './state.ts'

/** How the console writes numbers, money, dates and the merchant's two-language texts. */
export const number = (n: number) => n.toLocaleString(locale.value)

/** Minor units (分) as yuan with two decimals: money is integers everywhere else. */
export const money = (minor: number) =>
  `¥${(minor / 100).toLocaleString(locale.value, {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  })}`

/** Yuan as typed to fen, without floating point: "12.5" → 1250; anything else undefined. */
export function fen(typed: string): number | null | undefined {
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(typed.trim())
  if (!typed.trim()) return null
  if (!match) return undefined
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'))
}

/** Fen as the yuan a merchant types, exactly: 1250 → "12.50"; none is ''. */
export const yuan = (minor: number | null) =>
  minor === null ? '' : `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`

export const percent = (rate: number | null) => (rate === null ? '—' : `${rate}%`)

export const date = (iso: string) =>
  new Date(iso).toLocaleDateString(locale.value, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  })

export const dateTime = (iso: string) =>
  new Date(iso).toLocaleString(locale.value, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  })

/** A merchant's text in the reader's language, falling back to the other when left empty. */
export const named = (text: { 'zh-CN': string; en: string }) =>
  (locale.value === 'en' ? text.en || text['zh-CN'] : text['zh-CN'] || text.en) || ''

/**
 * Today (YYYY-MM-DD) in the programme's time zone, the calendar the server counts a report's
 * days in: a browser elsewhere, or past the merchant's midnight, would ask for the wrong day.
 */
export function merchantToday(now = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: staff.value?.timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(now)
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  return `${part('year')}-${part('month')}-${part('day')}`
}

/** The calendar day `days` after `day` (before it when negative), free of any time zone. */
export function addDays(day: string, days: number): string {
  const [year, month, date] = day.split('-').map(Number)
  return new Date(Date.UTC(year!, month! - 1, date! + days)).toISOString().slice(0, 10)
}

/** The merchant's day `days` before today. */
export const daysAgo = (days: number) => addDays(merchantToday(), -days)

/** The day after a day: a report's `to` is exclusive, the last day a reader picks is not. */
export const nextDay = (day: string) => addDays(day, 1)

/** An instant as the browser's local date and time for a datetime-local field ('' for none). */
export function localInput(iso: string | null): string {
  if (!iso) return ''
  const d = new Date(iso)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** A datetime-local field's value as an instant, or null when left empty. */
export const instantOf = (typed: string) => (typed ? new Date(typed).toISOString() : null)
