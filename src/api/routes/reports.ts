import { createRoute, z } from '@hono/zod-openapi'
import { stringify } from 'csv-stringify/sync'
import type { Context } from 'hono'
import type { Domain } from '../../domain/index.ts'
import type { ReportPeriod } from '../../domain/reports/reports.ts'
import { newRouter } from '../router.ts'
import {
  HoldoutComparisonSchema,
  PeriodQuery,
  PeriodSchema,
  errorResponses,
  localized,
} from '../schemas.ts'
import {
  ATTENTION_ITEMS,
  LOW_STOCK_PERCENT,
  LOW_STOCK_UNITS,
} from '../../domain/reports/attention.ts'

const int = () => z.number().int()
const rate = (description: string) => z.number().nullable().openapi({ description })

const Query = PeriodQuery.extend({
  format: z.enum(['json', 'csv']).optional().openapi({
    description: 'csv answers text/csv (also with Accept: text/csv)',
  }),
})

const Sizes = z.object({
  class: z.string(),
  atStart: int().nullable(),
  atEnd: int().nullable(),
  change: int().nullable(),
})
const ProgrammeReportSchema = z
  .object({
    period: PeriodSchema,
    currency: z.string(),
    members: z.object({
      atStart: int(),
      atEnd: int(),
      new: int(),
      newMemberRate: rate('会员新增率: new ÷ atStart, %'),
    }),
    sales: z.object({
      memberSales: int(),
      guestSales: int(),
      memberOrders: int(),
      guestOrders: int(),
      memberShare: rate('会员消费占比: member sales ÷ all sales, %'),
    }),
    activity: z.object({
      active: int(),
      ordered: int(),
      interacted: int(),
      activityRate: rate('会员活跃度: active ÷ members at the end, %'),
    }),
    churn: z.object({
      customersAtStart: int(),
      lost: int(),
      churnRate: rate('会员流失率: lost ÷ customersAtStart, %'),
    }),
    repeat: z.object({
      customers: int(),
      repeatCustomers: int(),
      repeatRate: rate('复购率: repeatCustomers ÷ customers, %'),
    }),
    points: z.object({
      issued: int(),
      redeemed: int(),
      expired: int(),
      reversed: int(),
      outstandingAtStart: int(),
      outstanding: int().openapi({ description: 'The liability: every balance added up' }),
    }),
    satisfaction: z.object({
      responses: int(),
      average: z.number().nullable(),
      satisfiedShare: rate('Answers 5–7 of the 7-level scale, %'),
      distribution: z.array(z.object({ score: int(), responses: int() })),
    }),
    segments: z.object({
      computedAt: z.string().nullable(),
      startSnapshotDay: z.string().nullable(),
      endSnapshotDay: z.string().nullable(),
      lifecycle: z.array(Sizes),
      value: z.array(Sizes),
      abc: z.array(Sizes),
      saved: z.array(z.object({ id: z.string(), name: z.string(), size: int() })),
    }),
  })
  .openapi('ProgrammeReport')
const WeeklySchema = z
  .object({
    period: PeriodSchema,
    items: z.array(
      z.object({
        week: z.string().openapi({ description: 'The Monday that starts the week' }),
        from: z.string(),
        to: z.string(),
        newMembers: int(),
        members: int(),
        memberOrders: int(),
        memberSales: int(),
        guestSales: int(),
      }),
    ),
  })
  .openapi('WeeklyReport')
const MarketingSchema = z
  .object({
    period: PeriodSchema,
    items: z.array(
      z.object({
        source: z.enum(['campaign', 'reminder']),
        id: z.string().openapi({ description: 'The campaign’s id or the reminder’s kind' }),
        name: z.string(),
        sent: int(),
        uncertain: int().openapi({
          description: 'Maybe delivered: the sender stopped before the platform answered',
        }),
        held: int().openapi({ description: 'Waiting now because their channel is down' }),
        expired: int().openapi({
          description:
            'Held past their use (the campaign’s delay or the quiet hours, the reminder’s validity), never sent',
        }),
        opened: int().openapi({
          description: 'Members who opened their page from the message’s button, once each',
        }),
        converted: int(),
        orders: int(),
        sales: int(),
        cost: int().nullable(),
        roi: rate('Attributed sales ÷ cost × 100'),
        // No description of its own, as in the campaigns' and reminders' routes: with one, the
        // document wraps the $ref in an allOf, which the page's generated types read as
        // `& unknown`. The route's description says what it is and when it is null.
        holdout: HoldoutComparisonSchema.nullable(),
      }),
    ),
  })
  .openapi('MarketingReport')

