import { sha256Hex } from '../../shared/ids.ts'

/** The largest share of an audience a campaign or a reminder kind may hold out, in percent. */
export const MAX_HOLDOUT_PERCENT = 50

/**
 * Below this many members in either group the comparison says it cannot tell: the normal
 * approximation behind the interval is not to be trusted on fewer.
 */
export const MIN_GROUP_SIZE = 100

/** A member's place in the draw of `seed`: uniform in [0, 1), the same for the same inputs. */
export function drawPosition(seed: string | number, memberId: string): number {
  return parseInt(sha256Hex(`${seed}:${memberId}`).slice(0, 12), 16) / 2 ** 48
}

/**
 * The members held out of an audience: the round(n × percent / 100) members whose draw position
 * under `seed` is lowest. The same seed and audience give the same split, in any order.
 */
export function drawHoldout(seed: number, memberIds: string[], percent: number): Set<string> {
  const size = Math.round((memberIds.length * percent) / 100)
  if (size === 0) return new Set()
  const ranked = memberIds
    .map((id) => ({ id, position: drawPosition(seed, id) }))
    .sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : 1))
  return new Set(ranked.slice(0, size).map((r) => r.id))
}

/**
 * Whether a member is in the standing holdout of a reminder kind: drawn with the kind as the
 * seed, so that a member stays in it (or out of it) for as long as the share does not change.
 */
export function inReminderHoldout(kind: string, memberId: string, percent: number): boolean {
  return percent > 0 && drawPosition(`reminders:${kind}`, memberId) < percent / 100
}

/** One group of a comparison: its members, those with a credited order, their net sales. */
export interface GroupOutcome {
  members: number
  converted: number
  sales: number
}

export type HoldoutVerdict = 'too_small' | 'no_measurable_effect' | 'positive' | 'negative'

export interface HoldoutComparison {
  messaged: GroupSummary
  heldOut: GroupSummary
  /** Messaged conversion less held-out conversion, as a share (0.1 is 10 points). */
  uplift: number | null
  /** The uplift over the held-out conversion, or null when nobody held out converted. */
  relativeUplift: number | null
  /** The 95% interval of the uplift (Newcombe's hybrid score interval). */
  interval: { low: number; high: number } | null
  /** (Sales per messaged member − sales per held-out member) × messaged members, minor units. */
  incrementalSales: number | null
  verdict: HoldoutVerdict
}

export interface GroupSummary extends GroupOutcome {
  conversion: number | null
  salesPerMember: number | null
}

const Z95 = 1.959964

/** Wilson's score interval of a proportion at 95%. */
function wilson(converted: number, n: number): { low: number; high: number } {
  const p = converted / n
  const z2 = Z95 * Z95
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n)
  const half = (Z95 / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))
  return { low: centre - half, high: centre + half }
}

function summary(group: GroupOutcome): GroupSummary {
  return {
    ...group,
    conversion: group.members ? group.converted / group.members : null,
    salesPerMember: group.members ? group.sales / group.members : null,
  }
}

const round = (value: number, digits = 4) => Math.round(value * 10 ** digits) / 10 ** digits

/**
 * Messaged against held-out: the uplift in conversion, its 95% interval and the incremental
 * sales, and whether that shows an effect. Too small when either group has fewer than
 * MIN_GROUP_SIZE members; no measurable effect when the interval spans zero.
 */
export function compareGroups(messaged: GroupOutcome, heldOut: GroupOutcome): HoldoutComparison {
  const m = summary(messaged)
  const h = summary(heldOut)
  if (m.conversion === null || h.conversion === null)
    return {
      messaged: m,
      heldOut: h,
      uplift: null,
      relativeUplift: null,
      interval: null,
      incrementalSales: null,
      verdict: 'too_small',
    }
  const uplift = m.conversion - h.conversion
  const a = wilson(m.converted, m.members)
  const b = wilson(h.converted, h.members)
  const low = uplift - Math.sqrt((m.conversion - a.low) ** 2 + (b.high - h.conversion) ** 2)
  const high = uplift + Math.sqrt((a.high - m.conversion) ** 2 + (h.conversion - b.low) ** 2)
  return {
    messaged: {
      ...m,
      conversion: round(m.conversion),
      salesPerMember: round(m.salesPerMember!, 2),
    },
    heldOut: { ...h, conversion: round(h.conversion), salesPerMember: round(h.salesPerMember!, 2) },
    uplift: round(uplift),
    relativeUplift: h.conversion > 0 ? round(uplift / h.conversion) : null,
    interval: { low: round(low), high: round(high) },
    incrementalSales: Math.round((m.salesPerMember! - h.salesPerMember!) * m.members),
    verdict: verdictOf(m.members, h.members, low, high),
  }
}

function verdictOf(messaged: number, heldOut: number, low: number, high: number): HoldoutVerdict {
  if (messaged < MIN_GROUP_SIZE || heldOut < MIN_GROUP_SIZE) return 'too_small'
  if (low > 0) return 'positive'
  if (high < 0) return 'negative'
  return 'no_measurable_effect'
}
