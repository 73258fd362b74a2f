import { DateTime } from 'luxon'
import type { Selectable } from 'kysely'
import { z } from 'zod'
import type { Db } from '../../../db/client.ts'
import type { RemindersTable } from '../../../db/schema/reminders.ts'
import { DomainError } from '../../shared/errors.ts'
import { newId } from '../../shared/ids.ts'
import { inQuietHours } from '../campaigns/campaigns.ts'
import type { DomainDeps } from '../context.ts'
import { type MemberRow, lockMember } from '../ledger/ledger.repository.ts'
import { attributeOrders } from '../outbox/attribution.ts'
import type { OutboxService } from '../outbox/outbox.service.ts'
import type { OutboundMessage } from '../ports.ts'
import { type Locale, type Programme, localize, tierAt, tierIndex } from '../programme/programme.ts'
import { CLOCK_SKEW_MS } from '../orders/orders.service.ts'
import type { ProgrammeService } from '../programme/programme.service.ts'
import type { MarketingResult } from '../reports/reports.ts'
import { orderSurveyOf } from '../interactions/surveys.service.ts'
import { grantReward } from '../rewards/rewards.service.ts'
import { hasStock, stockLessOne } from '../rewards/stock.ts'
import { EARNED_UPGRADE_REASON, memberTierOutlook } from '../tiers/tiers.ts'
import {
  COMMON_PLACEHOLDERS,
  DEFAULT_TEMPLATES,
  PLACEHOLDERS,
  REMINDER_KINDS,
  type ReminderKind,
  dueOn,
  formatLocalDate,
  formatMoney,
  plusLocalDays,
  purposeOf,
  renderTemplate,
  usageReminderTiming,
  winBackStep,
} from './reminder-rules.ts'

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

const DAY_MS = 86_400_000
/** Tier upgrades older than this are not congratulated (e.g. when reminders are turned on). */
const UPGRADE_NEWS_DAYS = 7
const BATCH = 200

export const productInputSchema = z.object({
  name: z.object({
    'zh-CN': z.string().trim().min(1).max(200),
    en: z.string().trim().min(1).max(200),
  }),
  /** Days one unit lasts; absent or null for products without a usage cycle. */
  usageCycleDays: z.number().int().min(1).max(3_650).nullable().optional(),
  /** Overrides the programme's days-before for this product. */
  remindDaysBefore: z.number().int().min(0).max(365).nullable().optional(),
})
export type ProductInput = z.input<typeof productInputSchema>

export interface ProductView {
  sku: string
  name: { 'zh-CN': string; en: string }
  usageCycleDays: number | null
  remindDaysBefore: number | null
  updatedAt: string
}

export const orderEventInputSchema = z.object({
  type: z.enum(['shipped', 'delivered']),
  occurredAt: z.iso.datetime({ offset: true }).optional(),
  carrier: z.string().trim().min(1).max(100).optional(),
  trackingNumber: z.string().trim().min(1).max(100).optional(),
})
export type OrderEventInput = z.input<typeof orderEventInputSchema>

export interface OrderEventView {
  orderId: string
  type: 'shipped' | 'delivered'
  occurredAt: string
  carrier: string | null
  trackingNumber: string | null
  replayed: boolean
}

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

type Outcome =
  | { status: 'cancelled' | 'skipped'; reason: string }
  | { status: 'deferred'; until: Date; reason: string }
  | {
      status: 'queued'
      message: OutboundMessage
      identity: { channel: string; externalId: string }
    }

interface Subject {
  [key: string]: unknown
}

function subjectOf(row: Selectable<RemindersTable>): Subject {
  return JSON.parse(row.subjectJson) as Subject
}

/**
 * Re-purchase reminders and lifecycle touchpoints. Planning writes a reminder row per fact
 * worth telling (a supply running out, a customer away, points expiring, a tier won or at
 * risk, an order shipped) under a unique key, so planning twice or in two processes plans
 * once. When a reminder is due it is decided once, under the member's row lock: cancelled if
 * no longer true, skipped if the member opted out, cannot be reached, or the frequency cap
 * holds it past its usefulness, otherwise rendered in the member's language and queued in the
 * durable outbox in the same transaction.
 */
export class RemindersService {
  constructor(
    private readonly deps: DomainDeps,
    private readonly programmes: ProgrammeService,
    private readonly outbox: OutboxService,
  ) {}

  // -- products ------------------------------------------------------------------------------

