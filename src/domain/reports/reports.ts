import { DateTime } from 'luxon'
import { z } from 'zod'
import { DomainError } from '../../shared/errors.ts'
import type { HoldoutComparison } from '../outbox/holdout.ts'
import type { AppliedBenefitKind, LocalizedText } from '../programme/programme.ts'
import type { AbcClass, Lifecycle, ValueClass } from '../segments/segments.ts'

/** A report covers 30 local days, today included, unless asked otherwise. */
export const DEFAULT_PERIOD_DAYS = 30
/** Bounds the work of one report (and the rows of a weekly series) to about three years. */
export const MAX_PERIOD_DAYS = 1_100

/**
 * The half-open period [from, to) a report covers, with the instant its point-in-time figures
 * (members, points outstanding, churn) are read at: `to`, or now when the period reaches into
 * the future.
 */
export interface ReportPeriod {
  from: string
  to: string
  asOf: string
  timezone: string
  /** The local day of `from` and the local day `to` falls on. */
  fromDay: string
  toDay: string
}

export const periodQuerySchema = z.object({
  from: z.string().optional(),
  to: z.string().optional(),
})
export type PeriodQuery = z.infer<typeof periodQuerySchema>

const LOCAL_DAY = /^\d{4}-\d{2}-\d{2}$/
const instant = z.iso.datetime({ offset: true })

function invalid(field: string, message: string): never {
  throw new DomainError('invalid_input', `${field}: ${message}`, { field })
}

/** A local day (the merchant's midnight) or an ISO instant with an offset. */
function parseBound(value: string, field: string, timezone: string): DateTime {
  if (LOCAL_DAY.test(value)) {
    const day = DateTime.fromISO(value, { zone: timezone })
    if (!day.isValid) invalid(field, `${value} is not a calendar day`)
    return day
  }
  if (!instant.safeParse(value).success)
    invalid(field, 'a day as YYYY-MM-DD or an ISO date-time with an offset')
  return DateTime.fromISO(value, { zone: timezone })
}

/**
 * The period of a report from its query, in the merchant's time zone: `from` and `to` are local
 * days (YYYY-MM-DD, meaning their local midnight) or instants; `to` is exclusive. Without `to`
 * the period ends at the end of today; without `from` it starts 30 days before `to`. Throws
 * `invalid_input` naming `from` or `to`.
 */
export function resolvePeriod(query: PeriodQuery, timezone: string, now: Date): ReportPeriod {
  const to = query.to
    ? parseBound(query.to, 'to', timezone)
    : DateTime.fromJSDate(now, { zone: timezone }).startOf('day').plus({ days: 1 })
  const from = query.from
    ? parseBound(query.from, 'from', timezone)
    : to.minus({ days: DEFAULT_PERIOD_DAYS })
  if (from >= to) invalid('to', 'the period ends after it starts')
  if (from.toMillis() > now.getTime()) invalid('from', 'the period starts in the future')
  if (to.diff(from, 'days').days > MAX_PERIOD_DAYS)
    invalid('from', `a report covers at most ${MAX_PERIOD_DAYS} days`)
  const asOf = Math.min(to.toMillis(), now.getTime())
  return {
    from: from.toUTC().toISO()!,
    to: to.toUTC().toISO()!,
    asOf: new Date(asOf).toISOString(),
    timezone,
    fromDay: from.toISODate()!,
    toDay: to.toISODate()!,
  }
}

/** The merchant's weeks (Monday to Sunday) that the period touches, each cut to the period. */
export function weeksOf(period: ReportPeriod): { week: string; from: string; to: string }[] {
  const end = DateTime.fromISO(period.to, { zone: period.timezone })
  const start = DateTime.fromISO(period.from, { zone: period.timezone })
  const weeks: { week: string; from: string; to: string }[] = []
  for (let week = start.startOf('week'); week < end; week = week.plus({ weeks: 1 })) {
    const next = week.plus({ weeks: 1 })
    weeks.push({
      week: week.toISODate()!,
      from: (week < start ? start : week).toUTC().toISO()!,
      to: (next > end ? end : next).toUTC().toISO()!,
    })
  }
  return weeks
}

/** n ÷ d as a percentage with two decimals, or null when there is nothing to divide by. */
export function percent(n: number, d: number): number | null {
  return d === 0 ? null : Math.round((n * 10_000) / d) / 100
}

/** A class's size at the start and the end of the period; null where no snapshot tells. */
export interface SegmentSizes<C extends string> {
  class: C
  atStart: number | null
  atEnd: number | null
  change: number | null
}

