import type { DomainDeps } from '../context.ts'
import { type Touch, attributeOrders, messageTouch } from '../outbox/attribution.ts'
import { type HoldoutComparison, compareGroups } from '../outbox/holdout.ts'
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
  points_changed: '积分变动 Points changed',
}

export interface ReminderKindStats {
  kind: ReminderKind
  /** Planned and not yet decided. */
  scheduled: number
  /** Handed to the outbox and not yet sent (held ones too). */
  queued: number
  /** Of the queued, waiting because their channel is down. */
  held: number
  sent: number
  /** Sent reminders whose member-page button the member opened. */
  opened: number
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
  /** Reminded against held-out members, or null for a kind without a standing holdout. */
  holdout: HoldoutComparison | null
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
      .filter(
        (kind) => kind.sent > 0 || kind.skipped.uncertain || kind.held || kind.skipped.expired,
      )
      .map((kind) => ({
        source: 'reminder' as const,
        id: kind.kind,
        name: KIND_NAMES[kind.kind],
        sent: kind.sent,
        uncertain: kind.skipped.uncertain ?? 0,
        held: kind.held,
        expired: kind.skipped.expired ?? 0,
        opened: kind.opened,
        converted: kind.converted,
        orders: kind.orders,
        sales: kind.sales,
        cost: null,
        roi: null,
        holdout: kind.holdout,
      }))
  }

  /**
   * Results per kind for reminders created in [from, to): what became of them and what they
   * brought. A sent reminder converts when an order within `conversionDays` of it is credited
   * to it (`creditOrders`); a held-out one stands in with the moment it was decided.
   */
  async stats(range: { from?: string; to?: string } = {}): Promise<ReminderKindStats[]> {
    const { config: programme } = await this.programmes.current()
    const windowMs = programme.reminders.conversionDays * DAY_MS
    let query = this.deps.store.db
      .selectFrom('reminders')
      .leftJoin('outbox', 'outbox.reminderId', 'reminders.id')
      .leftJoin('reminderOpens', 'reminderOpens.reminderId', 'reminders.id')
      .select([
        'reminders.id',
        'reminders.memberId',
        'reminders.kind',
        'reminders.status',
        'reminders.reason',
        'reminders.decidedAt',
        'outbox.id as outboxId',
        'outbox.status as delivery',
        'outbox.sentAt',
        'reminderOpens.openedAt',
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
          held: 0,
          sent: 0,
          opened: 0,
          skipped: {},
          cancelled: 0,
          converted: 0,
          conversionRate: null,
          orders: 0,
          sales: 0,
          holdout: null,
        },
      ]),
    )
    const sent: { kind: ReminderKind; touch: Touch }[] = []
    const held: { kind: ReminderKind; touch: Touch }[] = []
    for (const row of rows) {
      const entry = stats.get(row.kind as ReminderKind)
      if (!entry) continue
      if (row.status === 'scheduled') entry.scheduled++
      else if (row.status === 'cancelled') entry.cancelled++
      else if (row.status === 'skipped') {
        entry.skipped[row.reason ?? 'other'] = (entry.skipped[row.reason ?? 'other'] ?? 0) + 1
        if (row.reason === 'holdout' && row.decidedAt)
          held.push({
            kind: entry.kind,
            touch: {
              key: `h:${row.id}`,
              memberId: row.memberId,
              at: new Date(row.decidedAt).getTime(),
              openedAt: null,
              windowMs,
              rank: 0,
            },
          })
      } else if (row.delivery === 'sent') {
        entry.sent++
        if (row.openedAt) entry.opened++
        sent.push({
          kind: entry.kind,
          touch: messageTouch({ id: row.outboxId!, memberId: row.memberId, sentAt: row.sentAt! }),
        })
      } else if (row.delivery && ['pending', 'held', 'claimed', 'sending'].includes(row.delivery)) {
        entry.queued++
        if (row.delivery === 'held') entry.held++
      } else if (row.delivery) entry.skipped[row.delivery] = (entry.skipped[row.delivery] ?? 0) + 1
    }
    const touches = [...sent, ...held]
    const attributed = await attributeOrders(
      this.deps.store.db,
      touches.map((t) => t.touch),
      windowMs,
    )
    const heldOut = new Map<ReminderKind, { members: number; converted: number; sales: number }>()
    touches.forEach((touch, i) => {
      const { orders, sales } = attributed[i]!
      if (i >= sent.length) {
        const group = heldOut.get(touch.kind) ?? { members: 0, converted: 0, sales: 0 }
        group.members++
        if (orders > 0) group.converted++
        group.sales += sales
        heldOut.set(touch.kind, group)
        return
      }
      const entry = stats.get(touch.kind)!
      if (orders > 0) entry.converted++
      entry.orders += orders
      entry.sales += sales
    })
    for (const entry of stats.values()) {
      entry.conversionRate = entry.sent
        ? Math.round((entry.converted / entry.sent) * 10_000) / 10_000
        : null
      const group = heldOut.get(entry.kind)
      if ((programme.reminders.holdoutPercent[entry.kind] ?? 0) > 0 || group)
        entry.holdout = compareGroups(
          { members: entry.sent, converted: entry.converted, sales: entry.sales },
          group ?? { members: 0, converted: 0, sales: 0 },
        )
    }
    return [...stats.values()]
  }
}
