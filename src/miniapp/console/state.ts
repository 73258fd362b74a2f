import { signal } from '@preact/signals'
import type { VNode } from 'preact'
import { type Ok, call, endSession } from '../ui/api.ts'
import type { Locale } from '../i18n.ts'
import { CONSOLE_TEXTS } from './i18n.ts'

export type SignedIn = Ok<'/api/console/session', 'get'>

/** The console's state: who is signed in, in which language, and what covers the page. */
export const locale = signal<Locale>('zh-CN')
export const staff = signal<SignedIn | undefined>(undefined)
export const dialog = signal<VNode | null>(null)
export const failed = signal<unknown>(null)
export const signedOut = signal(false)
/** Bumped after a write, so that the open page fetches again. */
export const version = signal(0)

export const t = () => CONSOLE_TEXTS[locale.value]

export function setLocale(next: Locale): void {
  locale.value = next
  document.documentElement.lang = next
  document.title = CONSOLE_TEXTS[next].title
}

export const fail = (error: unknown) => {
  failed.value = error
}

export async function whoAmI(): Promise<void> {
  staff.value = await call('get', '/api/console/session')
}

export async function signOut(): Promise<void> {
  await call('delete', '/api/console/session')
  endSession()
  staff.value = undefined
  signedOut.value = true
}
