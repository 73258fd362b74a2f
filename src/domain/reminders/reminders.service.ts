import type { Db } from '../../../db/client.ts'
import type { DomainDeps } from '../context.ts'
import type { OrderFollowUps, PlacedOrder, RefundedOrder } from '../orders/follow-ups.ts'
import type { OutboxService } from '../outbox/outbox.service.ts'
import type { Programme } from '../programme/programme.ts'
import type { ProgrammeService, ProgrammeVersion } from '../programme/programme.service.ts'
import type { MarketingResult } from '../reports/reports.ts'
import { ReminderDecider } from './deciding.ts'
import { type OrderEventInput, type OrderEventView, OrderTouchpoints } from './order-touchpoints.ts'
import { ReminderPlanner } from './planning.ts'
import { type ProductInput, type ProductView, ReminderProducts } from './products.ts'
import {
  COMMON_PLACEHOLDERS,
  PLACEHOLDERS,
  REMINDER_KINDS,
  type ReminderKind,
  type ReminderSettings,
  purposeOf,
} from './reminder-rules.ts'
import { type ReminderKindStats, ReminderStatistics } from './statistics.ts'
import { type TemplatePreview, previewTemplate, templateOf } from './template-values.ts'

export interface ReminderView {
  id: number
  memberId: string
  kind: ReminderKind
  status: 'scheduled' | 'queued' | 'cancelled' | 'skipped'
  reason: string | null
  dueAt: string
  expiresAt: string | null
  createdAt: string
  decidedAt: string | null
  subject: Record<string, unknown>
  /** The outbox row's status once queued: pending, sent, blocked, uncertain ... */
  delivery: string | null
  sentAt: string | null
}

export interface ReminderTemplateView {
  kind: ReminderKind
  purpose: 'marketing' | 'service'
  text: { 'zh-CN': string; en: string }
  edited: boolean
  placeholders: string[]
}

function templateView(programme: Programme, kind: ReminderKind): ReminderTemplateView {
  return {
    kind,
    purpose: purposeOf(kind),
    text: templateOf(programme.reminders, kind),
    edited: Boolean(programme.reminders.templates[kind]),
    placeholders: [...COMMON_PLACEHOLDERS, ...PLACEHOLDERS[kind]],
  }
}

/**
 * Re-purchase reminders and lifecycle touchpoints, one entry point over their parts: products.ts
 * (what a supply lasts), order-touchpoints.ts (what an order's life plans), planning.ts (what
 * the calendar makes due), deciding.ts (send, skip or cancel when due) and statistics.ts (what
 * they brought). Orders reach it only through their `OrderFollowUps` port.
 */
export class RemindersService implements OrderFollowUps {
  private readonly products: ReminderProducts
  private readonly planner: ReminderPlanner
  private readonly touchpoints: OrderTouchpoints
  private readonly decider: ReminderDecider
  private readonly statistics: ReminderStatistics

  constructor(
    private readonly deps: DomainDeps,
    private readonly programmes: ProgrammeService,
    outbox: OutboxService,
  ) {
    this.products = new ReminderProducts(deps)
    this.planner = new ReminderPlanner(deps, programmes)
    this.touchpoints = new OrderTouchpoints(deps, programmes, this.planner)
    this.decider = new ReminderDecider(deps, programmes, outbox)
    this.statistics = new ReminderStatistics(deps, programmes)
  }

  upsertProduct(sku: string, raw: ProductInput): Promise<ProductView> {
    return this.products.upsertProduct(sku, raw)
  }

  product(sku: string): Promise<ProductView> {
    return this.products.product(sku)
  }

  listProducts(): Promise<ProductView[]> {
    return this.products.listProducts()
  }

  recordOrderEvent(orderId: string, raw: OrderEventInput): Promise<OrderEventView> {
    return this.touchpoints.recordOrderEvent(orderId, raw)
  }

  afterOrder(trx: Db, programme: Programme, order: PlacedOrder): Promise<void> {
    return this.touchpoints.afterOrder(trx, programme, order)
  }

  afterRefund(trx: Db, refund: RefundedOrder): Promise<void> {
    return this.touchpoints.afterRefund(trx, refund)
  }

  /**
   * Plans what the calendar made due (win-back, points expiring, tier news) and decides every
   * reminder due by now. Works from "due by now", so a run after downtime catches up; safe to
   * run in several processes at once (unique keys, decisions under the member's lock).
   */
  async run(): Promise<{ planned: number; queued: number; skipped: number; cancelled: number }> {
    const planned = await this.planCalendar()
    return { planned, ...(await this.decideDue()) }
  }

