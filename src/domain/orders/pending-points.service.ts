import type { Selectable } from 'kysely'
import { z } from 'zod'
import type { Db } from '../../../db/client.ts'
import { isUniqueViolation } from '../../../db/errors.ts'
import type { PendingPointsTable } from '../../../db/schema/pending-points.ts'
import { DomainError } from '../../shared/errors.ts'
import { recordEvents } from '../webhooks/events.ts'
import type { DomainDeps } from '../context.ts'
import { type MemberRow, lockMembers } from '../ledger/ledger.repository.ts'
import { credit, record } from '../ledger/ledger.service.ts'
import type { MemberView } from '../members/members.ts'
import type { MembersService } from '../members/members.service.ts'
import {
  type IssuingCap,
  type MultiplierApplied,
  expiryFor,
  localDate,
} from '../programme/programme.ts'
import type { ProgrammeService } from '../programme/programme.service.ts'
import { reevaluateTier } from '../tiers/tiers.ts'
import { PENDING_STATUSES, type PendingStatus } from './holds.ts'
import { payReferral } from './orders.service.ts'

type PendingRow = Selectable<PendingPointsTable>

export const pendingListSchema = z.object({
  status: z.enum(PENDING_STATUSES).default('pending'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
})
export type PendingListQuery = z.input<typeof pendingListSchema>

export interface PendingPointsView {
  id: string
  orderId: string
  memberId: string
  memberName: string
  memberCode: string
  /** The order's amount (minor units) and when the till says it was placed. */
  amount: number
  placedAt: string
  /** What approval credits: the order's points less the share of the amount refunded since. */
  points: number
  orderPoints: number
  cap: IssuingCap
  capLimit: number
  status: PendingStatus
  decidedBy: string | null
  decidedAt: string | null
  createdAt: string
}

export interface PendingDecision {
  pending: PendingPointsView
  member: MemberView
  replayed: boolean
}

/**
 * Staff review of the points held by the issuing caps: approving credits them, rejecting drops
 * them, each once, under the member's lock, with the decision and its author in the ledger.
 */
export class PendingPointsService {
  constructor(
    private readonly deps: DomainDeps,
    private readonly programmes: ProgrammeService,
    private readonly members: MembersService,
  ) {}

  /** Holds with the given status, the oldest first (the review queue's order). */
  async list(query: PendingListQuery = {}): Promise<{ items: PendingPointsView[] }> {
    const { status, limit } = pendingListSchema.parse(query)
    const rows = await this.viewQuery(this.deps.store.db)
      .where('pendingPoints.status', '=', status)
      .orderBy('pendingPoints.createdAt')
      .orderBy('pendingPoints.id')
      .limit(limit)
      .execute()
    return { items: rows.map(toView) }
  }

  async get(id: string, db: Db = this.deps.store.db): Promise<PendingPointsView> {
    const row = await this.viewQuery(db).where('pendingPoints.id', '=', id).executeTakeFirst()
    if (!row) throw new DomainError('not_found', `no pending points ${id}`)
    return toView(row)
  }

  /**
   * Credits the held points as a `points_approved` entry by `actor`, expiring from now. A second
   * approval answers with the first; a hold rejected or refunded is `pending_points_decided`.
   */
  approve(id: string, actor: string): Promise<PendingDecision> {
    return this.decide(id, 'approved', actor)
  }

  /**
   * Drops the held points, recorded as a zero-point `points_rejected` entry by `actor`. The
   * order then counts as one that earned nothing: it does not use up the first-order bonus, and
   * a birthday multiplier it had taken is given back for the year.
   */
  reject(id: string, actor: string): Promise<PendingDecision> {
    return this.decide(id, 'rejected', actor)
  }

  private async decide(
    id: string,
    decision: 'approved' | 'rejected',
    actor: string,
  ): Promise<PendingDecision> {
    const { memberId } = await this.get(id)
    const { referrerId } = await this.deps.store.db
      .selectFrom('members')
      .select('referrerId')
      .where('id', '=', memberId)
      .executeTakeFirstOrThrow()
    const { version, config: programme } = await this.programmes.current()
    const now = this.deps.clock.now()
    const key = decisionKey(id, decision)
    try {
      return await this.deps.store.transaction(async (trx) => {
        const locked = await lockMembers(trx, [memberId, ...(referrerId ? [referrerId] : [])])
        let member = locked.get(memberId)!
        const hold = await trx
          .selectFrom('pendingPoints')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
        if (hold.status === decision) return this.decided(trx, id, true)
        if (hold.status !== 'pending') throw decidedRefusal(hold)
        const order = await trx
          .selectFrom('orders')
          .select(['id', 'amount', 'refundedAmount', 'placedAt', 'responseJson'])
          .where('id', '=', hold.orderId)
          .executeTakeFirstOrThrow()
        const decided = { actor, version, now, note: `${hold.cap} ${hold.id}` }
        if (decision === 'rejected') {
          await rejectHold(trx, member, hold, decided)
          if (usedBirthday(order.responseJson)) {
            await trx
              .updateTable('members')
              .set({ birthdayBonusYear: null })
              .where('id', '=', memberId)
              .where(
                'birthdayBonusYear',
                '=',
                Number(localDate(new Date(order.placedAt), programme.timezone).slice(0, 4)),
              )
              .execute()
          }
        } else {
          const write = {
            memberId,
            kind: 'earn' as const,
            reason: 'points_approved' as const,
            idempotencyKey: key,
            programmeVersion: version,
            actor,
            note: decided.note,
          }
          if (hold.points > 0) {
            // Refunds find the order's lots by the order as their source.
            member = (
              await credit(
                trx,
                member,
                {
                  ...write,
                  sourceType: 'order',
                  sourceId: order.id,
                  points: hold.points,
                  expiresAt: expiryFor(programme.expiry, now, programme.timezone),
                },
                now,
              )
            ).member
          } else {
            await record(trx, member, { ...write, sourceType: 'pending_points', sourceId: id }, now)
          }
          // The part refunded before approval counts as reversed, so that later refunds reverse
          // only what the rest of the order earned.
          await trx
            .updateTable('orders')
            .set({ pointsEarned: hold.orderPoints, pointsReversed: hold.orderPoints - hold.points })
            .where('id', '=', order.id)
            .execute()
          await setStatus(trx, id, 'approved', actor, now)
        }
        // An approved order's spend and points now count toward the tier, and it may be the
        // purchase that pays the referral, as it would have been had it not been held.
        member = await reevaluateTier(trx, member, programme, now)
        if (decision === 'approved') {
          const paid = { id: order.id, amount: order.amount - order.refundedAmount }
          await payReferral(trx, programme, version, locked, member, paid, now)
        }
        return this.decided(trx, id, false)
      })
    } catch (error) {
      // Another decision committed first under the same key: answer with it.
      if (isUniqueViolation(error)) return this.decided(this.deps.store.db, id, true)
      throw error
    }
  }

  private async decided(db: Db, id: string, replayed: boolean): Promise<PendingDecision> {
    const pending = await this.get(id, db)
    return { pending, member: await this.members.view(pending.memberId, db), replayed }
  }

  private viewQuery(db: Db) {
    return db
      .selectFrom('pendingPoints')
      .innerJoin('orders', 'orders.id', 'pendingPoints.orderId')
      .innerJoin('members', 'members.id', 'pendingPoints.memberId')
      .selectAll('pendingPoints')
      .select([
        'orders.amount',
        'orders.placedAt',
        'members.displayName as memberName',
        'members.code as memberCode',
      ])
  }
}

function toView(
  row: PendingRow & { amount: number; placedAt: string; memberName: string; memberCode: string },
): PendingPointsView {
  return {
    id: row.id,
    orderId: row.orderId,
    memberId: row.memberId,
    memberName: row.memberName,
    memberCode: row.memberCode,
    amount: row.amount,
    placedAt: row.placedAt,
    points: row.points,
    orderPoints: row.orderPoints,
    // Written only from IssuingCap and PendingStatus; the columns are plain text.
    cap: row.cap as IssuingCap,
    capLimit: row.capLimit,
    status: row.status as PendingStatus,
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt,
    createdAt: row.createdAt,
  }
}

function decisionKey(id: string, decision: 'approved' | 'rejected'): string {
  return `pending:${id}:${decision}`
}

async function setStatus(
  trx: Db,
  id: string,
  status: 'approved' | 'rejected',
  actor: string,
  now: Date,
): Promise<void> {
  const hold = await trx
    .updateTable('pendingPoints')
    .set({ status, decidedBy: actor, decidedAt: now.toISOString() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  await recordEvents(
    trx,
    [
      {
        type: status === 'approved' ? 'points.pending_approved' : 'points.pending_rejected',
        orderKey: hold.memberId,
        data: {
          memberId: hold.memberId,
          pending: {
            id: hold.id,
            orderId: hold.orderId,
            points: hold.points,
            cap: hold.cap,
            decidedBy: actor,
            decidedAt: hold.decidedAt,
          },
        },
      },
    ],
    now,
  )
}

/** Drops a hold: a zero-point `points_rejected` entry by `actor` citing it. The caller locks. */
async function rejectHold(
  trx: Db,
  member: MemberRow,
  hold: PendingRow,
  decided: { actor: string; version: number; now: Date; note: string },
): Promise<void> {
  await record(
    trx,
    member,
    {
      memberId: member.id,
      kind: 'earn',
      reason: 'points_rejected',
      sourceType: 'pending_points',
      sourceId: hold.id,
      idempotencyKey: decisionKey(hold.id, 'rejected'),
      programmeVersion: decided.version,
      actor: decided.actor,
      note: decided.note,
    },
    decided.now,
  )
  await setStatus(trx, hold.id, 'rejected', decided.actor, decided.now)
}

/**
 * Drops every hold of a member who is being erased: points the programme will never credit to
 * a closed membership leave the review queue, on the record by the erasure's actor. The caller
 * holds the member's lock.
 */
export async function dropHolds(
  trx: Db,
  member: MemberRow,
  decided: { actor: string; version: number; now: Date },
): Promise<void> {
  const holds = await trx
    .selectFrom('pendingPoints')
    .selectAll()
    .where('memberId', '=', member.id)
    .where('status', '=', 'pending')
    .execute()
  for (const hold of holds) await rejectHold(trx, member, hold, { ...decided, note: 'erasure' })
}

/** The refusal of a decision on a hold decided already (or refunded in full). */
export function decidedRefusal(hold: Pick<PendingRow, 'id' | 'status' | 'decidedBy'>): DomainError {
  return new DomainError(
    'pending_points_decided',
    `pending points ${hold.id} were already ${hold.status}`,
    { status: hold.status, decidedBy: hold.decidedBy },
  )
}

function usedBirthday(responseJson: string): boolean {
  const result = JSON.parse(responseJson) as { breakdown: { multipliers: MultiplierApplied[] } }
  return result.breakdown.multipliers.some((m) => m.source === 'birthday')
}
