import type { VNode } from 'preact'
import { Notice as NoticeDialog } from '../ui/dialog.tsx'
import { haptic } from '../ui/telegram.ts'
import { dialog, fail, refresh, refusal, t } from './state.ts'

/** A write the member asked for: its outcome takes the dialog, or a refusal says why. */
export async function act<T>(
  write: () => Promise<T>,
  outcome: (result: T) => VNode,
): Promise<void> {
  try {
    dialog.value = outcome(await write())
  } catch (error) {
    refuse(error)
  }
}

export function refuse(error: unknown): void {
  haptic('error')
  dialog.value = <Notice message={refusal(error)} />
}

/** Closes the dialog and shows the balance and lists as the write left them. */
export function closeAndRefresh(): void {
  dialog.value = null
  refresh().catch(fail)
}

/** A refusal or a failure of a write, in one sentence with an OK. */
export function Notice({ message }: { message: string }) {
  return (
    <NoticeDialog message={message} closeLabel={t().close} onClose={() => (dialog.value = null)} />
  )
}