  /** Plans the calendar's reminders; returns how many new ones it planned. */
  planCalendar(): Promise<number> {
    return this.planner.planCalendar()
  }

  /** Sends the win-back step now to these members; see `ReminderPlanner.bringWinBackForward`. */
  bringWinBackForward(db: Db, memberIds: string[]): Promise<number> {
    return this.planner.bringWinBackForward(db, memberIds)
  }

  /** Decides the reminders due by now; none during the merchant's quiet hours. */
  decideDue(): Promise<{ queued: number; skipped: number; cancelled: number }> {
    return this.decider.decideDue()
  }

  results(period: { from: string; to: string }): Promise<MarketingResult[]> {
    return this.statistics.results(period)
  }

  stats(range: { from?: string; to?: string } = {}): Promise<ReminderKindStats[]> {
    return this.statistics.stats(range)
  }

  // -- reading -------------------------------------------------------------------------------

  /** Every kind's template as members get it now, whether the merchant edited it, and what it may name. */
  async templates(): Promise<ReminderTemplateView[]> {
    const { config: programme } = await this.programmes.current()
    return REMINDER_KINDS.map((kind) => templateView(programme, kind))
  }

  /**
   * Replaces one kind's template (both languages) as a new programme version; `null` goes back
   * to the default. Unknown placeholders are refused by name.
   */
  async setTemplate(
    kind: ReminderKind,
    text: { 'zh-CN': string; en: string } | null,
    options: { actor: string; basedOn?: number },
  ): Promise<ReminderTemplateView & { version: number }> {
    const { version, config } = await this.programmes.current()
    const templates = { ...config.reminders.templates }
    if (text) templates[kind] = text
    else delete templates[kind]
    // Without the caller's own base, the version merged into: a save in between is not lost.
    const saved = await this.programmes.replace(
      { ...config, reminders: { ...config.reminders, templates } },
      {
        actor: options.actor,
        basedOn: options.basedOn ?? version,
        note: `reminder template ${kind}`,
      },
    )
    return { ...templateView(saved.config, kind), version: saved.version }
  }

  /**
   * Replaces which reminders run and when (the reminders section but its texts) as a new
   * programme version; `basedOn` as for `ProgrammeService.replace`.
   */
  async setSettings(
    settings: ReminderSettings,
    options: { actor: string; basedOn?: number },
  ): Promise<ProgrammeVersion> {
    const { version, config } = await this.programmes.current()
    // Without the caller's own base, the version merged into: a save in between is not lost.
    return this.programmes.replace(
      { ...config, reminders: { ...config.reminders, ...settings } },
      { actor: options.actor, basedOn: options.basedOn ?? version, note: 'reminder settings' },
    )
  }

  /** `text` (by default the kind's text now) as a sample member reads it in each language. */
  async previewTemplate(
    kind: ReminderKind,
    text?: { 'zh-CN': string; en: string },
  ): Promise<TemplatePreview> {
    const { config } = await this.programmes.current()
    return previewTemplate(config, kind, text, this.deps.clock.now())
  }

  async list(
    filter: { memberId?: string; kind?: ReminderKind; status?: string; limit?: number } = {},
  ): Promise<ReminderView[]> {
    let query = this.deps.store.db
      .selectFrom('reminders')
      .leftJoin('outbox', 'outbox.reminderId', 'reminders.id')
      .selectAll('reminders')
      .select(['outbox.status as delivery', 'outbox.sentAt'])
    if (filter.memberId) query = query.where('reminders.memberId', '=', filter.memberId)
    if (filter.kind) query = query.where('reminders.kind', '=', filter.kind)
    if (filter.status) query = query.where('reminders.status', '=', filter.status)
    const rows = await query
      .orderBy('reminders.id', 'desc')
      .limit(Math.min(filter.limit ?? 100, 1_000))
      .execute()
    return rows.map((row) => ({
      id: row.id,
      memberId: row.memberId,
      kind: row.kind as ReminderKind,
      status: row.status as ReminderView['status'],
      reason: row.reason,
      dueAt: row.dueAt,
      expiresAt: row.expiresAt,
      createdAt: row.createdAt,
      decidedAt: row.decidedAt,
      subject: JSON.parse(row.subjectJson) as Record<string, unknown>,
      delivery: row.delivery ?? null,
      sentAt: row.sentAt ?? null,
    }))
  }
}
