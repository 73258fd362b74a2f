import { signal } from '@preact/signals'
import { ApiError } from '../ui/api.ts'
import { Failure, LanguageSwitch } from '../ui/boot.tsx'
import { PAGES } from './pages.ts'
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
      {pages.length > 1 && (
        <nav class="tabs" aria-label={t().title}>
          {pages.map((p) => (
            <button
              key={p.id}
              data-page={p.id}
              aria-current={p === page ? 'page' : undefined}
              aria-selected={p === page}
              onClick={() => (open.value = p.id)}
            >
              {t()[p.label]}
            </button>
          ))}
        </nav>
      )}
      {page ? <page.View /> : <p class="card">{t().nothingToSee}</p>}
      {dialog.value}
    </>
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
