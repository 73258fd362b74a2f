import { DateTime } from 'luxon'
import { type RawBuilder, sql } from 'kysely'
import type { Db } from '../../../db/client.ts'
import { SCALE } from '../interactions/surveys.service.ts'
import type { DomainDeps } from '../context.ts'
import { APPLIED_BENEFIT_KINDS } from '../programme/programme.ts'
import type { ProgrammeService } from '../programme/programme.service.ts'
import { REMINDER_GIFT_KEY_PREFIX } from '../reminders/deciding.ts'
import type { SegmentsService } from '../segments/segments.service.ts'
import {
  ABC_CLASSES,
  LIFECYCLES,
  REPEAT_ORDERS,
  VALUE_CLASSES,
  lifecycleCutoffs,
} from '../segments/segments.ts'
import { type Attention, attention } from './attention.ts'
import {
  type MarketingResult,
  type MarketingResultSource,
  type PeriodQuery,
  type ProgrammeReport,
  type ReportPeriod,
  type SegmentSizes,
  type SegmentSnapshotRow,
  type TierResult,
  type WeeklyRow,
  percent,
  resolvePeriod,
  weeksOf,
} from './reports.ts'

type Row = Record<string, unknown>

/** Aggregates come back as strings from PostgreSQL (numeric) and null over no rows. */
const num = (value: unknown): number => Number(value ?? 0)

async function one(db: Db, query: RawBuilder<Row>): Promise<Row> {
  return (await query.execute(db)).rows[0] ?? {}
}

/**
 * Programme health (docs/programme-rules.md, "Reports"): members, sales, activity, churn,
 * repeat purchases, points, satisfaction and segments over a period of the merchant's calendar,
 * the weekly series behind the chart, and marketing results side by side. Read-only: every
 * figure is computed from the records when asked, except the segment sizes of past days, which
 * come from the daily snapshots the classification writes.
 */
export class ReportsService {
  constructor(
    private readonly deps: DomainDeps,
    private readonly programmes: ProgrammeService,
    private readonly segments: SegmentsService,
    /** Campaigns, and any other source of marketing results (reminders), in display order. */
    private readonly marketingSources: MarketingResultSource[],
  ) {}

  /** What staff should act on now: pending points, rewards running out, prizes to hand over. */
  attention(): Promise<Attention> {
    return attention(this.deps.store.db)
  }

  /** The period a query asks for; throws `invalid_input` naming `from` or `to`. */
  async period(query: PeriodQuery = {}): Promise<ReportPeriod> {
    const { config } = await this.programmes.current()
    return resolvePeriod(query, config.timezone, this.deps.clock.now())
  }

