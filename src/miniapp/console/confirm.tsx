import { Dialog } from '../ui/dialog.tsx'
import { dialog, fail, t, version } from './state.ts'

/**
 * Asks before a write that moves points, takes rights away or deletes; `act` runs on confirm
 * and the open page fetches again. A refusal the page can explain goes to `refused`, the rest
 * to the error screen. `lines` say what the write will change, one item each.
 */
export function confirm(
  question: string,
  act: () => Promise<unknown>,
  refused?: (error: unknown) => boolean,
  lines: string[] = [],
): void {
  const close = () => (dialog.value = null)
  dialog.value = (
    <Dialog>
      <p data-testid="question">{question}</p>
      {lines.length > 0 && (
        <ul class="summary" data-testid="summary">
          {lines.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
      <div class="actions">
        <button class="secondary" onClick={close}>
          {t().cancel}
        </button>
        <button
          data-testid="confirm"
          onClick={() => {
            close()
            act().then(
              () => version.value++,
              (error: unknown) => {
                if (!refused?.(error)) fail(error)
              },
            )
          }}
        >
          {t().confirm}
        </button>
      </div>
    </Dialog>
  )
}
