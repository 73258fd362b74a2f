import { type Selectable, sql } from 'kysely'
import { z } from 'zod'
import type { Db } from '../../../db/client.ts'
import { prepared } from '../../../db/prepared.ts'
import { isUniqueViolation } from '../../../db/errors.ts'
import type { OrdersTable } from '../../../db/schema/orders.ts'
import { CLOCK_SKEW_MS } from '../../shared/clock.ts'
import { DomainError } from '../../shared/errors.ts'
import { hashJson, newId } from '../../shared/ids.ts'
import { recordEvents } from '../webhooks/events.ts'
import type { DomainDeps } from '../context.ts'
import { replayOrRefuse } from '../idempotency.ts'
import { type MemberRow, findEntryByKey, lockMembers } from '../ledger/ledger.repository.ts'
import { credit, debit } from '../ledger/ledger.service.ts'
import type { OrderFollowUps } from './follow-ups.ts'
import { shrinkPending, withoutHold } from './holds.ts'
import type { MemberView } from '../members/members.ts'
import type { MembersService } from '../members/members.service.ts'
import {
  type IssuingCap,
  type MultiplierApplied,
  type Programme,
  addDays,
  computeOrderPoints,
  expiryFor,
  issuingCapHit,
  localDate,
  localDayRange,
  proportionalShare,
  qualifyingOrderAmount,
  tierAt,
  tierIndex,
} from '../programme/programme.ts'
import type { ProgrammeService } from '../programme/programme.service.ts'
import { type AppliedBenefit, appliedBenefitSchema, benefitRefusal } from '../tiers/benefits.ts'
import { reevaluateTier, reevaluateTierValued } from '../tiers/tiers.ts'

const minorUnits = z.number().int().min(0).max(1_000_000_000_000)

export const memberRefSchema = z.union([
  z.object({ id: z.string().min(1) }).strict(),
  z.object({ phone: z.string().min(3) }).strict(),
  z.object({ email: z.string().min(3).max(254) }).strict(),
  z.object({ code: z.string().min(1) }).strict(),
  z.object({ telegramId: z.string().min(1) }).strict(),
  z.object({ wechatId: z.string().min(1) }).strict(),
  z.object({ externalId: z.string().min(1) }).strict(),
])

export const orderInputSchema = z.object({
  id: z.string().min(1).max(200),
  member: memberRefSchema,
  amount: minorUnits,
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
  items: z
    .array(
      z.object({
        sku: z.string().min(1).max(200),
        quantity: z.number().int().min(1).max(1_000_000),
        unitPrice: minorUnits,
      }),
    )
    .max(1000)
    .optional(),
  /** Off the lines, where the shop gives one: the lines less it plus shipping are the amount. */
  discount: minorUnits.optional(),
  /** Delivery charged with the order: part of the amount, earns no points. */
  shipping: minorUnits.optional(),
  placedAt: z.iso.datetime({ offset: true }).optional(),
  /** Points the member spent on this order as payment (cash offset). */
  pointsRedeemed: z.number().int().min(0).max(1_000_000_000).optional(),
  /** The benefits of the member's tier the till applied, each with what it saved; checked
   *  against what the tier grants (`benefitRefusal`) and recorded with the order. */
  benefits: z.array(appliedBenefitSchema).max(1000).optional(),
})
export type OrderInput = z.infer<typeof orderInputSchema>

export const refundInputSchema = z.object({
  /** The merchant's refund id: a retry with the same id is answered, not applied again. */
  id: z.string().min(1).max(200).optional(),
  amount: minorUnits.refine((amount) => amount > 0, 'a refund amount is more than 0'),
})
export type RefundInput = z.infer<typeof refundInputSchema>

/**
 * What every sale, a member's order or a guest sale, must satisfy: the programme's currency
 * (absent means it); a time no later than now beyond clock skew (a future date would count
 * toward a tier window or a report period that has not happened yet) and within the programme's
 * back-dating window (history is imported, not posted: an old order would earn at today's
 * rules and reopen closed periods); and, when lines are given, lines − discount + shipping equal
 * to the amount, so that per-line points add up to the order's. Returns currency and time,
 * defaults filled in.
 */
