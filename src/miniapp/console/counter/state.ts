import { signal } from '@preact/signals'
import { ApiError, type Ok, call } from '../../ui/api.ts'
import { type Localized, inLocale, momentIn, numberIn, dayIn } from '../../ui/format.ts'
import { locale } from '../state.ts'
import { COUNTER_TEXTS } from './i18n.ts'

// The schema is shared with redemptions, where a reward without a coupon has null.
export type Coupon = NonNullable<Ok<'/api/v1/coupons/{code}', 'get'>>

/** A coupon the coupon operations answer: never null there, whatever the shared schema says. */
export function aCoupon(answer: Coupon | null): Coupon {
  if (!answer) throw new Error('the server answered no coupon')
  return answer
}
export type Member = Ok<'/api/v1/members/{id}', 'get'>

/** What the counter shows under its code box: a coupon, a member, a code nobody has, or nothing. */
export type Found =
  | { kind: 'coupon'; coupon: Coupon }
  | { kind: 'member'; id: string }
  | { kind: 'missing'; code: string }

/** `seq` counts what was shown, so that a code checked again is drawn afresh, not kept. */
export const shown = signal<(Found & { seq: number }) | null>(null)
let shownSoFar = 0

export function show(found: Found): void {
  shown.value = { ...found, seq: ++shownSoFar }
}

export const c = () => COUNTER_TEXTS[locale.value]
export const name = (text: Localized) => inLocale(text, locale.value)
export const moment = (iso: string) => momentIn(iso, locale.value)
export const day = (iso: string) => dayIn(iso, locale.value)
export const number = (n: number) => numberIn(n, locale.value)

/** Codes are short; anything longer (a web address in a QR code) is nobody's code. */
export const MAX_CODE = 64

// 400: not the shape of any code, so no coupon has it either.
const notFound = (error: unknown) =>
  error instanceof ApiError && (error.status === 404 || error.status === 400)

/**
 * Finds what a typed or scanned code is: a coupon's code, else a member's code. Both lookups are
 * the server's (which normalises case and spaces), so the page holds no rule about the shapes.
 */
export async function lookUp(raw: string): Promise<void> {
  const code = raw.trim()
  if (!code) return
  if (code.length > MAX_CODE) {
    show({ kind: 'missing', code: `${code.slice(0, 20)}…` })
    return
  }
  try {
    const coupon = aCoupon(await call('get', '/api/v1/coupons/{code}', { params: { code } }))
    show({ kind: 'coupon', coupon })
    return
  } catch (error) {
    if (!notFound(error)) throw error
  }
  const { items } = await call('get', '/api/v1/members', { query: { code } })
  show(items[0] ? { kind: 'member', id: items[0].id } : { kind: 'missing', code })
}