const TiersSchema = z
  .object({
    period: PeriodSchema,
    currency: z.string(),
    items: z.array(
      z.object({
        tierCode: z.string().nullable().openapi({
          description:
            'The tier the orders were placed at; null: orders recorded before orders kept their tier',
        }),
        name: localized.nullable().openapi({
          description: 'The tier’s name; null for a tier the programme no longer has',
        }),
        orders: int(),
        sales: int().openapi({ description: 'Net of refunds' }),
        cost: z
          .object({
            discount: int(),
            member_price: int(),
            free_shipping: int(),
            total: int(),
          })
          .openapi({
            description:
              'What the benefits the tills applied saved members, by kind, each less the refunded share of its order',
          }),
        costShare: rate('cost.total ÷ sales, %'),
      }),
    ),
  })
  .openapi('TiersReport')

const SegmentHistorySchema = z
  .object({
    period: PeriodSchema,
    items: z.array(
      z.object({
        day: z.string().openapi({ description: 'The merchant’s local day of the snapshot' }),
        dimension: z.enum(['lifecycle', 'value', 'abc']),
        class: z.string(),
        members: int(),
      }),
    ),
  })
  .openapi('SegmentHistory')

const AttentionSchema = z
  .object({
    pendingPoints: z.object({
      count: int(),
      points: int(),
      oldestAt: z.string().nullable(),
    }),
    lowStock: z.array(z.object({ id: z.string(), name: localized, stock: int(), issued: int() })),
    prizesToFulfil: z.object({
      count: int(),
      items: z.array(
        z.object({
          drawId: z.string(),
          lotteryId: z.string(),
          prize: localized,
          memberId: z.string(),
          memberName: z.string(),
          memberCode: z.string(),
          wonAt: z.string(),
        }),
      ),
    }),
  })
  .openapi('Attention')

const tags = ['reports']
const report = (path: string, summary: string, schema: z.ZodType, description: string) =>
  createRoute({
    method: 'get',
    path,
    tags,
    summary,
    description,
    request: { query: Query },
    responses: {
      200: {
        description:
          'The report; amounts in minor units, rates in percent (null: nothing to divide by)',
        content: {
          'application/json': { schema },
          'text/csv': { schema: z.string() },
        },
      },
      ...errorResponses(400, 401, 403),
    },
  })

const routes = {
  programme: report(
    '/reports/programme',
    'Programme health over a period',
    ProgrammeReportSchema,
    'Members and the new-member rate, member share of sales, active members, churn and repeat-purchase rates, points issued / redeemed / expired / outstanding, satisfaction, and segment sizes at the start and end. CSV: one `metric,value` row per figure.',
  ),
  weekly: report(
    '/reports/weekly',
    'Members and sales week by week',
    WeeklySchema,
    'The merchant’s Monday-to-Sunday weeks the period touches, each cut to the period.',
  ),
  tiers: report(
    '/reports/tiers',
    'What each tier costs in benefits beside what it brings in sales',
    TiersSchema,
    'Orders placed at each tier (the member’s tier before the order) in the period: their count and sales net of refunds, and what the benefits applied at the till (POST /orders `benefits`) saved members, by kind (discount, member_price, free_shipping), each less the refunded share of its order. CSV: one row per tier.',
  ),
  segments: report(
    '/reports/segments',
    'Segment sizes day by day',
    SegmentHistorySchema,
    'The size of each lifecycle stage, value class and ABC class in the snapshot of each day of the period, as the last recompute of the day left them; a day without a recompute has no rows. CSV: one `day,dimension,class,members` row per size.',
  ),
  attention: createRoute({
    method: 'get',
    path: '/attention',
    tags,
    summary: 'What needs attention now: points to review, rewards running out, prizes to fulfil',
    description: `Pending points held by the issuing caps (count, points, the oldest); active rewards with at most max(${LOW_STOCK_UNITS}, ${LOW_STOCK_PERCENT}% of left + given out) units left; won reward prizes not yet fulfilled, the oldest ${ATTENTION_ITEMS} first.`,
    responses: {
      200: {
        description: 'The lists',
        content: { 'application/json': { schema: AttentionSchema } },
      },
      ...errorResponses(401),
    },
  }),
  campaigns: report(
    '/reports/campaigns',
    'Campaign and reminder results side by side',
    MarketingSchema,
    'Campaigns started in the period, and reminders by kind, with sent, opened, converted (members with an order credited within the attribution window), attributed orders and sales, cost and ROI, and the comparison with the held-out members where some were held out. CSV: the comparison as columns (`heldOut`, conversions, `uplift`, its interval, `incrementalSales`, `verdict`), empty without a holdout.',
  ),
}

type Query = z.infer<typeof Query>

