import { signal } from '@preact/signals'
import type { VNode } from 'preact'
import { ApiError, type Ok, type Schemas, call } from '../ui/api.ts'
import { pickLocale, texts } from '../i18n.ts'
import { locale, setLocale } from '../ui/boot.tsx'

export { fail, failed, locale, setLocale } from '../ui/boot.tsx'

export type Me = Ok<'/api/miniapp/me', 'get'>
export type Coupon = NonNullable<Schemas['MiniappCoupon']>
export type Localized = Me['programme']['name']
export type Tab = 'code' | 'history' | 'rewards' | 'play' | 'coupons' | 'profile'

/** The member page's state: the views read these signals and redraw when they change. */
export const me = signal<Me | undefined>(undefined)
export const tab = signal<Tab>('code')
/** A view opened from a tab (a coupon's QR): the back button returns to the tab. */
export const coupon = signal<Coupon | null>(null)
/** The dialog over the page (a confirmation, a result, a quiz), or none. */
export const dialog = signal<VNode | null>(null)
/** Bumped by `refresh`, so the open view fetches again after a write. */
export const version = signal(0)

export const t = () => texts(locale.value)
export const name = (text: Localized) => (locale.value === 'en' ? text.en : text['zh-CN'])
export const date = (iso: string) =>
  new Date(iso).toLocaleDateString(locale.value, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  })
export const number = (n: number) => n.toLocaleString(locale.value)

export async function refresh(): Promise<void> {
  const next = await call('get', '/api/miniapp/me')
  setLocale(pickLocale(next.member.locale))
  document.title = name(next.programme.name)
  me.value = next
  version.value++
}

const KNOWN_REFUSALS = [
  'insufficient_points',
  'out_of_stock',
  'limit_reached',
  'tier_required',
  'tier_already_held',
  'reward_inactive',
  'closed',
  'lottery_exhausted',
  'already_done',
] as const

/** What the member reads when a write is refused: the reason when it is theirs to know. */
export function refusal(error: unknown): string {
  const code = error instanceof ApiError ? error.code : ''
  return (KNOWN_REFUSALS as readonly string[]).includes(code)
    ? t()[code as (typeof KNOWN_REFUSALS)[number]]
    : t().errorGeneric
}