  async programme(query: PeriodQuery = {}): Promise<ProgrammeReport> {
    const period = await this.period(query)
    const { config } = await this.programmes.current()
    const { db } = this.deps.store
    const { from, to } = period

    const members = await one(
      db,
      sql<Row>`
        select sum(case when joined_at < ${from} then 1 else 0 end) as before,
               sum(case when joined_at >= ${from} then 1 else 0 end) as joined
        from members
        where status = 'active' and joined_at < ${to}`,
    )
    const atStart = num(members.before)
    const joined = num(members.joined)

    const sales = await one(
      db,
      sql<Row>`
        select (select count(*) from orders
                where placed_at >= ${from} and placed_at < ${to}) as member_orders,
               (select sum(amount - refunded_amount) from orders
                where placed_at >= ${from} and placed_at < ${to}) as member_sales,
               (select count(*) from guest_sales
                where placed_at >= ${from} and placed_at < ${to}) as guest_orders,
               (select sum(amount - refunded_amount) from guest_sales
                where placed_at >= ${from} and placed_at < ${to}) as guest_sales`,
    )
    const memberSales = num(sales.memberSales)
    const guestSales = num(sales.guestSales)

    const activity = await this.activity(db, period)
    const churn = await this.churn(db, period, config.segments.churnedDays)

    const repeat = await one(
      db,
      sql<Row>`
        select count(*) as customers,
               sum(case when purchases >= ${REPEAT_ORDERS} then 1 else 0 end) as repeaters
        from (select member_id, count(*) as purchases from orders
              where amount > refunded_amount and placed_at >= ${from} and placed_at < ${to}
              group by member_id) bought`,
    )

    // Signed ledger amounts: redeem, refund, expire and negative adjustments are negative.
    const points = await one(
      db,
      sql<Row>`
        select sum(case when kind = 'earn' or (kind = 'adjust' and points > 0)
                        then points else 0 end) as issued,
               sum(case when kind in ('redeem', 'return') then -points else 0 end) as redeemed,
               sum(case when kind = 'expire' then -points else 0 end) as expired,
               sum(case when kind = 'refund' or (kind = 'adjust' and points < 0)
                        then -points else 0 end) as reversed
        from ledger_entries
        where created_at >= ${from} and created_at < ${to}`,
    )
    const outstanding = await one(
      db,
      sql<Row>`
        select sum(case when created_at < ${from} then points else 0 end) as at_start,
               sum(points) as at_end
        from ledger_entries
        where created_at < ${to}`,
    )

    const scores = (
      await sql<Row>`
        select score, count(*) as responses from survey_responses
        where created_at >= ${from} and created_at < ${to}
        group by score`.execute(db)
    ).rows
    const distribution = SCALE.map((score) => ({
      score,
      responses: num(scores.find((row) => num(row.score) === score)?.responses),
    }))
    const responses = distribution.reduce((sum, row) => sum + row.responses, 0)
    const scoreSum = distribution.reduce((sum, row) => sum + row.score * row.responses, 0)
    const satisfied = distribution.filter((row) => row.score >= 5)

    return {
      period,
      currency: config.currency,
      members: {
        atStart,
        atEnd: atStart + joined,
        new: joined,
        newMemberRate: percent(joined, atStart),
      },
      sales: {
        memberSales,
        guestSales,
        memberOrders: num(sales.memberOrders),
        guestOrders: num(sales.guestOrders),
        memberShare: percent(memberSales, memberSales + guestSales),
      },
      activity: { ...activity, activityRate: percent(activity.active, atStart + joined) },
      churn: { ...churn, churnRate: percent(churn.lost, churn.customersAtStart) },
      repeat: {
        customers: num(repeat.customers),
        repeatCustomers: num(repeat.repeaters),
        repeatRate: percent(num(repeat.repeaters), num(repeat.customers)),
      },
      points: {
        issued: num(points.issued),
        redeemed: num(points.redeemed),
        expired: num(points.expired),
        reversed: num(points.reversed),
        outstandingAtStart: num(outstanding.atStart),
        outstanding: num(outstanding.atEnd),
      },
      satisfaction: {
        responses,
        average: responses ? Math.round((scoreSum * 100) / responses) / 100 : null,
        satisfiedShare: percent(
          satisfied.reduce((sum, row) => sum + row.responses, 0),
          responses,
        ),
        distribution,
      },
      segments: await this.segmentSizes(db, period),
    }
  }

  /** Members and sales week by week (the merchant's Monday-to-Sunday weeks, cut to the period). */
  /**
   * The daily snapshots of the period's days, by day, dimension and class: how the segments
   * moved. Days without a recompute have no rows (nothing is guessed for them); the period's
   * bound of days keeps it to a few rows per day.
   */
  async segmentHistory(query: PeriodQuery = {}): Promise<SegmentSnapshotRow[]> {
    const period = await this.period(query)
    const rows = await this.deps.store.db
      .selectFrom('segmentSnapshots')
      .select(['day', 'dimension', 'class', 'members'])
      .where('day', '>=', period.fromDay)
      .where('day', '<', period.toDay)
      .orderBy('day')
      .orderBy('dimension')
      .orderBy('class')
      .execute()
    return rows.map((row) => ({
      ...row,
      dimension: row.dimension as SegmentSnapshotRow['dimension'],
      members: num(row.members),
    }))
  }

  async weekly(query: PeriodQuery = {}): Promise<WeeklyRow[]> {
    const period = await this.period(query)
    const { db } = this.deps.store
    const weeks = weeksOf(period)
    const bucket = (column: string) => {
      const starts = weeks.slice(1).map((week) => week.from)
      if (starts.length === 0) return sql`0`
      const cases = starts.map(
        (start, i) => sql`when ${sql.ref(column)} < ${start} then ${sql.lit(i)}`,
      )
      return sql`case ${sql.join(cases, sql` `)} else ${sql.lit(starts.length)} end`
    }
    const { from, to } = period
    const byWeek = async (query: RawBuilder<Row>) => {
      const rows = (await query.execute(db)).rows
      return (i: number, key: string) => num(rows.find((row) => num(row.week) === i)?.[key])
    }
    const joined = await byWeek(sql<Row>`
      select ${bucket('joined_at')} as week, count(*) as joined from members
      where status = 'active' and joined_at >= ${from} and joined_at < ${to}
      group by 1`)
    const orders = await byWeek(sql<Row>`
      select ${bucket('placed_at')} as week, count(*) as orders,
             sum(amount - refunded_amount) as sales
      from orders where placed_at >= ${from} and placed_at < ${to}
      group by 1`)
    const guests = await byWeek(sql<Row>`
      select ${bucket('placed_at')} as week, sum(amount - refunded_amount) as sales
      from guest_sales where placed_at >= ${from} and placed_at < ${to}
      group by 1`)
    const before = await one(
      db,
      sql<Row>`select count(*) as members from members
               where status = 'active' and joined_at < ${from}`,
    )
    let members = num(before.members)
    return weeks.map((week, i) => {
      members += joined(i, 'joined')
      return {
        ...week,
        newMembers: joined(i, 'joined'),
        members,
        memberOrders: orders(i, 'orders'),
        memberSales: orders(i, 'sales'),
        guestSales: guests(i, 'sales'),
      }
    })
  }

