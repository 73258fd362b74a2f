import { effect, signal } from '@preact/signals'
import type { VNode } from 'preact'
import { type Ok, call, endSession } from '../ui/api.ts'
import { locale } from '../ui/boot.tsx'
import { CONSOLE_TEXTS } from './i18n.ts'

export { fail, failed, locale, setLocale } from '../ui/boot.tsx'

export type SignedIn = Ok<'/api/console/session', 'get'>

/** The console's state: who is signed in, which page is open, and what covers the page. */
export const staff = signal<SignedIn | undefined>(undefined)
export const dialog = signal<VNode | null>(null)
export const signedOut = signal(false)
/** Bumped after a write, so that the open page fetches again. */
export const version = signal(0)

export const t = () => CONSOLE_TEXTS[locale.value]

/** Whether the signed-in role may call an operation, as the server's access table says. */
export const may = (operation: string) => staff.value?.operations.includes(operation) ?? false

effect(() => {
  document.title = CONSOLE_TEXTS[locale.value].title
})

export async function whoAmI(): Promise<void> {
  staff.value = await call('get', '/api/console/session')
}

export async function signOut(): Promise<void> {
  await call('delete', '/api/console/session')
  endSession()
  staff.value = undefined
  signedOut.value = true
}
