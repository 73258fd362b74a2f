import type { Ok, Schemas } from '../../ui/api.ts'
import { money } from '../format.ts'
import { locale } from '../state.ts'
import { PROGRAMME_TEXTS } from './texts.ts'

export type Config = Ok<'/api/v1/programme', 'get'>['config']
export type Change = Schemas['ProgrammeChange']

export const pt = () => PROGRAMME_TEXTS[locale.value]

/** A setting's path with list positions as `*`, the key of its words in `texts.ts`. */
const pattern = (path: string) => path.replace(/\.\d+(?=\.|$)/g, '.*')

/** Benefits a tier has one of: their words say which; their place in the list is not named. */
const ONE_OF_A_KIND = new Set(['tiers.*.benefits.*.basisPoints', 'tiers.*.benefits.*.prices'])

/**
 * A setting's words, from the path the server names (in a refusal, in a diff): its own, or
 * its nearest parent's with the rest of the path; a position in a list is counted from 1.
 */
export function labelOf(path: string): string {
  const parts = path.split('.')
  for (let end = parts.length; end > 0; end--) {
    const head = parts.slice(0, end).join('.')
    const words = pt().labels[pattern(head)]
    if (!words) continue
    const all = [...head.matchAll(/\.(\d+)(?=\.|$)/g)].map((m) => Number(m[1]) + 1)
    const positions = ONE_OF_A_KIND.has(pattern(head)) ? all.slice(0, -1) : all
    const rest = parts.slice(end).join('.')
    return [words, ...positions.map((n) => `#${n}`), rest].filter(Boolean).join(' ')
  }
  return path
}

/** A field's own words in the form, where its list item's heading already says which one. */
export const fieldWords = (path: string): string => pt().labels[pattern(path)] ?? labelOf(path)

/** A copy of `value` with the setting at `path` replaced: the draft is never changed in place. */
export function setAt<T>(value: T, path: string, next: unknown): T {
  const copy = structuredClone(value) as Record<string, unknown>
  const keys = path.split('.')
  let node: Record<string, unknown> = copy
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>
  node[keys.at(-1)!] = next
  return copy as T
}

export function getAt(value: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], value)
}

/** The settings that are money, in fen; a tier's threshold is money when spend counts. */
const MONEY = new Set([
  'earning.conversion.per',
  'earning.conversion.bands.*.per',
  'earning.conversion.bands.*.from',
  'earning.qualifyingOrderAmount',
  'referral.minOrderAmount',
])
type Basis = Config['tierRules']['basis']
/** A product's member price: its SKU may be digits alone, so it is not read as a position. */
const MEMBER_PRICE = /^tiers\.\d+\.benefits\.\d+\.prices\./

export const isMoney = (path: string, basis: Basis) =>
  MONEY.has(pattern(path)) ||
  MEMBER_PRICE.test(path) ||
  (basis === 'spend' && pattern(path) === 'tiers.*.threshold')

/** A value of a diff as a merchant reads it: a text in both languages, a list, money, a number. */
export function shown(value: unknown, asMoney = false): string {
  if (value === undefined) return ''
  if (value === null) return pt().empty
  if (asMoney && typeof value === 'number') return money(value)
  if (
    typeof value === 'object' &&
    'kind' in value &&
    value.kind === 'member_prices' &&
    'prices' in value
  )
    return Object.entries(value.prices as Record<string, number>)
      .map(([sku, price]) => `${sku} ${money(price)}`)
      .join('、')
  if (typeof value === 'object' && 'zh-CN' in value && 'en' in value)
    return `${String(value['zh-CN'])} / ${String(value.en)}`
  if (Array.isArray(value))
    return value.length ? value.map((item) => shown(item)).join('、') : pt().empty
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** One line of a diff: the setting's words, then old → new (money in yuan). */
export function changeLine(change: Change, basis: Basis): string {
  const asMoney = isMoney(change.path, basis)
  const from = 'before' in change ? shown(change.before, asMoney) : pt().added
  const to = 'after' in change ? shown(change.after, asMoney) : pt().removed
  return `${labelOf(change.path)}: ${from} → ${to}`
}
