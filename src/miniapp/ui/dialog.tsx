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