export function checkSale(
  input: Pick<OrderInput, 'amount' | 'currency' | 'placedAt' | 'items' | 'discount' | 'shipping'>,
  programme: Programme,
  now: Date,
): { currency: string; placedAt: Date } {
  const currency = input.currency ?? programme.currency
  if (currency !== programme.currency) {
    throw new DomainError(
      'invalid_input',
      `currency ${currency} is not the programme's ${programme.currency}`,
      { field: 'currency' },
    )
  }
  const placedAt = input.placedAt ? new Date(input.placedAt) : now
  if (placedAt.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    throw new DomainError(
      'order_in_future',
      `an order cannot be placed more than ${CLOCK_SKEW_MS / 60_000} minutes in the future`,
      { field: 'placedAt' },
    )
  }
  const { backdatingDays } = programme.orders
  if (placedAt.getTime() < addDays(now, -backdatingDays).getTime()) {
    throw new DomainError(
      'order_too_old',
      `an order cannot be dated more than ${backdatingDays} days back; bring older history in with the member import (POST /members/import)`,
      { field: 'placedAt', backdatingDays },
    )
  }
  const discount = input.discount ?? 0
  const shipping = input.shipping ?? 0
  const items = input.items ?? []
  if (items.length === 0) {
    if (shipping > input.amount) {
      throw new DomainError('invalid_input', `shipping ${shipping} is more than the amount`, {
        field: 'shipping',
      })
    }
    return { currency, placedAt }
  }
  const lines = items.reduce(
    (sum, item) => sum + BigInt(item.quantity) * BigInt(item.unitPrice),
    0n,
  )
  if (BigInt(discount) > lines) {
    throw new DomainError('invalid_input', `discount ${discount} is more than the lines ${lines}`, {
      field: 'discount',
    })
  }
  const sum = lines - BigInt(discount) + BigInt(shipping)
  if (sum !== BigInt(input.amount)) {
    throw new DomainError(
      'order_lines_mismatch',
      `lines ${lines} − discount ${discount} + shipping ${shipping} make ${sum}, not the amount ${input.amount}`,
      {
        field: 'items',
        lines: Number(lines),
        discount,
        shipping,
        sum: Number(sum),
        amount: input.amount,
      },
    )
  }
  return { currency, placedAt }
}

export interface OrderResult {
  orderId: string
  pointsEarned: number
  pointsRedeemed: number
  breakdown: {
    base: number
    multipliers: MultiplierApplied[]
    firstOrderBonus: number
    referralBonus: number
  }
  /** Set when the order went over an issuing cap: all its points wait for staff review. */
  pending: { id: string; points: number; cap: IssuingCap; limit: number } | null
  tierBefore: string
  tierAfter: string
  /** The benefits of `tierBefore` the till applied, as recorded. */
  benefits: AppliedBenefit[]
  member: MemberView
}

export interface RefundResult {
  refundId: string
  orderId: string
  amount: number
  refundedAmount: number
  pointsReversed: number
  pointsReturned: number
  referralCancelled: boolean
  member: MemberView
}

function referralKey(refereeId: string, side: 'referrer' | 'referee'): string {
  return `referral:${refereeId}:${side}`
}

