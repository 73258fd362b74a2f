import { signal } from '@preact/signals'
import { ApiError } from '../../ui/api.ts'
import { locale } from '../../ui/boot.tsx'
import { MEMBER_TEXTS } from './texts.ts'

export const m = () => MEMBER_TEXTS[locale.value]

/** The member whose profile is open, or none: the search. */
export const selected = signal<string | null>(null)
/** Why the last write on the profile was refused, in the staff member's words. */
export const refusal = signal<string | null>(null)

/** Shows a refusal staff can act on beside the form; anything else is the error screen's. */
export function explain(error: unknown): boolean {
  const known = error instanceof ApiError ? m().refused[error.code] : undefined
  if (known) refusal.value = known
  return known !== undefined
}
