import { type ComponentChildren } from 'preact'

/** A modal card over the page; the caller decides when it goes. */
export function Dialog({ children }: { children: ComponentChildren }) {
  return (
    <div class="overlay">
      <div class="dialog card" role="dialog" aria-modal="true">
        {children}
      </div>
    </div>
  )
}

/** One sentence (a refusal, an outcome) with a button that closes it. */
export function Notice({
  message,
  closeLabel,
  onClose,
}: {
  message: string
  closeLabel: string
  onClose: () => void
}) {
  return (
    <Dialog>
      <p role="alert">{message}</p>
      <div class="actions">
        <button onClick={onClose}>{closeLabel}</button>
      </div>
    </Dialog>
  )
}
