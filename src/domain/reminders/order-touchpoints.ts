import { z } from 'zod'
import type { Db } from '../../../db/client.ts'
import { CLOCK_SKEW_MS } from '../../shared/clock.ts'
import { DomainError } from '../../shared/errors.ts'
import type { DomainDeps } from '../context.ts'
import type { OrderFollowUps, PlacedOrder, RefundedOrder } from '../orders/follow-ups.ts'
import type { Programme } from '../programme/programme.ts'
import type { ProgrammeService } from '../programme/programme.service.ts'
import { DAY_MS, type ReminderPlanner, subjectOf } from './planning.ts'
import { quantitiesBySku, usageReminderTiming } from './reminder-rules.ts'

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

/** What an order's life (placed, shipped, delivered, refunded) plans for the member. */
export class OrderTouchpoints implements OrderFollowUps {
  constructor(
    private readonly deps: DomainDeps,
    private readonly programmes: ProgrammeService,
    private readonly planner: ReminderPlanner,
  ) {}

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
          await this.planner.plan(trx, {
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
          await this.planner.cancelPending(trx, [`order_shipped:${orderId}`], 'superseded')
          if (config.orderDelivered.enabled) {
            await this.planner.plan(trx, {
              memberId: order.memberId,
              kind: 'order_delivered',
              key: `order_delivered:${orderId}`,
              subject: { orderId },
              dueAt: now,
              expiresAt: new Date(now.getTime() + 7 * DAY_MS),
            })
          }
          if (config.orderSurvey.after === 'delivered')
            await this.planner.planSurvey(trx, programme, order.memberId, orderId, occurredAt)
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
  async afterOrder(trx: Db, programme: Programme, order: PlacedOrder): Promise<void> {
    const config = programme.reminders
    if (config.orderSurvey.enabled && config.orderSurvey.after === 'order')
      await this.planner.planSurvey(trx, programme, order.memberId, order.id, order.placedAt)
    if (!config.usageCycle.enabled || order.items.length === 0) return
    const quantities = quantitiesBySku(order.items)
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
      await this.planner.cancelPending(
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
      await this.planner.plan(trx, {
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
  async afterRefund(trx: Db, { orderId, memberId, fully }: RefundedOrder): Promise<void> {
    if (!fully) return
    const pending = await trx
      .selectFrom('reminders')
      .select(['dedupeKey', 'subjectJson'])
      .where('memberId', '=', memberId)
      .where('status', '=', 'scheduled')
      .execute()
    const keys = pending.filter((r) => subjectOf(r).orderId === orderId).map((r) => r.dedupeKey)
    await this.planner.cancelPending(trx, keys, 'refunded')
  }
}
