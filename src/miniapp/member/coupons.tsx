import { call } from '../ui/api.ts'
import { Qr } from '../ui/qr.tsx'
import { useLoad } from '../ui/load.ts'
import { type Coupon, coupon, date, fail, t, version } from './state.ts'

/** A coupon's code in words and as a QR code that staff scan at the counter. */
export function CouponCode({ code, testId }: { code: string; testId?: string }) {
  return (
    <div class="coupon">
      <Qr text={code} label={t().couponQr({ code })} testId="coupon-qr" />
      <small>{t().couponCode}</small>
      <strong data-testid={testId}>{code}</strong>
    </div>
  )
}

/** The member's coupons; a usable one opens on its own view, with its QR code. */
export function CouponsView() {
  const data = useLoad(() => call('get', '/api/miniapp/coupons'), [version.value], fail)
  if (!data) return null
  // The schema is shared with redemptions, where a reward without a coupon has null.
  const items = data.items.filter((item): item is Coupon => item !== null)
  return (
    <section class="card">
      <ul class="list">
        {items.map((item) => (
          <li class={item.status} key={item.code}>
            <div>
              <span class="label">{item.rewardName}</span>
              <small>{item.code}</small>
            </div>
            {item.status === 'issued' ? (
              <button onClick={() => (coupon.value = item)}>{t().showCoupon}</button>
            ) : (
              <span class="status">{t()[`status_${item.status}`]}</span>
            )}
          </li>
        ))}
        {items.length === 0 && <li class="empty">{t().couponsEmpty}</li>}
      </ul>
    </section>
  )
}

/** One coupon, large enough to scan from the member's phone. */
export function CouponView({ coupon: shown }: { coupon: Coupon }) {
  return (
    <section class="card center" data-testid="coupon-view">
      <h2>{shown.rewardName}</h2>
      <CouponCode code={shown.code} />
      {shown.expiresAt && <p class="hint">{t().validUntil({ date: date(shown.expiresAt) })}</p>}
      <p class="hint">{t().showAtCounter}</p>
    </section>
  )
}