export interface ProgrammeReport {
  period: ReportPeriod
  currency: string
  members: {
    /** Active members who had joined before the period. */
    atStart: number
    /** ...and by its end. */
    atEnd: number
    new: number
    /** 会员新增率: new ÷ atStart, in percent. */
    newMemberRate: number | null
  }
  sales: {
    /** Net of refunds, in minor units, of orders placed in the period. */
    memberSales: number
    guestSales: number
    memberOrders: number
    guestOrders: number
    /** 会员消费占比: member sales ÷ all sales, in percent. */
    memberShare: number | null
  }
  activity: {
    /** Members who ordered or interacted in the period. */
    active: number
    ordered: number
    interacted: number
    /** 会员活跃度: active ÷ members at the end, in percent. */
    activityRate: number | null
  }
  churn: {
    /** Customers not churned at the start: a purchase within `churnedDays` before it. */
    customersAtStart: number
    /** Of those, the ones churned by the end: no purchase within `churnedDays` before it. */
    lost: number
    /** 会员流失率: lost ÷ customersAtStart, in percent. */
    churnRate: number | null
  }
  repeat: {
    /** Members who bought in the period... */
    customers: number
    /** ...and those who bought twice or more in it. */
    repeatCustomers: number
    /** 复购率: repeatCustomers ÷ customers, in percent. */
    repeatRate: number | null
  }
  points: {
    issued: number
    redeemed: number
    expired: number
    /** Earned points taken back by refunds and negative adjustments. */
    reversed: number
    outstandingAtStart: number
    /** The programme's liability: every balance added up (debts included) at the end. */
    outstanding: number
  }
  satisfaction: {
    responses: number
    average: number | null
    /** Share of answers 5–7, the satisfied side of the 7-level scale, in percent. */
    satisfiedShare: number | null
    distribution: { score: number; responses: number }[]
  }
  segments: {
    /** When the classification the end sizes come from was computed. */
    computedAt: string | null
    /** The local day of the snapshot the start sizes come from (the last one before `from`). */
    startSnapshotDay: string | null
    /** The day of the snapshot the end sizes come from; null: the current classification. */
    endSnapshotDay: string | null
    lifecycle: SegmentSizes<Lifecycle>[]
    value: SegmentSizes<ValueClass>[]
    abc: SegmentSizes<AbcClass>[]
    saved: { id: string; name: string; size: number }[]
  }
}

/** One week of the period (cut to it): members and sales. */
/** One class's size in the snapshot of one local day: a point of the segment-movement chart. */
export interface SegmentSnapshotRow {
  day: string
  dimension: 'lifecycle' | 'value' | 'abc'
  class: string
  members: number
}

export interface WeeklyRow {
  /** The Monday that starts the week, in the merchant's calendar. */
  week: string
  from: string
  to: string
  newMembers: number
  /** Active members who had joined by the end of the week (or the period). */
  members: number
  memberOrders: number
  memberSales: number
  guestSales: number
}

/**
 * The result of one marketing action, side by side with the others: a campaign, or a kind of
 * re-purchase reminder. Sales are attributed orders' amounts net of refunds, in minor units.
 */
export interface MarketingResult {
  source: 'campaign' | 'reminder'
  /** The campaign's id, or the reminder's kind. */
  id: string
  name: string
  sent: number
  /** Handed to the platform by a worker that died before the answer: maybe delivered, never resent. */
  uncertain: number
  /** Waiting now because their channel is down. */
  held: number
  /** Held past their use (a campaign's delay or the quiet hours, a reminder's validity), never sent. */
  expired: number
  /** Members who opened their page from the message's button, once each. */
  opened: number
  /** Members who ordered within the attribution window after their message. */
  converted: number
  orders: number
  sales: number
  cost: number | null
  /** sales ÷ cost × 100, or null without a cost. */
  roi: number | null
  /** Messaged against held-out members; null when nobody was held out. */
  holdout: HoldoutComparison | null
}

/** Anything that reports marketing results for a period: campaigns, reminders. */
export interface MarketingResultSource {
  results(period: ReportPeriod): Promise<MarketingResult[]>
}

/**
 * What a tier cost in benefits beside what it brought in sales, over a period: orders placed at
 * the tier (the member's tier before the order) and their sales net of refunds, and the savings
 * its benefits gave, by kind, each less the share of its order that was refunded.
 */
export interface TierResult {
  /** null: orders recorded before orders kept their tier (migration 0029). */
  tierCode: string | null
  /** The tier's name in the current programme; null for a tier it no longer has. */
  name: LocalizedText | null
  orders: number
  sales: number
  cost: Record<AppliedBenefitKind, number> & { total: number }
  /** cost.total ÷ sales, in percent. */
  costShare: number | null
}