  /** The last `count` weeks of the merchant's calendar, this one included (cut at today's end). */
  async recentWeeks(count: number): Promise<WeeklyRow[]> {
    const { config } = await this.programmes.current()
    const today = DateTime.fromJSDate(this.deps.clock.now(), { zone: config.timezone })
    const from = today.startOf('week').minus({ weeks: count - 1 })
    return this.weekly({ from: from.toISODate()! })
  }

  /**
   * Each tier's sales and the cost of its benefits in the period (see `TierResult`): the tiers
   * of the current programme in order, then tiers orders were placed at that it no longer has,
   * then orders from before orders kept their tier.
   */
  async tiers(query: PeriodQuery = {}): Promise<{ currency: string; items: TierResult[] }> {
    const { from, to } = await this.period(query)
    const { config } = await this.programmes.current()
    const { db } = this.deps.store
    const sales = (
      await sql<Row>`
        select tier_code, count(*) as orders, sum(amount - refunded_amount) as sales
        from orders where placed_at >= ${from} and placed_at < ${to}
        group by tier_code`.execute(db)
    ).rows
    // Integer division on both databases: each saving less the refunded share of its order,
    // rounded down as refunds reverse points.
    const costs = (
      await sql<Row>`
        select b.tier_code, b.kind,
               sum(case when o.amount = 0 then b.amount
                        else b.amount * (o.amount - o.refunded_amount) / o.amount end) as cost
        from order_benefits b join orders o on o.id = b.order_id
        where b.placed_at >= ${from} and b.placed_at < ${to}
        group by b.tier_code, b.kind`.execute(db)
    ).rows
    const codes: (string | null)[] = config.tiers.map((tier) => tier.code)
    for (const row of [...sales, ...costs]) {
      const code = (row.tierCode as string | null) ?? null
      if (!codes.includes(code)) codes.push(code)
    }
    const items = codes.map((code): TierResult => {
      const sold = sales.find((row) => (row.tierCode ?? null) === code)
      const cost = Object.fromEntries(
        APPLIED_BENEFIT_KINDS.map((kind) => [
          kind,
          num(costs.find((row) => row.tierCode === code && row.kind === kind)?.cost),
        ]),
      ) as Record<(typeof APPLIED_BENEFIT_KINDS)[number], number>
      const total = APPLIED_BENEFIT_KINDS.reduce((sum, kind) => sum + cost[kind], 0)
      const tierSales = num(sold?.sales)
      return {
        tierCode: code,
        name: config.tiers.find((tier) => tier.code === code)?.name ?? null,
        orders: num(sold?.orders),
        sales: tierSales,
        cost: { ...cost, total },
        costShare: percent(total, tierSales),
      }
    })
    return { currency: config.currency, items }
  }

  /** Campaigns (and reminders, when a source for them is given) of the period, side by side. */
  async marketing(query: PeriodQuery = {}): Promise<MarketingResult[]> {
    const period = await this.period(query)
    const results: MarketingResult[] = []
    for (const source of this.marketingSources) results.push(...(await source.results(period)))
    return results
  }

  /**
   * Active members: those who placed an order, or interacted with the programme (a check-in,
   * quiz or survey reward, even one the daily cap made worth 0 points; a quiz started; a
   * lottery draw; a reward redeemed; a campaign's page opened) in the period.
   */
  private async activity(db: Db, { from, to }: ReportPeriod) {
    const row = await one(
      db,
      sql<Row>`
        with ordered as (
          select distinct member_id from orders where placed_at >= ${from} and placed_at < ${to}
        ),
        interacted as (
          select member_id from ledger_entries
          where source_type = 'interaction' and created_at >= ${from} and created_at < ${to}
          union select member_id from quiz_attempts
          where started_at >= ${from} and started_at < ${to}
          union select member_id from lottery_draws
          where created_at >= ${from} and created_at < ${to}
          union select member_id from redemptions
          where created_at >= ${from} and created_at < ${to}
            and idempotency_key not like ${`${REMINDER_GIFT_KEY_PREFIX}%`}
          union select member_id from campaign_opens
          where opened_at >= ${from} and opened_at < ${to}
          union select member_id from reminder_opens
          where opened_at >= ${from} and opened_at < ${to}
        )
        select sum(case when o.member_id is not null or i.member_id is not null
                        then 1 else 0 end) as active,
               sum(case when o.member_id is not null then 1 else 0 end) as ordered,
               sum(case when i.member_id is not null then 1 else 0 end) as interacted
        from members m
        left join ordered o on o.member_id = m.id
        left join interacted i on i.member_id = m.id
        where m.status = 'active' and m.joined_at < ${to}`,
    )
    return { active: num(row.active), ordered: num(row.ordered), interacted: num(row.interacted) }
  }

