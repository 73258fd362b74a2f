import { ApiError } from '../ui/api.ts'
import { CounterPage } from './counter/counter.tsx'
import { StaffPage } from './staff.tsx'
import { dialog, fail, failed, locale, setLocale, signOut, signedOut, staff, t } from './state.ts'

/** The console's shell: who is signed in and their role, the language, sign-out, the page. */
export function App() {
  if (failed.value) return <Failure error={failed.value} />
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
          <button
            class="secondary"
            onClick={() => setLocale(locale.value === 'en' ? 'zh-CN' : 'en')}
          >
            {t().otherLanguage}
          </button>
          <button class="secondary" onClick={() => void signOut().catch(fail)}>
            {t().signOut}
          </button>
        </div>
      </header>
      <CounterPage />
      {who.role === 'owner' && <StaffPage self={who.id} />}
      {dialog.value}
    </>
  )
}

function Failure({ error }: { error: unknown }) {
  const message =
    error instanceof ApiError && error.status === 401
      ? t().errorAuth
      : error instanceof ApiError && error.status === 403
        ? t().errorForbidden
        : t().errorGeneric
  return (
    <section class="card error" role="alert">
      <h1>{t().errorTitle}</h1>
      <p>{message}</p>
    </section>
  )
}