function wantsCsv(c: Context, query: Query): boolean {
  if (query.format) return query.format === 'csv'
  return /\btext\/csv\b/.test(c.req.header('Accept') ?? '')
}

/** A CSV download; the BOM makes Excel read the UTF-8 (Chinese names) as UTF-8. */
function csv(c: Context, name: string, period: ReportPeriod, rows: unknown[][]) {
  const body = stringify(rows, { bom: true })
  const file = `${name}-${period.fromDay}-${period.toDay}.csv`
  return c.body(body, 200, {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${file}"`,
  })
}

/** Every leaf of a report as a `metric,value` pair: `members.atStart`, `segments.lifecycle.new.atEnd`. */
function flatten(value: unknown, prefix: string, out: unknown[][]): unknown[][] {
  if (Array.isArray(value)) {
    for (const item of value) {
      const record = item as Record<string, unknown>
      const key = record.class ?? record.score ?? record.id
      const { class: _c, score: _s, id: _i, ...rest } = record
      flatten(rest, `${prefix}.${String(key)}`, out)
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value))
      flatten(inner, prefix ? `${prefix}.${key}` : key, out)
  } else {
    out.push([prefix, value])
  }
  return out
}

export function reportRoutes(domain: Domain) {
  const { reports } = domain
  return newRouter()
    .openapi(routes.programme, async (c) => {
      const query = c.req.valid('query')
      const report = await reports.programme(query)
      if (wantsCsv(c, query))
        return csv(c, 'programme', report.period, flatten(report, '', [['metric', 'value']]))
      return c.json(report, 200)
    })
    .openapi(routes.weekly, async (c) => {
      const query = c.req.valid('query')
      const period = await reports.period(query)
      const items = await reports.weekly(query)
      if (wantsCsv(c, query)) {
        const columns = [
          'week',
          'from',
          'to',
          'newMembers',
          'members',
          'memberOrders',
          'memberSales',
          'guestSales',
        ] as const
        return csv(c, 'weekly', period, [
          [...columns],
          ...items.map((row) => columns.map((column) => row[column])),
        ])
      }
      return c.json({ period, items }, 200)
    })
    .openapi(routes.tiers, async (c) => {
      const query = c.req.valid('query')
      const period = await reports.period(query)
      const { currency, items } = await reports.tiers(query)
      if (wantsCsv(c, query)) {
        return csv(c, 'tiers', period, [
          [
            'tierCode',
            'nameZh',
            'nameEn',
            'orders',
            'sales',
            'discount',
            'member_price',
            'free_shipping',
            'cost',
            'costShare',
          ],
          ...items.map((row) => [
            row.tierCode,
            row.name?.['zh-CN'] ?? null,
            row.name?.en ?? null,
            row.orders,
            row.sales,
            row.cost.discount,
            row.cost.member_price,
            row.cost.free_shipping,
            row.cost.total,
            row.costShare,
          ]),
        ])
      }
      return c.json({ period, currency, items }, 200)
    })
    .openapi(routes.segments, async (c) => {
      const query = c.req.valid('query')
      const period = await reports.period(query)
      const items = await reports.segmentHistory(query)
      if (wantsCsv(c, query)) {
        const columns = ['day', 'dimension', 'class', 'members'] as const
        return csv(c, 'segments', period, [
          [...columns],
          ...items.map((row) => columns.map((column) => row[column])),
        ])
      }
      return c.json({ period, items }, 200)
    })
    .openapi(routes.attention, async (c) => c.json(await reports.attention(), 200))
    .openapi(routes.campaigns, async (c) => {
      const query = c.req.valid('query')
      const period = await reports.period(query)
      const items = await reports.marketing(query)
      if (wantsCsv(c, query)) {
        const columns = [
          'source',
          'id',
          'name',
          'sent',
          'uncertain',
          'held',
          'expired',
          'opened',
          'converted',
          'orders',
          'sales',
          'cost',
          'roi',
        ] as const
        const holdoutColumns = [
          'heldOut',
          'messagedConversion',
          'heldOutConversion',
          'uplift',
          'upliftLow',
          'upliftHigh',
          'incrementalSales',
          'verdict',
        ]
        return csv(c, 'campaigns', period, [
          [...columns, ...holdoutColumns],
          ...items.map((row) => {
            const h = row.holdout
            return [
              ...columns.map((column) => row[column]),
              ...(h
                ? [
                    h.heldOut.members,
                    h.messaged.conversion,
                    h.heldOut.conversion,
                    h.uplift,
                    h.interval?.low ?? null,
                    h.interval?.high ?? null,
                    h.incrementalSales,
                    h.verdict,
                  ]
                : holdoutColumns.map(() => null)),
            ]
          }),
        ])
      }
      return c.json({ period, items }, 200)
    })
}
