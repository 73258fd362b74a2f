import { useMemo, useRef, useState } from 'preact/hooks'
import { ApiError, call } from '../../ui/api.ts'
import { useLoad } from '../../ui/load.ts'
import { haptic } from '../../ui/telegram.ts'
import { fail } from '../state.ts'
import { type Coupon, aCoupon, c, day, moment, name, show } from './state.ts'

const REFUSED = new Set(['coupon_used', 'coupon_expired', 'coupon_void'])

/**
 * One coupon at the counter: whose it is, what it is for, whether it may be used, and the use.
 * The coupon shown carries one Idempotency-Key for its use, so that a double tap or a retry
 * after a lost answer is the same request and the server answers it with the first use.
 */
export function CouponCard({ coupon: first }: { coupon: Coupon }) {
  const [coupon, setCoupon] = useState(first)
  const [usedHere, setUsedHere] = useState(false)
  const busy = useRef(false)
  const [working, setWorking] = useState(false)
  const key = useMemo(() => crypto.randomUUID(), [first.code])
  const owner = useLoad(
    () => call('get', '/api/v1/members/{id}', { params: { id: coupon.memberId } }),
    [coupon.memberId],
    fail,
  )
  const reward = name(coupon.rewardName)

  const use = async () => {
    // Checked before any redraw, so that a second tap in the same moment sends nothing new.
    if (busy.current) return
    busy.current = true
    setWorking(true)
    const params = { code: coupon.code }
    try {
      setCoupon(
        aCoupon(await call('post', '/api/v1/coupons/{code}/use', { params, idempotent: key })),
      )
      setUsedHere(true)
      haptic('success')
    } catch (error) {
      if (!(error instanceof ApiError && REFUSED.has(error.code))) throw error
      // Another till was first, or it ran out meanwhile: show the coupon as it is now.
      setCoupon(aCoupon(await call('get', '/api/v1/coupons/{code}', { params })))
      haptic('error')
    } finally {
      busy.current = false
      setWorking(false)
    }
  }

  return (
    <section class="card counter-coupon" data-testid="coupon" data-status={coupon.status}>
      <p class="hint">{c().kind[coupon.kind] ?? c().coupon}</p>
      <h2>{reward}</h2>
      <p class="counter-code">
        <small>{c().couponCode}</small> <strong>{coupon.code}</strong>
      </p>
      {owner && (
        <p>
          {`${c().owner}: `}
          <button
            class="link"
            data-testid="coupon-owner"
            onClick={() => show({ kind: 'member', id: owner.id })}
          >
            {`${owner.displayName} (${owner.code})`}
          </button>
        </p>
      )}
      <CouponState coupon={coupon} usedHere={usedHere} reward={reward} />
      {coupon.status === 'issued' && (
        <button
          class="wide"
          data-testid="use-coupon"
          disabled={working}
          onClick={() => void use().catch(fail)}
        >
          {c().use}
        </button>
      )}
    </section>
  )
}

function CouponState({
  coupon,
  usedHere,
  reward,
}: {
  coupon: Coupon
  usedHere: boolean
  reward: string
}) {
  if (coupon.status === 'issued')
    return (
      <p class="counter-state ok" role="status" data-testid="coupon-state">
        <strong>{c().status.issued}</strong>
        {coupon.expiresAt && ` · ${c().validUntil({ date: day(coupon.expiresAt) })}`}
      </p>
    )
  if (coupon.status === 'used' && usedHere)
    return (
      <p class="counter-state ok" role="status" data-testid="coupon-state">
        {c().usedNow({ reward })}
      </p>
    )
  const refusal =
    coupon.status === 'used'
      ? c().usedBefore({ at: moment(coupon.usedAt ?? coupon.issuedAt) })
      : coupon.status === 'expired'
        ? c().expiredOn({ at: moment(coupon.expiresAt ?? coupon.issuedAt) })
        : c().voided
  return (
    <p class="counter-state refused" role="alert" data-testid="coupon-state">
      {refusal}
    </p>
  )
}
