import { isUniqueViolation } from '../../../db/errors.ts'
import { DomainError } from '../../shared/errors.ts'
import type { DomainDeps } from '../context.ts'
import type { MemberRef } from '../members/members.ts'
import type { MembersService } from '../members/members.service.ts'
import type { ProgrammeService } from '../programme/programme.service.ts'
import type { GuestSalesService } from './guest-sales.service.ts'
import type { OrderInput, OrdersService } from './orders.service.ts'

/** The shops whose webhooks become orders; each is a thin adapter in src/connectors. */
export type ShopSource = 'shopify' | 'woocommerce'

/** The buyer as the shop knows them; any of the three keys may find the member. */
export interface ShopCustomer {
  /** The shop's customer id: the member's external id when the connector creates the member. */
  externalId?: string
  email?: string
  phone?: string
  displayName?: string
  locale?: string
}

/**
 * What one webhook asks of the engine, read off the shop's payload by its connector. Order and
 * refund ids are the shop's, namespaced by the source (`shopify:1001`), so that a shop's ids never
 * meet the till's and every retry of a delivery is an idempotent replay.
 */
export type ShopEvent =
  | {
      kind: 'order'
      orderId: string
      customer: ShopCustomer | null
      sale: Omit<OrderInput, 'id' | 'member'>
    }
  | { kind: 'refund'; orderId: string; refundId: string; amount: number }
  /** Cancelled or refunded in full: whatever of the order is not refunded yet is refunded now. */
  | { kind: 'refund_rest'; orderId: string; refundId: string }
  | { kind: 'ignore'; reason: string }
  /** A payload the connector could not read: logged as refused, with the reason. */
  | { kind: 'refuse'; reason: string }

export interface ShopDelivery {
  source: ShopSource
  deliveryId: string
  topic: string
  events: ShopEvent[]
}

export interface ShopDeliveryResult {
  outcome: 'recorded' | 'ignored' | 'refused'
  orderId: string | null
  detail: string | null
  /** The delivery id was handled before: nothing was done again. */
  duplicate: boolean
}

type EventResult = { outcome: ShopDeliveryResult['outcome']; detail?: string }

/**
 * Turns shop webhooks into orders and refunds through the same services as the till's API, so
 * that a shop order earns exactly what the same order posted by hand would. A payload the engine
 * refuses (another currency, older than the back-dating window, a refund of an order it never
 * saw) is recorded as refused with the reason and answered as handled: the shop retrying it for
 * days would change nothing. Anything else that fails is thrown, so that the shop retries.
 */
export class ShopSyncService {
  constructor(
    private readonly deps: DomainDeps,
    private readonly programmes: ProgrammeService,
    private readonly members: MembersService,
    private readonly orders: OrdersService,
    private readonly guestSales: GuestSalesService,
  ) {}

  async receive(delivery: ShopDelivery): Promise<ShopDeliveryResult> {
    const db = this.deps.store.db
    const seen = await db
      .selectFrom('shopDeliveries')
      .selectAll()
      .where('source', '=', delivery.source)
      .where('deliveryId', '=', delivery.deliveryId)
      .executeTakeFirst()
    if (seen) {
      return {
        outcome: seen.outcome,
        orderId: seen.orderId,
        detail: seen.detail,
        duplicate: true,
      }
    }
    const results: EventResult[] = []
    for (const event of delivery.events) results.push(await this.apply(delivery.source, event))
    const outcome = results.some((r) => r.outcome === 'refused')
      ? 'refused'
      : results.some((r) => r.outcome === 'recorded')
        ? 'recorded'
        : 'ignored'
    const details = results.flatMap((r) => (r.detail ? [r.detail] : []))
    const orderId = delivery.events.flatMap((e) => ('orderId' in e ? [e.orderId] : []))[0] ?? null
    const result = {
      outcome,
      orderId,
      detail: details.length ? details.join('; ').slice(0, 1000) : null,
    } as const
    try {
      await db
        .insertInto('shopDeliveries')
        .values({
          source: delivery.source,
          deliveryId: delivery.deliveryId,
          topic: delivery.topic,
          ...result,
          receivedAt: this.deps.clock.now().toISOString(),
        })
        .execute()
    } catch (error) {
      // The same delivery ran twice at once: the work is idempotent, the first log row stands.
      if (!isUniqueViolation(error)) throw error
    }
    return { ...result, duplicate: false }
  }