  /**
   * Churn as the classification sees it (a customer is churned `churnedDays` local days after
   * their last purchase): of the customers not churned on the day before the period, those
   * churned on its last day.
   */
  private async churn(db: Db, period: ReportPeriod, churnedDays: number) {
    const rules = { newMemberDays: 1, atRiskDays: churnedDays, churnedDays, loyalOrders: 1 }
    const before = (at: string) =>
      lifecycleCutoffs(rules, new Date(new Date(at).getTime() - 1), period.timezone).churnedBefore
    const startCut = before(period.from)
    const endCut = before(period.asOf)
    const row = await one(
      db,
      sql<Row>`
        with earlier as (
          select member_id, max(placed_at) as last_at from orders
          where amount > refunded_amount and placed_at < ${period.from}
          group by member_id
        ),
        kept as (
          select e.member_id from earlier e join members m on m.id = e.member_id
          where m.status = 'active' and e.last_at >= ${startCut}
        )
        select count(*) as kept,
               sum(case when not exists (
                 select 1 from orders o
                 where o.member_id = kept.member_id and o.amount > o.refunded_amount
                   and o.placed_at >= ${endCut} and o.placed_at < ${period.asOf}
               ) then 1 else 0 end) as lost
        from kept`,
    )
    return { customersAtStart: num(row.kept), lost: num(row.lost) }
  }

  /**
   * Sizes by lifecycle stage, value class and ABC class at the end of the period (the current
   * classification when the period reaches now, else the last daily snapshot within it) and at
   * its start (the last snapshot before its first day); null where no snapshot exists.
   */
  private async segmentSizes(db: Db, period: ReportPeriod): Promise<ProgrammeReport['segments']> {
    const computedAt = await this.segments.computedAt()
    const reachesNow = period.asOf !== period.to
    const current = (
      await sql<Row>`
        select 'lifecycle' as dimension, lifecycle as class, count(*) as members
        from member_segments group by lifecycle
        union all
        select 'value', value_class, count(*) from member_segments
        where value_class is not null group by value_class
        union all
        select 'abc', abc, count(*) from member_segments where abc is not null group by abc`.execute(
        db,
      )
    ).rows
    const snapshotBefore = async (day: string) => {
      const latest = await db
        .selectFrom('segmentSnapshots')
        .select('day')
        .where('day', '<', day)
        .orderBy('day', 'desc')
        .limit(1)
        .executeTakeFirst()
      if (!latest) return null
      const rows = await db
        .selectFrom('segmentSnapshots')
        .select(['dimension', 'class', 'members'])
        .where('day', '=', latest.day)
        .execute()
      return { day: latest.day, rows: rows as Row[] }
    }
    const start = await snapshotBefore(period.fromDay)
    const end = reachesNow
      ? computedAt
        ? { day: null, rows: current }
        : null
      : await snapshotBefore(period.toDay)
    const size = (set: { rows: Row[] } | null, dimension: string, cls: string) =>
      set ? num(set.rows.find((r) => r.dimension === dimension && r.class === cls)?.members) : null
    const sizes = <C extends string>(dimension: string, classes: readonly C[]) =>
      classes.map((cls): SegmentSizes<C> => {
        const atStart = size(start, dimension, cls)
        const atEnd = size(end, dimension, cls)
        return {
          class: cls,
          atStart,
          atEnd,
          change: atStart === null || atEnd === null ? null : atEnd - atStart,
        }
      })
    const saved = await this.segments.sizes()
    return {
      computedAt,
      startSnapshotDay: start?.day ?? null,
      endSnapshotDay: end?.day ?? null,
      lifecycle: sizes('lifecycle', LIFECYCLES),
      value: sizes('value', VALUE_CLASSES),
      abc: sizes('abc', ABC_CLASSES),
      saved: saved.map((segment) => ({ id: segment.id, name: segment.name, size: segment.size })),
    }
  }
}
