import { signal } from '@preact/signals'
import { useRef } from 'preact/hooks'
import { haptic, telegramScanQr } from '../../ui/telegram.ts'
import { fail } from '../state.ts'
import { Camera } from './camera.tsx'
import { CouponCard } from './coupon.tsx'
import { MemberCard } from './member.tsx'
import { MAX_CODE, c, lookUp, shown } from './state.ts'
import './counter.css'

/** The browser's camera is open (outside Telegram, whose scanner is its own popup). */
const scanning = signal(false)

function check(code: string): void {
  scanning.value = false
  lookUp(code).catch(fail)
}

function scan(): void {
  const popup = telegramScanQr(c().scanTitle)
  if (!popup) {
    scanning.value = !scanning.value
    return
  }
  popup.then((code) => code && check(code), fail)
}

/**
 * The counter: a coupon or member code typed or scanned, then the coupon to use or the member
 * to serve. Staff from the clerk up; the server checks the role on every call.
 */
export function CounterPage() {
  const input = useRef<HTMLInputElement>(null)
  const found = shown.value
  return (
    <div class="counter">
      <section class="card">
        <h2>{c().title}</h2>
        <form
          class="form counter-lookup"
          onSubmit={(event) => {
            event.preventDefault()
            check(input.current?.value ?? '')
          }}
        >
          <label>
            {c().codeLabel}
            <input
              ref={input}
              name="code"
              maxLength={MAX_CODE}
              autoComplete="off"
              autoCapitalize="characters"
              spellcheck={false}
              enterKeyHint="search"
            />
          </label>
          <div class="actions">
            <button type="submit">{c().check}</button>
            <button type="button" class="secondary" onClick={scan}>
              {scanning.value ? c().stopScan : c().scan}
            </button>
          </div>
        </form>
        <p class="hint">{c().codeHint}</p>
        {scanning.value && (
          <Camera
            onCode={(code) => {
              haptic('success')
              if (input.current) input.current.value = code
              check(code)
            }}
          />
        )}
      </section>
      <div class="counter-found">
        {found?.kind === 'missing' && (
          <p class="card counter-state refused" role="alert" data-testid="not-found">
            {c().notFound({ code: found.code })}
          </p>
        )}
        {found?.kind === 'coupon' && <CouponCard key={found.seq} coupon={found.coupon} />}
        {found?.kind === 'member' && <MemberCard key={found.seq} id={found.id} />}
      </div>
    </div>
  )
}