/** The order path's fixed-shape queries, compiled once (#15). */
const firstAnswer = prepared((db, p: { id: string }) =>
  db.selectFrom('orders').select(['requestHash', 'responseJson']).where('id', '=', p.id),
)
const guestSaleById = prepared((db, p: { id: string }) =>
  db.selectFrom('guestSales').select('id').where('id', '=', p.id),
)
// Only an order that could have earned the first-order bonus uses it up.
const qualifyingOrdersBefore = prepared(
  (db, p: { memberId: string; orderId: string; least: number }) =>
    db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('memberId', '=', p.memberId)
      .where('id', '!=', p.orderId)
      .where('amount', '>=', p.least)
      // A rejected order earned nothing, so it leaves the bonus to the next one.
      .where((eb) => withoutHold(eb, ['rejected'])),
)
const earnedFromOrdersBetween = prepared(
  (db, p: { memberId: string; start: string; end: string }) =>
    db
      .selectFrom('ledgerEntries')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('points'), sql<number>`0`).as('total'))
      .where('memberId', '=', p.memberId)
      .where('reason', 'in', ['order', 'first_order_bonus'])
      .where('createdAt', '>=', p.start)
      .where('createdAt', '<', p.end),
)
// Written with its answer empty: the answer is saved once the order's points are known.
const newOrder = prepared(
  (
    db,
    p: {
      id: string
      memberId: string
      amount: number
      currency: string
      itemsJson: string
      pointsRedeemed: number
      pointsEarned: number
      requestHash: string
      programmeVersion: number
      tierCode: string
      placedAt: string
      createdAt: string
    },
  ) =>
    db
      .insertInto('orders')
      .values({
        ...p,
        pointsReversed: 0,
        pointsReturned: 0,
        refundedAmount: 0,
        status: 'completed',
        responseJson: '',
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id'),
)
const saveResponse = prepared((db, p: { id: string; responseJson: string }) =>
  db.updateTable('orders').set({ responseJson: p.responseJson }).where('id', '=', p.id),
)

export class OrdersService {
  constructor(
    private readonly deps: DomainDeps,
    private readonly programmes: ProgrammeService,
    private readonly members: MembersService,
    private readonly followUps: OrderFollowUps,
  ) {}

  /**
   * Records an order and pays its points, or holds them all for staff review when they go over
   * an issuing cap (`issuingCapHit`). The merchant's order id is the idempotency key: a
   * replay returns the first result unchanged, the same id with another body is
   * `idempotency_mismatch`, and concurrent duplicates earn once.
   */
  async ingest(input: OrderInput): Promise<OrderResult & { replayed: boolean }> {
    const requestHash = hashJson(input)
    const existing = await this.replayOf(this.deps.store.db, input.id, requestHash)
    if (existing) return existing
    const guestSale = await guestSaleById.first(this.deps.store.db, { id: input.id })
    // An id the shop already used for a guest sale never asks for the same thing.
    replayOrRefuse(
      guestSale,
      {
        sameRequest: () => false,
        refusal: `order ${input.id} was already recorded as a guest sale`,
        details: { orderId: input.id },
      },
      () => undefined,
    )
    const { version, config: programme } = await this.programmes.current()
    const now = this.deps.clock.now()
    const { currency, placedAt } = checkSale(input, programme, now)
    const items = input.items ?? []
    const member = await this.members.require(input.member)
    try {
      return await this.deps.store.transaction(async (trx) => {
        const locked = await lockMembers(trx, [
          member.id,
          ...(member.referrerId ? [member.referrerId] : []),
        ])
        let buyer = locked.get(member.id)!
        const tierBefore = tierAt(programme, Math.max(tierIndex(programme, buyer.tierCode), 0))
        // Read under the member's lock, before any write: a benefit the tier does not grant
        // refuses the whole order, and a concurrent order cannot change the tier meanwhile.
        const benefits = input.benefits ?? []
        const refusal = benefitRefusal(tierBefore, input, benefits)
        if (refusal) throw refusal
        // Only an order that could have earned the bonus uses it up: a free order before does not.
        const previousOrders = (await qualifyingOrdersBefore.first(trx, {
          memberId: buyer.id,
          orderId: input.id,
          least: qualifyingOrderAmount(programme),
        }))!
        const earned = computeOrderPoints(programme, {
          amount: input.amount,
          items,
          discount: input.discount,
          shipping: input.shipping,
          tier: tierBefore,
          placedAt,
          birthday: buyer.birthday,
          birthdayBonusYear: buyer.birthdayBonusYear,
          isFirstOrder: Number(previousOrders.count) === 0,
        })
        const common = {
          memberId: buyer.id,
          sourceType: 'order',
          sourceId: input.id,
          programmeVersion: version,
        }
        const expiresAt = expiryFor(programme.expiry, now, programme.timezone)
        const orderPoints = earned.points + earned.firstOrderBonus
        const capHit =
          orderPoints > 0
            ? issuingCapHit(
                programme,
                orderPoints,
                await this.earnedFromOrdersOn(trx, buyer.id, programme, now),
              )
            : null
        const pending = capHit ? { id: newId('pnd'), points: orderPoints, ...capHit } : null
        const pointsEarned = pending ? 0 : orderPoints
        // Written with its points known, so that the tier window sums it as it is.
        const inserted = await newOrder.first(trx, {
          id: input.id,
          memberId: buyer.id,
          amount: input.amount,
          currency,
          itemsJson: JSON.stringify(items),
          pointsRedeemed: input.pointsRedeemed ?? 0,
          pointsEarned,
          requestHash,
          programmeVersion: version,
          tierCode: tierBefore.code,
          placedAt: placedAt.toISOString(),
          createdAt: now.toISOString(),
        })
        if (!inserted) return (await this.replayOf(trx, input.id, requestHash))!
        if (benefits.length > 0) {
          await trx
            .insertInto('orderBenefits')
            .values(
              benefits.map((benefit, position) => ({
                orderId: input.id,
                position,
                tierCode: tierBefore.code,
                kind: benefit.kind,
                sku: benefit.kind === 'member_price' ? benefit.sku : null,
                amount: benefit.amount,
                placedAt: placedAt.toISOString(),
              })),
            )
            .execute()
        }
        if (pending) {
          await trx
            .insertInto('pendingPoints')
            .values({
              id: pending.id,
              orderId: input.id,
              memberId: buyer.id,
              orderPoints,
              points: orderPoints,
              cap: pending.cap,
              capLimit: pending.limit,
              status: 'pending',
              decidedBy: null,
              decidedAt: null,
              programmeVersion: version,
              createdAt: now.toISOString(),
            })
            .execute()
        }
        if (input.pointsRedeemed) {
          buyer = (
            await debit(
              trx,
              buyer,
              {
                ...common,
                points: input.pointsRedeemed,
                kind: 'redeem',
                reason: 'order_payment',
                idempotencyKey: `order:${input.id}:payment`,
                allowDebt: false,
              },
              now,
            )
          ).member
        }
        if (earned.points > 0 && !pending) {
          buyer = (
            await credit(
              trx,
              buyer,
              {
                ...common,
                points: earned.points,
                kind: 'earn',
                reason: 'order',
                idempotencyKey: `order:${input.id}:earn`,
                note:
                  earned.multipliers.map((m) => `${m.source}:${m.name}×${m.percent}%`).join(' ') ||
                  null,
                expiresAt,
              },
              now,
            )
          ).member
        }
        if (earned.firstOrderBonus > 0 && !pending) {
          buyer = (
            await credit(
              trx,
              buyer,
              {
                ...common,
                points: earned.firstOrderBonus,
                kind: 'earn',
                reason: 'first_order_bonus',
                idempotencyKey: `order:${input.id}:first_order_bonus`,
                expiresAt,
              },
              now,
            )
          ).member
        }
        if (earned.multipliers.some((m) => m.source === 'birthday')) {
          const birthdayBonusYear = Number(localDate(placedAt, programme.timezone).slice(0, 4))
          await trx
            .updateTable('members')
            .set({ birthdayBonusYear })
            .where('id', '=', buyer.id)
            .execute()
          buyer = { ...buyer, birthdayBonusYear }
        }
        const tier = await reevaluateTierValued(trx, buyer, programme, now)
        buyer = tier.member
        // A held order is not yet a purchase that pays a referral: the next one may be.
        let referralBonus = 0
        if (!pending) {
          const referral = await payReferral(trx, programme, version, locked, buyer, input, now)
          buyer = referral.buyer
          referralBonus = referral.points
        }
        await this.followUps.afterOrder(trx, programme, {
          id: input.id,
          memberId: buyer.id,
          placedAt,
          items,
        })
        const result: OrderResult = {
          orderId: input.id,
          pointsEarned,
          pointsRedeemed: input.pointsRedeemed ?? 0,
          breakdown: {
            base: earned.points,
            multipliers: earned.multipliers,
            firstOrderBonus: earned.firstOrderBonus,
            referralBonus,
          },
          pending,
          tierBefore: tierBefore.code,
          tierAfter: buyer.tierCode,
          benefits,
          member: await this.members.viewOf(buyer, trx, {
            programme,
            windowValue: tier.windowValue,
          }),
        }
        await recordEvents(
          trx,
          [
            {
              type: 'order.recorded',
              orderKey: buyer.id,
              data: {
                memberId: buyer.id,
                order: {
                  id: input.id,
                  amount: input.amount,
                  currency,
                  pointsEarned,
                  pointsRedeemed: result.pointsRedeemed,
                  pending: pending && { id: pending.id, points: pending.points },
                  placedAt: placedAt.toISOString(),
                },
              },
            },
          ],
          now,
        )
        await saveResponse.all(trx, { id: input.id, responseJson: JSON.stringify(result) })
        return { ...result, replayed: false }
      })
    } catch (error) {
      // A concurrent duplicate committed first; answer as its replay.
      if (isUniqueViolation(error)) {
        const replay = await this.replayOf(this.deps.store.db, input.id, requestHash)
        if (replay) return replay
      }
      throw error
    }
  }

  /**
   * Refunds part or all of an order. Earned points are reversed in proportion to the amount
   * refunded, cumulatively, so that all refunds together never reverse more than was earned;
   * if the member already spent them the balance goes negative (a debt settled from the next
   * earnings). Points the member paid with come back the same way, once, as a new lot that
   * expires no sooner than `refundReturnGraceDays` from now. A refund of the referral-qualifying
   * order within the lock period cancels the referral reward when the order no longer qualifies.
   */
  async refund(orderId: string, input: RefundInput): Promise<RefundResult> {
    const refundId = input.id ?? newId('rfd')
    const requestHash = hashJson({ orderId, amount: input.amount })
    const order = await this.deps.store.db
      .selectFrom('orders')
      .selectAll()
      .where('id', '=', orderId)
      .executeTakeFirst()
    if (!order) throw new DomainError('order_not_found', `no order ${orderId}`)
    const previous = await this.refundReplay(refundId, requestHash)
    if (previous) return previous
    const buyerRow = await this.deps.store.db
      .selectFrom('members')
      .select('referrerId')
      .where('id', '=', order.memberId)
      .executeTakeFirstOrThrow()
    const { version, config: programme } = await this.programmes.current()
    const now = this.deps.clock.now()
    try {
      return await this.deps.store.transaction(async (trx) => {
        const locked = await lockMembers(trx, [
          order.memberId,
          ...(buyerRow.referrerId ? [buyerRow.referrerId] : []),
        ])
        let buyer = locked.get(order.memberId)!
        const fresh = await trx
          .selectFrom('orders')
          .selectAll()
          .where('id', '=', orderId)
          .executeTakeFirstOrThrow()
        const refundedAmount = fresh.refundedAmount + input.amount
        if (refundedAmount > fresh.amount) {
          throw new DomainError(
            'refund_exceeds_order',
            `only ${fresh.amount - fresh.refundedAmount} of the order is left to refund`,
            {
              refundable: fresh.amount - fresh.refundedAmount,
            },
          )
        }
        const common = {
          memberId: buyer.id,
          sourceType: 'refund',
          sourceId: refundId,
          programmeVersion: version,
        }
        const pointsReversed =
          proportionalShare(fresh.pointsEarned, refundedAmount, fresh.amount) - fresh.pointsReversed
        if (pointsReversed > 0) {
          const orderLots = await trx
            .selectFrom('pointLots')
            .innerJoin('ledgerEntries', 'ledgerEntries.id', 'pointLots.ledgerEntryId')
            .select('pointLots.id')
            .where('ledgerEntries.sourceType', '=', 'order')
            .where('ledgerEntries.sourceId', '=', orderId)
            .execute()
          buyer = (
            await debit(
              trx,
              buyer,
              {
                ...common,
                points: pointsReversed,
                kind: 'refund',
                reason: 'order_refund',
                note: `order ${orderId}`,
                idempotencyKey: `refund:${refundId}:reverse`,
                allowDebt: true,
                preferLotIds: orderLots.map((l) => l.id),
              },
              now,
            )
          ).member
        }
        const pointsReturned =
          proportionalShare(fresh.pointsRedeemed, refundedAmount, fresh.amount) -
          fresh.pointsReturned
        if (pointsReturned > 0) {
          buyer = (
            await credit(
              trx,
              buyer,
              {
                ...common,
                points: pointsReturned,
                kind: 'return',
                reason: 'order_refund',
                note: `order ${orderId}`,
                idempotencyKey: `refund:${refundId}:return`,
                expiresAt: await this.returnedPointsExpiry(trx, programme, orderId, now),
              },
              now,
            )
          ).member
        }
        await trx
          .updateTable('orders')
          .set({
            refundedAmount,
            pointsReversed: fresh.pointsReversed + pointsReversed,
            pointsReturned: fresh.pointsReturned + pointsReturned,
            status: refundedAmount === fresh.amount ? 'refunded' : 'partially_refunded',
          })
          .where('id', '=', orderId)
          .execute()
        await shrinkPending(trx, fresh, refundedAmount, refundId, now)
        await this.followUps.afterRefund(trx, {
          orderId,
          memberId: fresh.memberId,
          fully: refundedAmount === fresh.amount,
        })
        await trx
          .insertInto('refunds')
          .values({
            id: refundId,
            orderId,
            amount: input.amount,
            pointsReversed,
            pointsReturned,
            requestHash,
            createdAt: now.toISOString(),
          })
          .execute()
        const referralCancelled = await this.cancelReferral(
          trx,
          programme,
          version,
          fresh,
          refundedAmount,
          now,
        )
        const afterReferral = await trx
          .selectFrom('members')
          .selectAll()
          .where('id', '=', buyer.id)
          .executeTakeFirstOrThrow()
        buyer = await reevaluateTier(trx, afterReferral, programme, now)
        await recordEvents(
          trx,
          [
            {
              type: 'order.refunded',
              orderKey: fresh.memberId,
              data: {
                memberId: fresh.memberId,
                refund: {
                  id: refundId,
                  orderId,
                  amount: input.amount,
                  refundedAmount,
                  pointsReversed,
                  pointsReturned,
                  fully: refundedAmount === fresh.amount,
                },
              },
            },
          ],
          now,
        )
        return {
          refundId,
          orderId,
          amount: input.amount,
          refundedAmount,
          pointsReversed,
          pointsReturned,
          referralCancelled,
          member: await this.members.view(buyer.id, trx),
        }
      })
    } catch (error) {
      if (isUniqueViolation(error)) {
        const replay = await this.refundReplay(refundId, requestHash)
        if (replay) return replay
      }
      throw error
    }
  }

  async get(orderId: string) {
    const order = await this.deps.store.db
      .selectFrom('orders')
      .selectAll()
      .where('id', '=', orderId)
      .executeTakeFirst()
    if (!order) throw new DomainError('order_not_found', `no order ${orderId}`)
    return orderView(order, await this.benefitsOf([orderId]))
  }

  /** A member's orders, the latest placed first, at most `limit` (the console's profile). */
  async ofMember(memberId: string, limit: number) {
    const rows = await this.deps.store.db
      .selectFrom('orders')
      .selectAll()
      .where('memberId', '=', memberId)
      .orderBy('placedAt', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute()
    const benefits = await this.benefitsOf(rows.map((row) => row.id))
    return rows.map((row) => orderView(row, benefits))
  }

  /** The tier benefits recorded with each of the orders, in the order the till gave them. */
  private async benefitsOf(orderIds: string[]): Promise<Map<string, AppliedBenefit[]>> {
    const byOrder = new Map<string, AppliedBenefit[]>()
    if (orderIds.length === 0) return byOrder
    const rows = await this.deps.store.db
      .selectFrom('orderBenefits')
      .select(['orderId', 'kind', 'sku', 'amount'])
      .where('orderId', 'in', orderIds)
      .orderBy('orderId')
      .orderBy('position')
      .execute()
    for (const row of rows) {
      const benefit: AppliedBenefit =
        row.kind === 'member_price'
          ? { kind: row.kind, sku: row.sku!, amount: row.amount }
          : { kind: row.kind, amount: row.amount }
      byOrder.set(row.orderId, [...(byOrder.get(row.orderId) ?? []), benefit])
    }
    return byOrder
  }

  /** Points the member earned from orders in the local day of `now` (the day cap's count). */
  private async earnedFromOrdersOn(
    trx: Db,
    memberId: string,
    programme: Programme,
    now: Date,
  ): Promise<number> {
    const day = localDayRange(now, programme.timezone)
    const row = await earnedFromOrdersBetween.first(trx, { memberId, ...day })
    return Number(row!.total)
  }

  private async replayOf(
    db: Db,
    orderId: string,
    requestHash: string,
  ): Promise<(OrderResult & { replayed: true }) | undefined> {
    const order = await firstAnswer.first(db, { id: orderId })
    return replayOrRefuse(
      order,
      {
        sameRequest: (first) => first.requestHash === requestHash,
        refusal: `order ${orderId} was already recorded with different details`,
        details: { orderId },
      },
      (first) => {
        const result = JSON.parse(first.responseJson) as OrderResult
        // Orders recorded before the issuing caps, or tier benefits, have no `pending` or
        // `benefits` in their answer.
        return {
          ...result,
          pending: result.pending ?? null,
          benefits: result.benefits ?? [],
          replayed: true as const,
        }
      },
    )
  }

  private async refundReplay(
    refundId: string,
    requestHash: string,
  ): Promise<RefundResult | undefined> {
    const refund = await this.deps.store.db
      .selectFrom('refunds')
      .selectAll()
      .where('id', '=', refundId)
      .executeTakeFirst()
    return replayOrRefuse(
      refund,
      {
        sameRequest: (first) => first.requestHash === requestHash,
        refusal: `refund ${refundId} was already recorded with different details`,
        details: { refundId },
      },
      async (first) => {
        const order = await this.deps.store.db
          .selectFrom('orders')
          .select(['memberId', 'refundedAmount'])
          .where('id', '=', first.orderId)
          .executeTakeFirstOrThrow()
        return {
          refundId,
          orderId: first.orderId,
          amount: first.amount,
          refundedAmount: order.refundedAmount,
          pointsReversed: first.pointsReversed,
          pointsReturned: first.pointsReturned,
          referralCancelled: false,
          member: await this.members.view(order.memberId),
        }
      },
    )
  }

  /** The later of the paid lots' latest expiry and the grace period; never if any lot never expired. */
  private async returnedPointsExpiry(
    trx: Db,
    programme: Programme,
    orderId: string,
    now: Date,
  ): Promise<string | null> {
    const lots = await trx
      .selectFrom('lotAllocations')
      .innerJoin('ledgerEntries', 'ledgerEntries.id', 'lotAllocations.ledgerEntryId')
      .innerJoin('pointLots', 'pointLots.id', 'lotAllocations.lotId')
      .select('pointLots.expiresAt')
      .where('ledgerEntries.idempotencyKey', '=', `order:${orderId}:payment`)
      .execute()
    if (lots.some((lot) => lot.expiresAt === null)) return null
    const grace = addDays(now, programme.refundReturnGraceDays).toISOString()
    return lots.reduce((latest, lot) => (lot.expiresAt! > latest ? lot.expiresAt! : latest), grace)
  }

  private async cancelReferral(
    trx: Db,
    programme: Programme,
    version: number,
    order: { id: string; amount: number; placedAt: string },
    refundedAmount: number,
    now: Date,
  ): Promise<boolean> {
    const { lockDays, minOrderAmount } = programme.referral
    const withinLock = now.getTime() - new Date(order.placedAt).getTime() <= lockDays * 86_400_000
    const stillQualifies =
      order.amount - refundedAmount >= qualifyingOrderAmount(programme, minOrderAmount)
    if (!withinLock || stillQualifies) return false
    const entries = await trx
      .selectFrom('ledgerEntries')
      .selectAll()
      .where('sourceType', '=', 'order')
      .where('sourceId', '=', order.id)
      .where('reason', 'in', ['referral_referrer', 'referral_referee'])
      .execute()
    let cancelled = false
    for (const entry of entries) {
      const key = `${entry.idempotencyKey}:cancel`
      if (await findEntryByKey(trx, key)) continue
      // Both members were locked at the start of the refund's transaction.
      const member = await trx
        .selectFrom('members')
        .selectAll()
        .where('id', '=', entry.memberId)
        .executeTakeFirstOrThrow()
      await debit(
        trx,
        member,
        {
          memberId: member.id,
          points: entry.points,
          kind: 'refund',
          reason: 'referral_cancelled',
          sourceType: 'order',
          sourceId: order.id,
          idempotencyKey: key,
          programmeVersion: version,
          allowDebt: true,
        },
        now,
      )
      cancelled = true
    }
    return cancelled
  }
}

/**
 * Pays the referral rewards of the buyer's first order reaching `referral.minOrderAmount`,
 * once (by their keys); the buyer and their referrer are locked by the caller. Returns the
 * buyer's reward and their row after it.
 */
export async function payReferral(
  trx: Db,
  programme: Programme,
  version: number,
  locked: Map<string, MemberRow>,
  buyer: MemberRow,
  order: { id: string; amount: number },
  now: Date,
): Promise<{ points: number; buyer: MemberRow }> {
  const { referral } = programme
  const none = { points: 0, buyer }
  if (!buyer.referrerId || order.amount < qualifyingOrderAmount(programme, referral.minOrderAmount))
    return none
  const paid = await trx
    .selectFrom('ledgerEntries')
    .select('id')
    .where('idempotencyKey', 'in', [
      referralKey(buyer.id, 'referrer'),
      referralKey(buyer.id, 'referee'),
    ])
    .executeTakeFirst()
  if (paid) return none
  const expiresAt = expiryFor(programme.expiry, now, programme.timezone)
  const common = {
    kind: 'earn' as const,
    sourceType: 'order',
    sourceId: order.id,
    programmeVersion: version,
    expiresAt,
  }
  const referrer = locked.get(buyer.referrerId)
  if (referral.referrerPoints > 0 && referrer?.status === 'active') {
    await credit(
      trx,
      referrer,
      {
        ...common,
        memberId: referrer.id,
        points: referral.referrerPoints,
        reason: 'referral_referrer',
        idempotencyKey: referralKey(buyer.id, 'referrer'),
        note: buyer.id,
      },
      now,
    )
  }
  if (referral.refereePoints > 0) {
    const { member } = await credit(
      trx,
      buyer,
      {
        ...common,
        memberId: buyer.id,
        points: referral.refereePoints,
        reason: 'referral_referee',
        idempotencyKey: referralKey(buyer.id, 'referee'),
      },
      now,
    )
    return { points: referral.refereePoints, buyer: member }
  }
  return none
}

function orderView(order: Selectable<OrdersTable>, benefits: Map<string, AppliedBenefit[]>) {
  return {
    id: order.id,
    memberId: order.memberId,
    amount: order.amount,
    currency: order.currency,
    items: JSON.parse(order.itemsJson) as OrderInput['items'],
    status: order.status,
    pointsEarned: order.pointsEarned,
    pointsRedeemed: order.pointsRedeemed,
    pointsReversed: order.pointsReversed,
    pointsReturned: order.pointsReturned,
    refundedAmount: order.refundedAmount,
    tierCode: order.tierCode,
    benefits: benefits.get(order.id) ?? [],
    placedAt: order.placedAt,
    createdAt: order.createdAt,
  }
}
