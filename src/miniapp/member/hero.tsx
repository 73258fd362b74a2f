import { type Me, name, number, t } from './state.ts'

/** The card on top of every view: who, tier, balance, the way to the next tier. */
export function Hero({ me: { member, programme } }: { me: Me }) {
  const { progress, outlook } = member.tier
  const next = progress.next
  const start = programme.tiers.find((tier) => tier.code === member.tier.code)?.threshold ?? 0
  const share = next
    ? Math.min(
        100,
        Math.max(0, ((progress.value - start) / Math.max(1, next.threshold - start)) * 100),
      )
    : 100
  const growth = (value: number) =>
    progress.basis === 'spend'
      ? t().spend({ amount: (value / 100).toFixed(2) })
      : t().growth({ points: value })
  const firstTier = programme.tiers[0]?.code === member.tier.code
  const { points } = member
  return (
    <header class="card hero">
      <div class="programme">{name(programme.name)}</div>
      <div class="who">
        <span class="name">{member.displayName}</span>
        <span class="tier" data-tier={member.tier.code}>
          {name(member.tier.name)}
        </span>
      </div>
      <div class="balance">
        <strong data-testid="balance">{number(points.balance)}</strong>
        <span>{t().points}</span>
      </div>
      <div
        class="progress"
        role="progressbar"
        aria-valuenow={Math.round(share)}
        aria-valuemin={0}
        aria-valuemax={100}
      >
        <div class="bar" style={{ width: `${share}%` }} />
      </div>
      <p class="next">
        {next
          ? t().nextTier({ next: name(next.name), remaining: growth(next.remaining) })
          : t().topTier}
      </p>
      {!firstTier && (
        <p class="outlook" data-testid="tier-outlook">
          {t()[`heldBy_${outlook.heldBy}`]({ tier: name(member.tier.name) })}
          {t().sentenceGap}
          {outlook.keepNeeds === null
            ? t().tierKept({ date: outlook.lastDay })
            : t().tierKeep({
                date: outlook.lastDay,
                needed: growth(outlook.keepNeeds),
                after: name(outlook.after.name),
              })}
        </p>
      )}
      {points.expiringSoon > 0 && points.nextExpiry && (
        <p class="notice">
          {t().expiring({ points: points.nextExpiry.points, date: points.nextExpiry.lastDay })}
        </p>
      )}
      {points.debt > 0 && <p class="notice">{t().debt({ debt: points.debt })}</p>}
      {points.pending > 0 && (
        <p class="notice" data-testid="pending">
          {t().pending({ points: points.pending })}
        </p>
      )}
      {member.tier.benefits.length > 0 && (
        <p class="benefits">{t().benefits({ list: member.tier.benefits.map(name).join(' · ') })}</p>
      )}
    </header>
  )
}
