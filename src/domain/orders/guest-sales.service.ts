import { z } from 'zod'
import { isUniqueViolation } from '../../../db/errors.ts'
import { DomainError } from '../../shared/errors.ts'
import { hashJson, newId } from '../../shared/ids.ts'
import type { DomainDeps } from '../context.ts'
import { replayOrRefuse } from '../idempotency.ts'
import type { ProgrammeService } from '../programme/programme.service.ts'
import { type RefundInput, checkSale, orderInputSchema } from './orders.service.ts'

/** An order without a member: what a till posts for a customer who is not in the programme. */
export const guestSaleInputSchema = orderInputSchema.omit({ member: true })
export type GuestSaleInput = z.infer<typeof guestSaleInputSchema>

export interface GuestSaleResult {
  orderId: string
  guest: true
  amount: number
  refundedAmount: number
  pointsEarned: 0
  placedAt: string
}

export interface GuestRefundResult {
  refundId: string
  orderId: string
  guest: true
  amount: number
  refundedAmount: number
}

/**
 * Sales to customers who are not members (guest sales): no member, no points, kept only so that
 * reports can tell the members' share of all sales (会员消费占比). Order ids are shared with the
 * members' orders: an id is either a member's order or a guest sale, and a replay with the same
 * body answers the first result, as for orders.
 */
export class GuestSalesService {
  constructor(
    private readonly deps: DomainDeps,
    private readonly programmes: ProgrammeService,
  ) {}

  async record(input: GuestSaleInput): Promise<GuestSaleResult & { replayed: boolean }> {
    if (input.pointsRedeemed) {
      throw new DomainError('invalid_input', 'only a member can pay with points', {
        field: 'pointsRedeemed',
      })
    }
    // A guest holds no tier, so no tier benefit was theirs to apply.
    if (input.benefits?.length) {
      throw new DomainError('benefit_not_granted', 'only a member has tier benefits', {
        field: 'benefits',
        kind: input.benefits[0]!.kind,
        reason: 'guest',
      })
    }
    const requestHash = hashJson({ guest: true, ...input })
    const previous = await this.replay(input.id, requestHash)
    if (previous) return previous
    await this.refuseMemberOrderId(input.id)
    const { config } = await this.programmes.current()
    const now = this.deps.clock.now()
    const { currency, placedAt } = checkSale(input, config, now)
    const inserted = await this.deps.store.db
      .insertInto('guestSales')
      .values({
        id: input.id,
        amount: input.amount,
        currency,
        refundedAmount: 0,
        requestHash,
        placedAt: placedAt.toISOString(),
        createdAt: now.toISOString(),
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .executeTakeFirst()
    // A concurrent duplicate was first: answer as its replay.
    if (!inserted) return (await this.replay(input.id, requestHash))!
    return { ...(await this.view(input.id)), replayed: false }
  }

  /** Whether `id` is a guest sale, for the refund endpoint shared with members' orders. */
  async exists(id: string): Promise<boolean> {
    const row = await this.deps.store.db
      .selectFrom('guestSales')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst()
    return row !== undefined
  }

  /** Refunds part or all of a guest sale; the refund id makes a retry answer the first result. */
  async refund(saleId: string, input: RefundInput): Promise<GuestRefundResult> {
    const refundId = input.id ?? newId('rfd')
    const requestHash = hashJson({ saleId, amount: input.amount })
    const previous = await this.refundReplay(refundId, requestHash)
    if (previous) return previous
    const now = this.deps.clock.now().toISOString()
    try {
      await this.deps.store.transaction(async (trx) => {
        // One conditional update: concurrent refunds never take more than the sale's amount.
        const updated = await trx
          .updateTable('guestSales')
          .set((eb) => ({ refundedAmount: eb('refundedAmount', '+', input.amount) }))
          .where('id', '=', saleId)
          .where((eb) => eb(eb('refundedAmount', '+', input.amount), '<=', eb.ref('amount')))
          .executeTakeFirst()
        if (Number(updated.numUpdatedRows) === 0) {
          const sale = await trx
            .selectFrom('guestSales')
            .select(['amount', 'refundedAmount'])
            .where('id', '=', saleId)
            .executeTakeFirst()
          if (!sale) throw new DomainError('order_not_found', `no order ${saleId}`)
          const refundable = sale.amount - sale.refundedAmount
          throw new DomainError(
            'refund_exceeds_order',
            `only ${refundable} of the order is left to refund`,
            { refundable },
          )
        }
        await trx
          .insertInto('guestRefunds')
          .values({ id: refundId, saleId, amount: input.amount, requestHash, createdAt: now })
          .execute()
      })
    } catch (error) {
      if (isUniqueViolation(error)) {
        const replay = await this.refundReplay(refundId, requestHash)
        if (replay) return replay
      }
      throw error
    }
    return (await this.refundReplay(refundId, requestHash))!
  }

  private async view(id: string): Promise<GuestSaleResult> {
    const row = await this.deps.store.db
      .selectFrom('guestSales')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    return {
      orderId: row.id,
      guest: true,
      amount: Number(row.amount),
      refundedAmount: Number(row.refundedAmount),
      pointsEarned: 0,
      placedAt: row.placedAt,
    }
  }

  private async replay(
    id: string,
    requestHash: string,
  ): Promise<(GuestSaleResult & { replayed: boolean }) | undefined> {
    const row = await this.deps.store.db
      .selectFrom('guestSales')
      .select('requestHash')
      .where('id', '=', id)
      .executeTakeFirst()
    return replayOrRefuse(
      row,
      {
        sameRequest: (first) => first.requestHash === requestHash,
        refusal: `order ${id} was already recorded with different details`,
        details: { orderId: id },
      },
      async () => ({ ...(await this.view(id)), replayed: true }),
    )
  }

  private async refuseMemberOrderId(id: string): Promise<void> {
    const order = await this.deps.store.db
      .selectFrom('orders')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst()
    // An id the shop already used for a member's order never asks for the same thing.
    replayOrRefuse(
      order,
      {
        sameRequest: () => false,
        refusal: `order ${id} was already recorded as a member's order`,
        details: { orderId: id },
      },
      () => undefined,
    )
  }

  private async refundReplay(
    refundId: string,
    requestHash: string,
  ): Promise<GuestRefundResult | undefined> {
    const refund = await this.deps.store.db
      .selectFrom('guestRefunds')
      .innerJoin('guestSales', 'guestSales.id', 'guestRefunds.saleId')
      .select([
        'guestRefunds.saleId',
        'guestRefunds.amount',
        'guestRefunds.requestHash',
        'guestSales.refundedAmount',
      ])
      .where('guestRefunds.id', '=', refundId)
      .executeTakeFirst()
    return replayOrRefuse(
      refund,
      {
        sameRequest: (first) => first.requestHash === requestHash,
        refusal: `refund ${refundId} was already recorded with different details`,
        details: { refundId },
      },
      (first) => ({
        refundId,
        orderId: first.saleId,
        guest: true as const,
        amount: Number(first.amount),
        refundedAmount: Number(first.refundedAmount),
      }),
    )
  }
}
