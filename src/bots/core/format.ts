import type { LedgerEntryView, LedgerReason } from '../../domain/ledger/ledger.ts'
import type { MemberView } from '../../domain/members/members.ts'
import {
  type Locale,
  type Programme,
  localDate,
  localize,
} from '../../domain/programme/programme.ts'
import { t } from './i18n.ts'

export function yuan(minorUnits: number): string {
  return (minorUnits / 100).toFixed(2)
}

export function day(iso: string, programme: Programme): string {
  return localDate(new Date(iso), programme.timezone)
}

export function signed(points: number): string {
  return points > 0 ? `+${points}` : String(points)
}

/** A reason without words in the catalogue does not compile: members never see a code. */
export function reasonLabel(locale: Locale, reason: LedgerReason): string {
  return t(locale, `reason.${reason}`)
}

export function benefitsText(locale: Locale, member: MemberView): string {
  const benefits = member.tier.benefits.map((b) => localize(b, locale)).join('，')
  return benefits || t(locale, 'none')
}

/** Balance, tier, progress to the next tier and points expiring soon, as a member sees them. */
export function pointsText(locale: Locale, member: MemberView, programme: Programme): string {
  const lines = [
    t(locale, 'points.summary', {
      balance: member.points.balance,
      tier: localize(member.tier.name, locale),
    }),
  ]
  if (member.points.debt > 0) lines.push(t(locale, 'points.debt', { debt: member.points.debt }))
  if (member.points.pending > 0)
    lines.push(t(locale, 'points.pending', { points: member.points.pending }))
  const { next, basis } = member.tier.progress
  const growth = (value: number) =>
    basis === 'spend'
      ? t(locale, 'amount.spend', { amount: yuan(value) })
      : t(locale, 'amount.points', { points: value })
  if (next) {
    lines.push(
      t(locale, 'points.next', {
        next: localize(next.name, locale),
        remaining: growth(next.remaining),
      }),
    )
  } else {
    lines.push(t(locale, 'points.top'))
  }
  lines.push(t(locale, 'points.benefits', { benefits: benefitsText(locale, member) }))
  lines.push(...tierOutlookLines(locale, member, programme, growth))
  const { nextExpiry } = member.points
  if (member.points.expiringSoon > 0 && nextExpiry) {
    lines.push(
      t(locale, 'points.expiring', { points: nextExpiry.points, date: nextExpiry.lastDay }),
    )
  }
  return lines.join('\n')
}

/** Why the member holds their tier and what keeping it takes; nothing for the first tier. */
function tierOutlookLines(
  locale: Locale,
  member: MemberView,
  programme: Programme,
  growth: (value: number) => string,
): string[] {
  const { outlook } = member.tier
  if (member.tier.code === programme.tiers[0]!.code) return []
  const tier = localize(member.tier.name, locale)
  return [
    t(locale, `tier.heldBy.${outlook.heldBy}`, { tier }),
    outlook.keepNeeds === null
      ? t(locale, 'tier.kept', { date: outlook.lastDay })
      : t(locale, 'tier.keep', {
          date: outlook.lastDay,
          needed: growth(outlook.keepNeeds),
          after: localize(outlook.after.name, locale),
        }),
  ]
}

export function historyLine(locale: Locale, entry: LedgerEntryView, programme: Programme): string {
  return t(locale, 'history.line', {
    date: day(entry.createdAt, programme),
    points: signed(entry.points),
    reason:
      entry.note && entry.reason === 'manual'
        ? `${reasonLabel(locale, entry.reason)}：${entry.note}`
        : reasonLabel(locale, entry.reason),
  })
}
