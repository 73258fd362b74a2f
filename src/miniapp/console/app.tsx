import { signal } from '@preact/signals'
import { useRef, useState } from 'preact/hooks'
import { ApiError } from '../ui/api.ts'
import { Failure, LanguageSwitch } from '../ui/boot.tsx'
import { type ConsolePage, PAGES } from './pages.ts'
import { dialog, fail, failed, signOut, signedOut, staff, t } from './state.ts'

/** The open page's id; when none is chosen, the role's home page, or the first it may see. */
const open = signal<string | null>(null)

/** The console's shell: who is signed in and their role, the language, sign-out, the menu, the page. */
export function App() {
  if (failed.value) return <Failed error={failed.value} />
  if (signedOut.value)
    return (
      <section class="card" role="status">
        <p>{t().signedOut}</p>
      </section>
    )
  const who = staff.value
  if (!who)
    return (
      <div class="loading" role="status">
        {t().loading}
      </div>
    )
  const pages = PAGES.filter((page) => who.operations.includes(page.needs))
  const page =
    pages.find((p) => p.id === open.value) ??
    pages.find((p) => p.home?.includes(who.role)) ??
    pages[0]
  return (
    <>
      <header class="card console-head">
        <div>
          <strong data-testid="signed-in">{who.name}</strong>
          <span class="role" data-testid="role">
            {t().role[who.role]}
          </span>
        </div>
        <div class="actions">
          <LanguageSwitch label={t().otherLanguage} />
          <button class="secondary" onClick={() => void signOut().catch(fail)}>
            {t().signOut}
          </button>
        </div>
      </header>
      {pages.length > 1 && page && <Menu pages={pages} current={page} />}
      <div class="console-page">
        {page ? <page.View /> : <p class="card">{t().nothingToSee}</p>}
      </div>
      {dialog.value}
    </>
  )
}

/**
 * The pages: a column beside the page on a wide screen, tabs on a narrower one; on a phone, where
 * twelve tabs took three rows, a button naming the open page that unfolds the list (console.css
 * decides which by the width). Choosing a page or Escape folds it again, and the focus goes back
 * to the button, not to a hidden tab.
 */
function Menu({ pages, current }: { pages: ConsolePage[]; current: ConsolePage }) {
  const [unfolded, setUnfolded] = useState(false)
  const button = useRef<HTMLButtonElement>(null)
  const fold = () => {
    if (!unfolded) return
    setUnfolded(false)
    button.current?.focus()
  }
  return (
    <nav
      class={unfolded ? 'pages unfolded' : 'pages'}
      aria-label={t().menu}
      onKeyDown={(e) => e.key === 'Escape' && fold()}
    >
      <button
        ref={button}
        type="button"
        class="menu-button"
        data-testid="menu"
        aria-expanded={unfolded}
        aria-controls="console-pages"
        onClick={() => setUnfolded(!unfolded)}
      >
        <span class="menu-icon" aria-hidden="true" />
        <span class="menu-current">{t()[current.label]}</span>
        <span class="menu-all">{unfolded ? t().menuClose : t().menu}</span>
      </button>
      <div id="console-pages" class="tabs">
        {pages.map((p) => (
          <button
            key={p.id}
            type="button"
            data-page={p.id}
            aria-current={p === current ? 'page' : undefined}
            aria-selected={p === current}
            onClick={() => {
              open.value = p.id
              fold()
            }}
          >
            {t()[p.label]}
          </button>
        ))}
      </div>
    </nav>
  )
}

function Failed({ error }: { error: unknown }) {
  const message =
    error instanceof ApiError && error.status === 401
      ? t().errorAuth
      : error instanceof ApiError && error.status === 403
        ? t().errorForbidden
        : t().errorGeneric
  return <Failure title={t().errorTitle} message={message} />
}
