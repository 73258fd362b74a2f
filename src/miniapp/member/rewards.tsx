import { call, type Schemas } from '../ui/api.ts'
import { Dialog } from '../ui/dialog.tsx'
import { useLoad } from '../ui/load.ts'
import { haptic } from '../ui/telegram.ts'
import { CouponCode } from './coupons.tsx'
import { date, dialog, fail, locale, t, version } from './state.ts'
import { RewardCard } from './reward-card.tsx'
import { act, closeAndRefresh } from './notice.tsx'

type Reward = Schemas['MiniappReward']

/** The catalogue: what the member can redeem now, and why not where they cannot. */
export function RewardsView() {
  const data = useLoad(() => call('get', '/api/miniapp/rewards'), [version.value], fail)
  if (!data) return null
  if (data.items.length === 0)
    return (
      <section class="card">
        <p class="empty">{t().rewardsEmpty}</p>
      </section>
    )
  return (
    <section class="rewards">
      {data.items.map((reward) => (
        <RewardCard
          key={reward.id}
          reward={reward}
          locale={locale.value}
          onRedeem={() => (dialog.value = <Confirm reward={reward} />)}
        />
      ))}
    </section>
  )
}

function Confirm({ reward }: { reward: Reward }) {
  return (
    <Dialog>
      <p>{t().confirmRedeem({ name: reward.name, cost: reward.pointsCost })}</p>
      <div class="actions">
        <button class="secondary" onClick={() => (dialog.value = null)}>
          {t().cancel}
        </button>
        <button
          data-testid="confirm"
          onClick={(event) => {
            event.currentTarget.disabled = true
            void redeem(reward)
          }}
        >
          {t().confirm}
        </button>
      </div>
    </Dialog>
  )
}

function redeem(reward: Reward): Promise<void> {
  const write = () =>
    call('post', '/api/miniapp/redemptions', { body: { rewardId: reward.id }, idempotent: true })
  return act(write, (result) => {
    haptic('success')
    return (
      <Dialog>
        <h2>{`✅ ${t().redeemed}`}</h2>
        <p>{reward.name}</p>
        {result.couponCode && <CouponCode code={result.couponCode} testId="coupon-code" />}
        {result.coupon?.expiresAt && (
          <p class="hint">{t().validUntil({ date: date(result.coupon.expiresAt) })}</p>
        )}
        {result.couponCode && <p class="hint">{t().showAtCounter}</p>}
        <div class="actions">
          <button onClick={closeAndRefresh}>{t().close}</button>
        </div>
      </Dialog>
    )
  })
}
