import { ApiError, type Ok, call } from '../../ui/api.ts'
import { Dialog, Notice } from '../../ui/dialog.tsx'
import { useLoad } from '../../ui/load.ts'
import { haptic } from '../../ui/telegram.ts'
import { dialog, fail, t, version } from '../state.ts'
import { type Coupon, type Member, c, day, name, number, show } from './state.ts'

type Offer = Ok<'/api/v1/members/{id}/rewards', 'get'>['items'][number]

/** A member at the counter: balance, tier, the coupons they can use now, and what they can redeem. */
export function MemberCard({ id }: { id: string }) {
  const params = { id }
  const member = useLoad(
    () => call('get', '/api/v1/members/{id}', { params }),
    [id, version.value],
    fail,
  )
  const coupons = useLoad(
    () => call('get', '/api/v1/members/{id}/coupons', { params }),
    [id, version.value],
    fail,
  )
  const offers = useLoad(
    () => call('get', '/api/v1/members/{id}/rewards', { params }),
    [id, version.value],
    fail,
  )
  if (!member || !coupons || !offers) return null
  const usable = coupons.items.filter(
    (coupon): coupon is Coupon => coupon !== null && coupon.status === 'issued',
  )
  return (
    <>
      <section class="card counter-member" data-testid="member">
        <h2>{member.displayName}</h2>
        <p class="hint">
          {`${c().memberCode} ${member.code} · ${c().tier} `}
          <span class="tier">{name(member.tier.name)}</span>
        </p>
        <p class="balance">
          <strong data-testid="member-balance">{number(member.points.balance)}</strong>
          {` ${c().points}`}
        </p>
        {member.points.pending > 0 && (
          <p class="hint">{c().pending({ points: number(member.points.pending) })}</p>
        )}
      </section>
      <section class="card">
        <h3>{c().usable}</h3>
        <ul class="list" data-testid="member-coupons">
          {usable.map((coupon) => (
            <li key={coupon.code}>
              <div>
                <span class="label">{name(coupon.rewardName)}</span>
                <small>
                  {coupon.code}
                  {coupon.expiresAt && ` · ${c().validUntil({ date: day(coupon.expiresAt) })}`}
                </small>
              </div>
              <button class="secondary" onClick={() => show({ kind: 'coupon', coupon })}>
                {c().open}
              </button>
            </li>
          ))}
          {usable.length === 0 && <li class="empty">{c().noUsable}</li>}
        </ul>
      </section>
      <section class="card">
        <h3>{c().rewards}</h3>
        <ul class="list" data-testid="member-rewards">
          {offers.items.map((offer) => (
            <li key={offer.id} data-reward={offer.id}>
              <div>
                <span class="label">{name(offer.name)}</span>
                <small>{`${number(offer.pointsCost)} ${c().points}`}</small>
              </div>
              {offer.refusal ? (
                <button class="secondary" disabled>
                  {refusalText(offer.refusal.code)}
                </button>
              ) : (
                <button onClick={() => confirmRedeem(member, offer)}>{c().redeem}</button>
              )}
            </li>
          ))}
          {offers.items.length === 0 && <li class="empty">{c().noRewards}</li>}
        </ul>
      </section>
    </>
  )
}

const refusalText = (code: string) =>
  (c().refusal as Record<string, string | undefined>)[code] ?? t().errorGeneric

/**
 * Asks before points leave the member's balance. The dialog holds one Idempotency-Key, so that
 * a double tap on its confirm redeems once.
 */
function confirmRedeem(member: Member, offer: Offer): void {
  const key = crypto.randomUUID()
  let sent = false
  const reward = name(offer.name)
  const redeem = async () => {
    if (sent) return
    sent = true
    try {
      const result = await call('post', '/api/v1/members/{id}/redemptions', {
        params: { id: member.id },
        body: { rewardId: offer.id },
        idempotent: key,
      })
      haptic('success')
      version.value++
      showRedeemed(reward, result.coupon)
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 409)) throw error
      haptic('error')
      version.value++
      showNotice(c().refused({ reason: refusalText(error.code) }))
    }
  }
  dialog.value = (
    <Dialog>
      <p>
        {c().redeemConfirm({
          reward,
          member: member.displayName,
          cost: number(offer.pointsCost),
          after: number(member.points.balance - offer.pointsCost),
        })}
      </p>
      <div class="actions">
        <button class="secondary" onClick={() => (dialog.value = null)}>
          {t().cancel}
        </button>
        <button data-testid="confirm" onClick={() => void redeem().catch(fail)}>
          {t().confirm}
        </button>
      </div>
    </Dialog>
  )
}

function showRedeemed(reward: string, coupon: Coupon | null): void {
  const close = () => (dialog.value = null)
  dialog.value = (
    <Dialog>
      <h2>{c().redeemed({ reward })}</h2>
      {coupon && <p data-testid="redeemed-code">{c().issuedCode({ code: coupon.code })}</p>}
      <div class="actions">
        {coupon && (
          <button
            class="secondary"
            onClick={() => {
              close()
              show({ kind: 'coupon', coupon })
            }}
          >
            {c().useNow}
          </button>
        )}
        <button onClick={close}>{t().close}</button>
      </div>
    </Dialog>
  )
}

function showNotice(text: string): void {
  dialog.value = (
    <Notice message={text} closeLabel={t().close} onClose={() => (dialog.value = null)} />
  )
}