  async upsertProduct(sku: string, raw: ProductInput): Promise<ProductView> {
    const parsed = productInputSchema.safeParse(raw)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      throw new DomainError('invalid_input', issue.message, { field: issue.path.join('.') })
    }
    if (!/^.{1,200}$/.test(sku))
      throw new DomainError('invalid_input', 'a SKU is 1 to 200 characters', { field: 'sku' })
    const input = parsed.data
    const row = {
      sku,
      nameZh: input.name['zh-CN'],
      nameEn: input.name.en,
      usageCycleDays: input.usageCycleDays ?? null,
      remindDaysBefore: input.remindDaysBefore ?? null,
      updatedAt: this.deps.clock.now().toISOString(),
    }
    await this.deps.store.db
      .insertInto('products')
      .values(row)
      .onConflict((oc) =>
        oc.column('sku').doUpdateSet({
          nameZh: row.nameZh,
          nameEn: row.nameEn,
          usageCycleDays: row.usageCycleDays,
          remindDaysBefore: row.remindDaysBefore,
          updatedAt: row.updatedAt,
        }),
      )
      .execute()
    return this.product(sku)
  }

  async product(sku: string): Promise<ProductView> {
    const row = await this.deps.store.db
      .selectFrom('products')
      .selectAll()
      .where('sku', '=', sku)
      .executeTakeFirst()
    if (!row) throw new DomainError('not_found', `no product ${sku}`)
    return toProductView(row)
  }

  async listProducts(): Promise<ProductView[]> {
    const rows = await this.deps.store.db
      .selectFrom('products')
      .selectAll()
      .orderBy('sku')
      .limit(1_000)
      .execute()
    return rows.map(toProductView)
  }

  // -- order touchpoints ---------------------------------------------------------------------

  /**
   * The shop reports that an order shipped or was delivered. Once per order and type: a retry
   * answers the first report. The member is told (a service message), and after delivery a
   * satisfaction survey is planned.
   */
  async recordOrderEvent(orderId: string, raw: OrderEventInput): Promise<OrderEventView> {
    const parsed = orderEventInputSchema.safeParse(raw)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      throw new DomainError('invalid_input', issue.message, { field: issue.path.join('.') })
    }
    const input = parsed.data
    const now = this.deps.clock.now()
    const occurredAt = input.occurredAt ? new Date(input.occurredAt) : now
    if (occurredAt.getTime() > now.getTime() + CLOCK_SKEW_MS)
      throw new DomainError('invalid_input', 'an order event cannot happen in the future', {
        field: 'occurredAt',
      })
    const { config: programme } = await this.programmes.current()
    return this.deps.store.transaction(async (trx) => {
      const order = await trx
        .selectFrom('orders')
        .select(['id', 'memberId', 'amount', 'refundedAmount'])
        .where('id', '=', orderId)
        .executeTakeFirst()
      if (!order) throw new DomainError('order_not_found', `no order ${orderId}`)
      const details = {
        carrier: input.carrier ?? null,
        trackingNumber: input.trackingNumber ?? null,
      }
      const inserted = await trx
        .insertInto('orderEvents')
        .values({
          orderId,
          type: input.type,
          occurredAt: occurredAt.toISOString(),
          detailsJson: JSON.stringify(details),
          createdAt: now.toISOString(),
        })
        .onConflict((oc) => oc.columns(['orderId', 'type']).doNothing())
        .returning('orderId')
        .executeTakeFirst()
      if (!inserted) {
        const first = await trx
          .selectFrom('orderEvents')
          .selectAll()
          .where('orderId', '=', orderId)
          .where('type', '=', input.type)
          .executeTakeFirstOrThrow()
        const firstDetails = JSON.parse(first.detailsJson) as typeof details
        return {
          orderId,
          type: input.type,
          occurredAt: first.occurredAt,
          ...firstDetails,
          replayed: true,
        }
      }
      // A fully refunded order is over for the member: nothing to tell or ask about it.
      if (order.refundedAmount < order.amount) {
        const config = programme.reminders
        if (input.type === 'shipped' && config.orderShipped.enabled) {
          await this.plan(trx, {
            memberId: order.memberId,
            kind: 'order_shipped',
            key: `order_shipped:${orderId}`,
            subject: { orderId, ...details },
            dueAt: now,
            expiresAt: new Date(now.getTime() + 3 * DAY_MS),
          })
        }
        if (input.type === 'delivered') {
          // Delivered before the "shipped" notice went out: that notice is old news now.
          await this.cancelPending(trx, [`order_shipped:${orderId}`], 'superseded')
          if (config.orderDelivered.enabled) {
            await this.plan(trx, {
              memberId: order.memberId,
              kind: 'order_delivered',
              key: `order_delivered:${orderId}`,
              subject: { orderId },
              dueAt: now,
              expiresAt: new Date(now.getTime() + 7 * DAY_MS),
            })
          }
          if (config.orderSurvey.after === 'delivered')
            await this.planSurvey(trx, programme, order.memberId, orderId, occurredAt)
        }
      }
      return {
        orderId,
        type: input.type,
        occurredAt: occurredAt.toISOString(),
        ...details,
        replayed: false,
      }
    })
  }

  /**
   * Plans what an order starts, inside the order's transaction: a usage-cycle reminder for
   * each product with a cycle (moving the member's earlier one for the same product, since
   * they bought again) and, without delivery reports, the survey about the order.
   */
  async afterOrder(
    trx: Db,
    programme: Programme,
    order: {
      id: string
      memberId: string
      placedAt: Date
      items: { sku: string; quantity: number }[]
    },
  ): Promise<void> {
    const config = programme.reminders
    if (config.orderSurvey.enabled && config.orderSurvey.after === 'order')
      await this.planSurvey(trx, programme, order.memberId, order.id, order.placedAt)
    if (!config.usageCycle.enabled || order.items.length === 0) return
    const quantities = new Map<string, number>()
    for (const item of order.items)
      quantities.set(item.sku, (quantities.get(item.sku) ?? 0) + item.quantity)
    const products = await trx
      .selectFrom('products')
      .selectAll()
      .where('sku', 'in', [...quantities.keys()])
      .where('usageCycleDays', 'is not', null)
      .execute()
    if (products.length === 0) return
    const earlier = await trx
      .selectFrom('reminders')
      .selectAll()
      .where('memberId', '=', order.memberId)
      .where('kind', '=', 'usage_cycle')
      .execute()
    const now = this.deps.clock.now()
    for (const product of products) {
      const sameProduct = earlier.filter((r) => subjectOf(r).sku === product.sku)
      // An order reported late, older than a purchase we already know: the newer one governs.
      if (sameProduct.some((r) => String(subjectOf(r).placedAt) > order.placedAt.toISOString()))
        continue
      await this.cancelPending(
        trx,
        sameProduct.filter((r) => r.status === 'scheduled').map((r) => r.dedupeKey),
        'bought_again',
      )
      const timing = usageReminderTiming(
        order.placedAt,
        product.usageCycleDays!,
        quantities.get(product.sku)!,
        product.remindDaysBefore ?? config.usageCycle.daysBefore,
        config.sendAt,
        programme.timezone,
      )
      if (timing.expiresAt <= now) continue
      await this.plan(trx, {
        memberId: order.memberId,
        kind: 'usage_cycle',
        key: `usage_cycle:${order.id}:${product.sku}`,
        subject: {
          orderId: order.id,
          sku: product.sku,
          placedAt: order.placedAt.toISOString(),
          runOutDate: timing.runOutDate,
        },
        dueAt: timing.dueAt,
        expiresAt: timing.expiresAt,
      })
    }
  }

  /** A refund of the whole order: the supply it bought is gone, so are its reminders. */
  async afterFullRefund(trx: Db, memberId: string, orderId: string): Promise<void> {
    const pending = await trx
      .selectFrom('reminders')
      .select(['dedupeKey', 'subjectJson'])
      .where('memberId', '=', memberId)
      .where('status', '=', 'scheduled')
      .execute()
    const keys = pending
      .filter((r) => (JSON.parse(r.subjectJson) as Subject).orderId === orderId)
      .map((r) => r.dedupeKey)
    await this.cancelPending(trx, keys, 'refunded')
  }

  // -- the run -------------------------------------------------------------------------------

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
  async planCalendar(): Promise<number> {
    const now = this.deps.clock.now()
    const { config: programme } = await this.programmes.current()
    const config = programme.reminders
    let planned = 0
    if (config.winBack.enabled && config.winBack.steps.length > 0)
      planned += await this.planWinBack(programme, now)
    if (config.pointsExpiring.enabled) planned += await this.planPointsExpiring(programme, now)
    if (config.tierUpgrade.enabled) planned += await this.planTierUpgrades(now)
    if (config.tierDowngrade.enabled) planned += await this.planTierDowngrades(programme, now)
    return planned
  }

  /** Decides the reminders due by now; none during the merchant's quiet hours. */
  async decideDue(): Promise<{ queued: number; skipped: number; cancelled: number }> {
    const counts = { queued: 0, skipped: 0, cancelled: 0 }
    const now = this.deps.clock.now()
    const { config: programme } = await this.programmes.current()
    const localTime = DateTime.fromJSDate(now, { zone: programme.timezone }).toFormat('HH:mm')
    if (inQuietHours(localTime, programme.quietHours)) return counts
    let afterId = 0
    for (;;) {
      const due = await this.deps.store.db
        .selectFrom('reminders')
        .select(['id', 'memberId'])
        .where('status', '=', 'scheduled')
        .where('dueAt', '<=', now.toISOString())
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(BATCH)
        .execute()
      if (due.length === 0) return counts
      afterId = due[due.length - 1]!.id
      for (const { id, memberId } of due) {
        const outcome = await this.decide(id, memberId, programme, now)
        if (outcome === 'queued') counts.queued++
        else if (outcome === 'skipped') counts.skipped++
        else if (outcome === 'cancelled') counts.cancelled++
      }
    }
  }

  private async decide(
    id: number,
    memberId: string,
    programme: Programme,
    now: Date,
  ): Promise<'queued' | 'skipped' | 'cancelled' | 'deferred' | 'taken'> {
    return this.deps.store.transaction(async (trx) => {
      const member = await lockMember(trx, memberId)
      const reminder = await trx
        .selectFrom('reminders')
        .selectAll()
        .where('id', '=', id)
        .where('status', '=', 'scheduled')
        .executeTakeFirst()
      if (!reminder || reminder.dueAt > now.toISOString()) return 'taken'
      const outcome = await this.outcomeOf(trx, reminder, member, programme, now)
      const decidedAt = now.toISOString()
      if (outcome.status === 'deferred') {
        await trx
          .updateTable('reminders')
          .set({ dueAt: outcome.until.toISOString(), reason: outcome.reason })
          .where('id', '=', id)
          .execute()
        return 'deferred'
      }
      if (outcome.status !== 'queued') {
        await trx
          .updateTable('reminders')
          .set({ status: outcome.status, reason: outcome.reason, decidedAt })
          .where('id', '=', id)
          .execute()
        return outcome.status
      }
      const { identity } = outcome
      await trx
        .insertInto('outbox')
        .values({
          campaignId: null,
          reminderId: id,
          purpose: purposeOf(reminder.kind as ReminderKind),
          memberId,
          channel: identity.channel,
          recipient: identity.externalId,
          payloadJson: JSON.stringify(outcome.message),
          status: 'pending',
          attempts: 0,
          notBefore: decidedAt,
          leaseOwner: null,
          leaseUntil: null,
          lastError: null,
          sentAt: null,
          createdAt: decidedAt,
        })
        .execute()
      await trx
        .updateTable('reminders')
        .set({ status: 'queued', reason: null, decidedAt })
        .where('id', '=', id)
        .execute()
      return 'queued'
    })
  }

  private async outcomeOf(
    trx: Db,
    reminder: Selectable<RemindersTable>,
    member: MemberRow,
    programme: Programme,
    now: Date,
  ): Promise<Outcome> {
    const kind = reminder.kind as ReminderKind
    const config = programme.reminders
    const subject = subjectOf(reminder)
    if (!this.enabled(programme, kind)) return { status: 'skipped', reason: 'disabled' }
    if (member.status !== 'active') return { status: 'skipped', reason: 'inactive' }
    if (reminder.expiresAt && reminder.expiresAt <= now.toISOString())
      return { status: 'skipped', reason: 'stale' }
    const locale: Locale = member.locale === 'en' ? 'en' : 'zh-CN'
    const found = await this.valuesFor(trx, kind, subject, member, programme, locale, now)
    if ('cancel' in found) return { status: 'cancelled', reason: found.cancel }
    const { values } = found
    const marketing = purposeOf(kind) === 'marketing'
    if (marketing && member.marketingConsent !== 1)
      return { status: 'skipped', reason: 'opted_out' }
    const identity = (await this.outbox.identitiesOf([member.id], trx)).get(member.id)
    if (!identity) return { status: 'skipped', reason: 'unreachable' }
    if (marketing) {
      const until = await this.capReleases(trx, member.id, programme, now)
      if (until) {
        if (reminder.expiresAt && until.toISOString() >= reminder.expiresAt)
          return { status: 'skipped', reason: 'frequency_cap' }
        return { status: 'deferred', until, reason: 'frequency_cap' }
      }
    }
    if (kind === 'win_back' && typeof subject.rewardId === 'string') {
      values.offer = await this.giveOffer(
        trx,
        member,
        subject.rewardId,
        reminder.id,
        programme,
        locale,
        now,
      )
    }
    const template = (config.templates[kind] ?? DEFAULT_TEMPLATES[kind])[locale]
    return {
      status: 'queued',
      identity,
      message: {
        text: renderTemplate(template, values),
        miniappButton: locale === 'en' ? 'Open my points' : '打开会员中心',
      },
    }
  }

  /**
   * When the frequency cap lets the next marketing message through, or null if it does now.
   * Campaign messages count too: the member hears from the merchant, whatever the reason.
   */
  private async capReleases(
    trx: Db,
    memberId: string,
    programme: Programme,
    now: Date,
  ): Promise<Date | null> {
    const { messages, days } = programme.reminders.frequencyCap
    const windowStart = new Date(now.getTime() - days * DAY_MS).toISOString()
    const recent = await trx
      .selectFrom('outbox')
      .select('createdAt')
      .where('memberId', '=', memberId)
      .where('purpose', '=', 'marketing')
      .where('createdAt', '>', windowStart)
      .where('status', 'not in', ['cancelled', 'skipped', 'failed', 'blocked'])
      .orderBy('createdAt', 'desc')
      .execute()
    if (recent.length < messages) return null
    if (messages === 0) return new Date(8.64e15)
    // The message that must leave the window before another fits.
    const gate = recent[messages - 1]!
    return new Date(new Date(gate.createdAt).getTime() + days * DAY_MS)
  }

  private enabled(programme: Programme, kind: ReminderKind): boolean {
    const config = programme.reminders
    const byKind: Record<ReminderKind, boolean> = {
      usage_cycle: config.usageCycle.enabled,
      win_back: config.winBack.enabled,
      points_expiring: config.pointsExpiring.enabled,
      tier_upgrade: config.tierUpgrade.enabled,
      tier_downgrade: config.tierDowngrade.enabled,
      order_shipped: config.orderShipped.enabled,
      order_delivered: config.orderDelivered.enabled,
      order_survey: config.orderSurvey.enabled,
    }
    return byKind[kind]
  }

  /** The template's values, checked afresh: a reminder that is no longer true is cancelled. */
  private async valuesFor(
    trx: Db,
    kind: ReminderKind,
    subject: Subject,
    member: MemberRow,
    programme: Programme,
    locale: Locale,
    now: Date,
  ): Promise<{ values: Record<string, string | number> } | { cancel: string }> {
    const tz = programme.timezone
    const tier = tierAt(programme, Math.max(tierIndex(programme, member.tierCode), 0))
    const benefits =
      tier.benefits.map((b) => localize(b, locale)).join(locale === 'en' ? '; ' : '；') ||
      (locale === 'en' ? 'member prices' : '会员价')
    const common = {
      name: member.displayName,
      programme: localize(programme.name, locale),
      balance: member.pointsBalance,
      tier: localize(tier.name, locale),
      benefits,
    }
    switch (kind) {
      case 'usage_cycle': {
        const placedAt = String(subject.placedAt)
        const later = await trx
          .selectFrom('orders')
          .select('itemsJson')
          .where('memberId', '=', member.id)
          .where('placedAt', '>', placedAt)
          .execute()
        const sku = String(subject.sku)
        if (
          later.some((o) =>
            (JSON.parse(o.itemsJson) as { sku: string }[]).some((i) => i.sku === sku),
          )
        )
          return { cancel: 'bought_again' }
        const product = await trx
          .selectFrom('products')
          .select(['nameZh', 'nameEn'])
          .where('sku', '=', sku)
          .executeTakeFirst()
        const runOut = dueOn(String(subject.runOutDate), '00:00', tz)
        return {
          values: {
            ...common,
            product: product ? (locale === 'en' ? product.nameEn : product.nameZh) : sku,
            days: Math.max(0, Math.round((runOut.getTime() - now.getTime()) / DAY_MS)),
            date: formatLocalDate(runOut, tz, locale),
          },
        }
      }
      case 'win_back': {
        const last = await this.lastOrderAt(trx, member.id)
        if (!last || last > String(subject.lastOrderAt)) return { cancel: 'ordered' }
        return {
          values: {
            ...common,
            days: Math.floor((now.getTime() - new Date(last).getTime()) / DAY_MS),
            offer: '',
          },
        }
      }
      case 'points_expiring': {
        const horizon = new Date(
          now.getTime() + programme.reminders.pointsExpiring.daysBefore * DAY_MS,
        ).toISOString()
        const expiring = await trx
          .selectFrom('pointLots')
          .select((eb) => [
            eb.fn.sum<number>('remaining').as('points'),
            eb.fn.min<string>('expiresAt').as('first'),
          ])
          .where('memberId', '=', member.id)
          .where('remaining', '>', 0)
          .where('expiresAt', '>', now.toISOString())
          .where('expiresAt', '<=', horizon)
          .executeTakeFirst()
        const points = Number(expiring?.points ?? 0)
        if (points < programme.reminders.pointsExpiring.minPoints || !expiring?.first)
          return { cancel: 'nothing_expiring' }
        // Lots expire at a local midnight; the last day to use them is the day before.
        const lastDay = new Date(new Date(expiring.first).getTime() - 1)
        return {
          values: { ...common, expiring: points, date: formatLocalDate(lastDay, tz, locale) },
        }
      }
      case 'tier_upgrade': {
        if (tierIndex(programme, member.tierCode) < tierIndex(programme, String(subject.toCode)))
          return { cancel: 'no_longer_true' }
        return { values: common }
      }
      case 'tier_downgrade': {
        const { outlook } = await memberTierOutlook(trx, member, programme)
        if (outlook.keepNeeds === null || member.tierWindowEnd !== subject.windowEnd)
          return { cancel: 'tier_kept' }
        return {
          values: {
            ...common,
            needed:
              programme.tierRules.basis === 'spend'
                ? formatMoney(outlook.keepNeeds, programme.currency, locale)
                : locale === 'en'
                  ? `${outlook.keepNeeds} points`
                  : `${outlook.keepNeeds}积分`,
            date: formatLocalDate(
              new Date(new Date(member.tierWindowEnd).getTime() - 1),
              tz,
              locale,
            ),
            nextTier: localize(outlook.after.name, locale),
          },
        }
      }
      case 'order_shipped':
      case 'order_delivered':
      case 'order_survey': {
        const orderId = String(subject.orderId)
        const order = await trx
          .selectFrom('orders')
          .select(['pointsEarned', 'pointsReversed', 'amount', 'refundedAmount'])
          .where('id', '=', orderId)
          .executeTakeFirst()
        if (!order || order.refundedAmount >= order.amount) return { cancel: 'refunded' }
        if (kind === 'order_survey') {
          const survey = (await orderSurveyOf(trx, programme))?.id
          if (!survey) return { cancel: 'no_survey' }
          const answered = await trx
            .selectFrom('surveyResponses')
            .select('id')
            .where('memberId', '=', member.id)
            .where('surveyId', '=', survey)
            .where('context', '=', `order:${orderId}`)
            .executeTakeFirst()
          if (answered) return { cancel: 'answered' }
        }
        const carrier = typeof subject.carrier === 'string' ? subject.carrier : ''
        const tracking = typeof subject.trackingNumber === 'string' ? subject.trackingNumber : ''
        const shipping = [carrier, tracking].filter(Boolean).join(' ')
        return {
          values: {
            ...common,
            order: orderId,
            earned: order.pointsEarned - order.pointsReversed,
            tracking: shipping ? (locale === 'en' ? ` (${shipping})` : `（${shipping}）`) : '',
          },
        }
      }
    }
  }

  /** Grants a win-back step's reward as a gift; the offer line, or '' if none can be given. */
  private async giveOffer(
    trx: Db,
    member: MemberRow,
    rewardId: string,
    reminderId: number,
    programme: Programme,
    locale: Locale,
    now: Date,
  ): Promise<string> {
    const reward = await trx
      .selectFrom('rewards')
      .selectAll()
      .where('id', '=', rewardId)
      .executeTakeFirst()
    if (!reward || reward.active !== 1) return ''
    const taken = await trx
      .updateTable('rewards')
      .set((eb) => ({ stock: stockLessOne, issued: eb('issued', '+', 1) }))
      .where('id', '=', rewardId)
      .where(hasStock)
      .executeTakeFirst()
    if (Number(taken.numUpdatedRows) === 0) return ''
    await grantReward(trx, member, reward, programme, {
      redemptionId: newId('rdm'),
      idempotencyKey: `reminder:${reminderId}:gift`,
      points: 0,
      ledgerEntryId: null,
      now,
    })
    return locale === 'en'
      ? `A gift for you: ${reward.name}, waiting in your coupons. `
      : `送您「${reward.name}」，已放入您的券包。`
  }

  // -- planning ------------------------------------------------------------------------------

  private async plan(
    db: Db,
    reminder: {
      memberId: string
      kind: ReminderKind
      key: string
      subject: Subject
      dueAt: Date
      expiresAt: Date | null
    },
  ): Promise<boolean> {
    const inserted = await db
      .insertInto('reminders')
      .values({
        memberId: reminder.memberId,
        kind: reminder.kind,
        dedupeKey: reminder.key,
        subjectJson: JSON.stringify(reminder.subject),
        dueAt: reminder.dueAt.toISOString(),
        expiresAt: reminder.expiresAt?.toISOString() ?? null,
        status: 'scheduled',
        reason: null,
        createdAt: this.deps.clock.now().toISOString(),
        decidedAt: null,
      })
      .onConflict((oc) => oc.column('dedupeKey').doNothing())
      .returning('id')
      .executeTakeFirst()
    return Boolean(inserted)
  }

  private async cancelPending(db: Db, keys: string[], reason: string): Promise<void> {
    if (keys.length === 0) return
    await db
      .updateTable('reminders')
      .set({ status: 'cancelled', reason, decidedAt: this.deps.clock.now().toISOString() })
      .where('dedupeKey', 'in', keys)
      .where('status', '=', 'scheduled')
      .execute()
  }

  private async planSurvey(
    db: Db,
    programme: Programme,
    memberId: string,
    orderId: string,
    after: Date,
  ): Promise<void> {
    const config = programme.reminders.orderSurvey
    if (!config.enabled) return
    const dueAt = new Date(after.getTime() + config.delayHours * 3_600_000)
    await this.plan(db, {
      memberId,
      kind: 'order_survey',
      key: `order_survey:${orderId}`,
      subject: { orderId },
      dueAt,
      expiresAt: new Date(dueAt.getTime() + 14 * DAY_MS),
    })
  }

  private async planWinBack(programme: Programme, now: Date): Promise<number> {
    const config = programme.reminders.winBack
    const tz = programme.timezone
    const firstStep = config.steps[0]!.days
    const lastStep = config.steps[config.steps.length - 1]!.days
    const latest = dueOn(plusLocalDays(now, -firstStep, tz), '23:59', tz).toISOString()
    // Customers past the last step's window were let go: they need not be read at all.
    const earliest = dueOn(
      plusLocalDays(now, -(lastStep + config.lastStepWindowDays + 1), tz),
      '00:00',
      tz,
    ).toISOString()
    const customers = await this.deps.store.db
      .selectFrom('orders')
      .innerJoin('members', 'members.id', 'orders.memberId')
      .select((eb) => [
        'orders.memberId',
        eb.fn.countAll<number>().as('orders'),
        eb.fn.max<string>('orders.placedAt').as('lastOrderAt'),
      ])
      .where('members.status', '=', 'active')
      .whereRef('orders.refundedAmount', '<', 'orders.amount')
      .groupBy('orders.memberId')
      .having((eb) => eb.fn.countAll(), '>=', config.minOrders)
      .having((eb) => eb.fn.max('orders.placedAt'), '<=', latest)
      .having((eb) => eb.fn.max('orders.placedAt'), '>=', earliest)
      .execute()
    // What is planned already, read in batches: most customers are, on every run but one.
    const known = new Set<string>()
    for (let i = 0; i < customers.length; i += 500) {
      const rows = await this.deps.store.db
        .selectFrom('reminders')
        .select('dedupeKey')
        .where('kind', '=', 'win_back')
        .where(
          'memberId',
          'in',
          customers.slice(i, i + 500).map((c) => c.memberId),
        )
        .execute()
      for (const row of rows) known.add(row.dedupeKey)
    }
    let planned = 0
    for (const customer of customers) {
      const step = winBackStep(
        new Date(customer.lastOrderAt),
        now,
        config.steps,
        config.lastStepWindowDays,
        programme.reminders.sendAt,
        tz,
      )
      const key = `win_back:${customer.memberId}:${customer.lastOrderAt}:${step?.days}`
      if (!step || known.has(key)) continue
      const added = await this.plan(this.deps.store.db, {
        memberId: customer.memberId,
        kind: 'win_back',
        key,
        subject: {
          lastOrderAt: customer.lastOrderAt,
          step: step.days,
          ...(step.rewardId ? { rewardId: step.rewardId } : {}),
        },
        dueAt: step.dueAt,
        expiresAt: step.expiresAt,
      })
      if (added) planned++
    }
    return planned
  }

  /**
   * Members with points expiring within `daysBefore` days are told once per such period: the
   * total expiring in it and the first day it happens.
   */
  private async planPointsExpiring(programme: Programme, now: Date): Promise<number> {
    const config = programme.reminders.pointsExpiring
    const horizon = new Date(now.getTime() + config.daysBefore * DAY_MS).toISOString()
    const since = new Date(now.getTime() - config.daysBefore * DAY_MS).toISOString()
    const expiring = await this.deps.store.db
      .selectFrom('pointLots')
      .innerJoin('members', 'members.id', 'pointLots.memberId')
      .select((eb) => [
        'pointLots.memberId',
        eb.fn.sum<number>('pointLots.remaining').as('points'),
        eb.fn.min<string>('pointLots.expiresAt').as('first'),
      ])
      .where('members.status', '=', 'active')
      .where('pointLots.remaining', '>', 0)
      .where('pointLots.expiresAt', '>', now.toISOString())
      .where('pointLots.expiresAt', '<=', horizon)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('reminders')
              .select('reminders.id')
              .whereRef('reminders.memberId', '=', 'pointLots.memberId')
              .where('reminders.kind', '=', 'points_expiring')
              .where('reminders.createdAt', '>', since),
          ),
        ),
      )
      .groupBy('pointLots.memberId')
      .execute()
    let planned = 0
    for (const row of expiring) {
      if (Number(row.points) < config.minPoints) continue
      const added = await this.plan(this.deps.store.db, {
        memberId: row.memberId,
        kind: 'points_expiring',
        key: `points_expiring:${row.memberId}:${row.first}`,
        subject: { firstExpiry: row.first },
        dueAt: now,
        expiresAt: new Date(row.first),
      })
      if (added) planned++
    }
    return planned
  }

  private async planTierUpgrades(now: Date): Promise<number> {
    const { config: programme } = await this.programmes.current()
    const since = new Date(now.getTime() - UPGRADE_NEWS_DAYS * DAY_MS).toISOString()
    const changes = await this.deps.store.db
      .selectFrom('tierChanges')
      .selectAll()
      .where('createdAt', '>', since)
      .execute()
    let planned = 0
    for (const change of changes) {
      // Joining, a bought or imported tier and a floor set by staff are no upgrade the member
      // earned; only the member's own orders are congratulated.
      if (change.fromCode === null || change.reason !== EARNED_UPGRADE_REASON) continue
      if (tierIndex(programme, change.toCode) <= tierIndex(programme, change.fromCode)) continue
      const added = await this.plan(this.deps.store.db, {
        memberId: change.memberId,
        kind: 'tier_upgrade',
        key: `tier_upgrade:${change.id}`,
        subject: { fromCode: change.fromCode, toCode: change.toCode },
        dueAt: new Date(change.createdAt),
        expiresAt: new Date(new Date(change.createdAt).getTime() + UPGRADE_NEWS_DAYS * DAY_MS),
      })
      if (added) planned++
    }
    return planned
  }

  private async planTierDowngrades(programme: Programme, now: Date): Promise<number> {
    const config = programme.reminders.tierDowngrade
    const tz = programme.timezone
    const horizon = new Date(now.getTime() + config.daysBefore * DAY_MS).toISOString()
    const members = await this.deps.store.db
      .selectFrom('members')
      .selectAll()
      .where('status', '=', 'active')
      .where('tierWindowEnd', '>', now.toISOString())
      .where('tierWindowEnd', '<=', horizon)
      .where('tierCode', '!=', programme.tiers[0]!.code)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('reminders')
              .select('reminders.id')
              .whereRef('reminders.memberId', '=', 'members.id')
              .where('reminders.kind', '=', 'tier_downgrade')
              .whereRef('reminders.createdAt', '>=', 'members.tierWindowStart'),
          ),
        ),
      )
      .execute()
    let planned = 0
    for (const member of members) {
      const { outlook } = await memberTierOutlook(this.deps.store.db, member, programme)
      if (outlook.keepNeeds === null) continue
      const windowEnd = new Date(member.tierWindowEnd)
      const warnDate = plusLocalDays(windowEnd, -config.daysBefore, tz)
      const added = await this.plan(this.deps.store.db, {
        memberId: member.id,
        kind: 'tier_downgrade',
        key: `tier_downgrade:${member.id}:${member.tierWindowEnd}`,
        subject: { windowEnd: member.tierWindowEnd, tierCode: member.tierCode },
        dueAt: dueOn(warnDate, programme.reminders.sendAt, tz),
        expiresAt: windowEnd,
      })
      if (added) planned++
    }
    return planned
  }

  private async lastOrderAt(db: Db, memberId: string): Promise<string | null> {
    const row = await db
      .selectFrom('orders')
      .select((eb) => eb.fn.max<string>('placedAt').as('last'))
      .where('memberId', '=', memberId)
      .whereRef('refundedAmount', '<', 'amount')
      .executeTakeFirst()
    return row?.last ?? null
  }

  // -- reading -------------------------------------------------------------------------------

  /** Every kind's template as members get it now, whether the merchant edited it, and what it may name. */
  async templates(): Promise<ReminderTemplateView[]> {
    const { config: programme } = await this.programmes.current()
    return REMINDER_KINDS.map((kind) => ({
      kind,
      purpose: purposeOf(kind),
      text: programme.reminders.templates[kind] ?? DEFAULT_TEMPLATES[kind],
      edited: Boolean(programme.reminders.templates[kind]),
      placeholders: [...COMMON_PLACEHOLDERS, ...PLACEHOLDERS[kind]],
    }))
  }

  /**
   * Replaces one kind's template (both languages) as a new programme version; `null` goes back
   * to the default. Unknown placeholders are refused by name.
   */
  async setTemplate(
    kind: ReminderKind,
    text: { 'zh-CN': string; en: string } | null,
    actor: string,
  ): Promise<ReminderTemplateView> {
    const { config } = await this.programmes.current()
    const templates = { ...config.reminders.templates }
    if (text) templates[kind] = text
    else delete templates[kind]
    await this.programmes.replace(
      { ...config, reminders: { ...config.reminders, templates } },
      { actor, note: `reminder template ${kind}` },
    )
    return (await this.templates()).find((t) => t.kind === kind)!
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

  /** Sent reminders per kind for the reports, beside the campaigns (reminders cost nothing). */
  async results(period: { from: string; to: string }): Promise<MarketingResult[]> {
    const stats = await this.stats(period)
    return stats
      .filter((kind) => kind.sent > 0)
      .map((kind) => ({
        source: 'reminder' as const,
        id: kind.kind,
        name: KIND_NAMES[kind.kind],
        sent: kind.sent,
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

function toProductView(row: {
  sku: string
  nameZh: string
  nameEn: string
  usageCycleDays: number | null
  remindDaysBefore: number | null
  updatedAt: string
}): ProductView {
  return {
    sku: row.sku,
    name: { 'zh-CN': row.nameZh, en: row.nameEn },
    usageCycleDays: row.usageCycleDays,
    remindDaysBefore: row.remindDaysBefore,
    updatedAt: row.updatedAt,
  }
}
