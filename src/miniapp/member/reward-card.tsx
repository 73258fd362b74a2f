import type { Schemas } from '../ui/api.ts'
import { type Locale, texts } from '../i18n.ts'

type Reward = Schemas['MiniappReward']

/**
 * One reward as a member sees it in the catalogue: picture, name, description, cost, stock and
 * the redeem button, or the reason it cannot be redeemed. The console's preview draws this same
 * card, in each language, where the button does nothing.
 */
export function RewardCard({
  reward,
  locale,
  onRedeem,
}: {
  reward: Reward
  locale: Locale
  onRedeem: () => void
}) {
  const t = texts(locale)
  return (
    <article class="card reward" data-reward={reward.id}>
      {reward.imageUrl && <img class="reward-image" src={reward.imageUrl} alt="" loading="lazy" />}
      <div class="reward-text">
        <h3>{reward.name}</h3>
        {reward.description && <p class="hint">{reward.description}</p>}
        <p class="cost">
          {`${reward.pointsCost.toLocaleString(locale)} ${t.points}`}
          {reward.stock !== null && <small>{` · ${t.left({ stock: reward.stock })}`}</small>}
        </p>
      </div>
      {reward.blockedBy ? (
        <button class="secondary" disabled>
          {t[`blocked_${reward.blockedBy}`]}
        </button>
      ) : (
        <button onClick={onRedeem}>{t.redeem}</button>
      )}
    </article>
  )
}
