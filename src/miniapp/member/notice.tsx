import { Dialog } from '../ui/dialog.tsx'
import { dialog, fail, refresh, t } from './state.ts'

/** Closes the dialog and shows the balance and lists as the write left them. */
export function closeAndRefresh(): void {
  dialog.value = null
  refresh().catch(fail)
}

/** A refusal or a failure of a write, in one sentence with an OK. */
export function Notice({ message }: { message: string }) {
  return (
    <Dialog>
      <p role="alert">{message}</p>
      <div class="actions">
        <button onClick={() => (dialog.value = null)}>{t().close}</button>
      </div>
    </Dialog>
  )
}