  /** The deliveries of a source, newest first, for staff checking what a shop sent. */
  async deliveries(options: { source?: ShopSource; limit: number }) {
    let query = this.deps.store.db
      .selectFrom('shopDeliveries')
      .selectAll()
      .orderBy('receivedAt', 'desc')
      .limit(options.limit)
    if (options.source) query = query.where('source', '=', options.source)
    return query.execute()
  }

  private async apply(source: ShopSource, event: ShopEvent): Promise<EventResult> {
    try {
      switch (event.kind) {
        case 'ignore':
          return { outcome: 'ignored', detail: event.reason }
        case 'refuse':
          return { outcome: 'refused', detail: event.reason }
        case 'order':
          return await this.recordOrder(source, event)
        case 'refund':
          return await this.refund(event.orderId, event.refundId, event.amount)
        case 'refund_rest':
          return await this.refundRest(event.orderId, event.refundId)
      }
    } catch (error) {
      if (error instanceof DomainError)
        return { outcome: 'refused', detail: `${error.code}: ${error.message}` }
      throw error
    }
  }

  private async recordOrder(
    source: ShopSource,
    event: Extract<ShopEvent, { kind: 'order' }>,
  ): Promise<EventResult> {
    const member = event.customer && (await this.memberFor(source, event.customer))
    if (member) await this.orders.ingest({ ...event.sale, id: event.orderId, member })
    else await this.guestSales.record({ ...event.sale, id: event.orderId })
    return { outcome: 'recorded', detail: member ? undefined : 'guest sale: no member matched' }
  }

  /**
   * The buyer's member: found by phone, then email, then the shop's customer id; created when
   * the programme is open to anyone (a restricted one asks for an invite the shop cannot give),
   * with no marketing consent, since a shop's checkout box is not consent to chat messages.
   */
  private async memberFor(
    source: ShopSource,
    customer: ShopCustomer,
  ): Promise<{ id: string } | null> {
    const refs: MemberRef[] = [
      ...(customer.phone ? [{ phone: customer.phone }] : []),
      ...(customer.email ? [{ email: customer.email }] : []),
      ...(customer.externalId ? [{ externalId: customer.externalId }] : []),
    ]
    for (const ref of refs) {
      const found = await this.members.findByRef(this.deps.store.db, ref)
      if (found) return { id: found.id }
    }
    if (refs.length === 0) return null
    const { config: programme } = await this.programmes.current()
    if (programme.membership.type !== 'open') return null
    const registration = {
      displayName: customer.displayName?.trim() || customer.email?.split('@')[0] || source,
      phone: customer.phone,
      email: customer.email,
      externalId: customer.externalId,
      locale: customer.locale,
      sourceChannel: source,
    }
    try {
      return { id: (await this.members.register(registration)).id }
    } catch (error) {
      if (!(error instanceof DomainError)) throw error
      // A racing delivery created them first: find them again.
      if (error.code === 'member_exists') return this.memberFor(source, customer)
      // A phone the programme's region cannot read still leaves email and customer id.
      if (error.code === 'invalid_input' && customer.phone)
        return this.memberFor(source, { ...customer, phone: undefined })
      throw error
    }
  }

  private async refund(orderId: string, refundId: string, amount: number): Promise<EventResult> {
    if (await this.guestSales.exists(orderId))
      await this.guestSales.refund(orderId, { id: refundId, amount })
    else await this.orders.refund(orderId, { id: refundId, amount })
    return { outcome: 'recorded' }
  }

  private async refundRest(orderId: string, refundId: string): Promise<EventResult> {
    const db = this.deps.store.db
    const sale =
      (await db
        .selectFrom('orders')
        .select(['amount', 'refundedAmount'])
        .where('id', '=', orderId)
        .executeTakeFirst()) ??
      (await db
        .selectFrom('guestSales')
        .select(['amount', 'refundedAmount'])
        .where('id', '=', orderId)
        .executeTakeFirst())
    // Cancelled before it was ever paid: there is nothing to give back.
    if (!sale) return { outcome: 'ignored', detail: `${orderId} was never recorded` }
    const rest = sale.amount - sale.refundedAmount
    if (rest <= 0) return { outcome: 'ignored', detail: `${orderId} is already refunded in full` }
    return this.refund(orderId, refundId, rest)
  }
}
