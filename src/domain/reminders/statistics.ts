import type { DomainDeps } from '../context.ts'
import { attributeOrders } from '../outbox/attribution.ts'
import type { ProgrammeService } from '../programme/programme.service.ts'
import type { MarketingResult } from '../reports/reports.ts'
import { DAY_MS } from './planning.ts'
import { REMINDER_KINDS, type ReminderKind } from './reminder-rules.ts'

const KIND_NAMES: Record<ReminderKind, string> = {
  usage_cycle: '复购提醒 Usage cycle',
  win_back: '唤醒 Win-back',
  points_expiring: '积分到期 Points expiring',
  tier_upgrade: '升级祝贺 Tier upgrade',
  tier_downgrade: '保级提醒 Tier at risk',
  order_shipped: '发货通知 Order shipped',
  order_delivered: '签收通知 Order delivered',
  order_survey: '满意度调查 Order survey',
}

export interface ReminderKindStats {
  kind: ReminderKind
  /** Planned and not yet decided. */
  scheduled: number
  /** Handed to the outbox and not yet sent. */
  queued: number
  sent: number
  /** Not sent, by reason: opted_out, frequency_cap, unreachable, stale, blocked ... */
  skipped: Record<string, number>
  /** No longer true when due: bought again, points redeemed, tier kept ... */
  cancelled: number
  /** Sent reminders followed by an order within the conversion window. */
  converted: number
  conversionRate: number | null
  orders: number
  /** Net sales in minor units of those orders. */
  sales: number
}

/** What became of the reminders and what they brought, per kind. */
export class ReminderStatistics {
  constructor(
    private readonly deps: DomainDeps,
    private readonly programmes: ProgrammeService,
  ) {}

  /** Sent reminders per kind for the reports, beside the campaigns (reminders cost nothing). */
  async results(period: { from: string; to: string }): Promise<MarketingResult[]> {
    const stats = await this.stats(period)
    return stats
      .filter((kind) => kind.sent > 0 || kind.skipped.uncertain)
      .map((kind) => ({
        source: 'reminder' as const,
        id: kind.kind,
        name: KIND_NAMES[kind.kind],
        sent: kind.sent,
        uncertain: kind.skipped.uncertain ?? 0,
        converted: kind.converted,
        orders: kind.orders,
        sales: kind.sales,
        cost: null,
        roi: null,
      }))
  }

  /**
   * Results per kind for reminders created in [from, to): what became of them and what they
   * brought. A sent reminder converts when the member orders within `conversionDays` of it.
   */
  async stats(range: { from?: string; to?: string } = {}): Promise<ReminderKindStats[]> {
    const { config: programme } = await this.programmes.current()
    const windowMs = programme.reminders.conversionDays * DAY_MS
    let query = this.deps.store.db
      .selectFrom('reminders')
      .leftJoin('outbox', 'outbox.reminderId', 'reminders.id')
      .select([
        'reminders.id',
        'reminders.memberId',
        'reminders.kind',
        'reminders.status',
        'reminders.reason',
        'outbox.status as delivery',
        'outbox.sentAt',
      ])
    if (range.from) query = query.where('reminders.createdAt', '>=', range.from)
    if (range.to) query = query.where('reminders.createdAt', '<', range.to)
    const rows = await query.execute()
    const stats = new Map<ReminderKind, ReminderKindStats>(
      REMINDER_KINDS.map((kind) => [
        kind,
        {
          kind,
          scheduled: 0,
          queued: 0,
          sent: 0,
          skipped: {},
          cancelled: 0,
          converted: 0,
          conversionRate: null,
          orders: 0,
          sales: 0,
        },
      ]),
    )
    const sent: { kind: ReminderKind; memberId: string; sentAt: string }[] = []
    for (const row of rows) {
      const entry = stats.get(row.kind as ReminderKind)
      if (!entry) continue
      if (row.status === 'scheduled') entry.scheduled++
      else if (row.status === 'cancelled') entry.cancelled++
      else if (row.status === 'skipped')
        entry.skipped[row.reason ?? 'other'] = (entry.skipped[row.reason ?? 'other'] ?? 0) + 1
      else if (row.delivery === 'sent') {
        entry.sent++
        sent.push({ kind: row.kind as ReminderKind, memberId: row.memberId, sentAt: row.sentAt! })
      } else if (row.delivery && ['pending', 'claimed', 'sending'].includes(row.delivery))
        entry.queued++
      else if (row.delivery) entry.skipped[row.delivery] = (entry.skipped[row.delivery] ?? 0) + 1
    }
    const attributed = await attributeOrders(this.deps.store.db, sent, windowMs)
    sent.forEach((message, i) => {
      const entry = stats.get(message.kind)!
      const { orders, sales } = attributed[i]!
      if (orders > 0) entry.converted++
      entry.orders += orders
      entry.sales += sales
    })
    for (const entry of stats.values())
      entry.conversionRate = entry.sent
        ? Math.round((entry.converted / entry.sent) * 10_000) / 10_000
        : null
    return [...stats.values()]
  }
}
