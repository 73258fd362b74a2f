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

/** Another member's name on a leaderboard: enough to recognise oneself, not to identify others. */
export function maskName(name: string): string {
  const chars = [...name.trim()]
  if (chars.length <= 2) return `${chars[0] ?? ''}*`
  return `${chars[0]}${'*'.repeat(Math.min(chars.length - 2, 3))}${chars.at(-1)}`
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
  const { next, basis } = member.tier.progress
  if (next) {
    const remaining =
      basis === 'spend'
        ? t(locale, 'amount.spend', { amount: yuan(next.remaining) })
        : t(locale, 'amount.points', { points: next.remaining })
    lines.push(t(locale, 'points.next', { next: localize(next.name, locale), remaining }))
  } else {
    lines.push(t(locale, 'points.top'))
  }
  lines.push(t(locale, 'points.benefits', { benefits: benefitsText(locale, member) }))
  if (member.points.expiringSoon > 0) {
    lines.push(
      t(locale, 'points.expiring', {
        points: member.points.expiringSoon,
        date: day(member.points.expiringSoonBefore, programme),
      }),
    )
  }
  return lines.join('\n')
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
