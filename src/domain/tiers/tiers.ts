import type { Db } from '../../../db/client.ts'
import type { MemberRow } from '../ledger/ledger.repository.ts'
import {
  type Programme,
  addLocalMonths,
  qualifiedTierIndex,
  tierIndex,
} from '../programme/programme.ts'

/**
 * Growth value of a member in a tier window: net spend (amount less refunds) or net points
 * earned from orders placed in [start, end). Never the balance, so spending points never
 * demotes, while refunding the qualifying order can.
 */
export async function windowValue(
  db: Db,
  memberId: string,
  programme: Programme,
  start: string,
  end: string,
): Promise<number> {
  const row = await db
    .selectFrom('orders')
    .select((eb) =>
      programme.tierRules.basis === 'spend'
        ? eb.fn.sum<number>(eb('amount', '-', eb.ref('refundedAmount'))).as('value')
        : eb.fn.sum<number>(eb('pointsEarned', '-', eb.ref('pointsReversed'))).as('value'),
    )
    .where('memberId', '=', memberId)
    .where('placedAt', '>=', start)
    .where('placedAt', '<', end)
    .executeTakeFirst()
  return Number(row?.value ?? 0)
}

/** The tier a member holds now: the best of the window's qualification, the tier retained
 *  from the last window (or bought with points) and the floor a merchant set by hand. */
export function heldTierIndex(programme: Programme, member: MemberRow, value: number): number {
  return Math.max(
    qualifiedTierIndex(programme, value),
    tierIndex(programme, member.tierRetainedCode),
    tierIndex(programme, member.tierFloorCode),
    0,
  )
}

async function recordTierChange(
  trx: Db,
  member: MemberRow,
  toCode: string,
  reason: string,
  now: Date,
): Promise<MemberRow> {
  if (toCode === member.tierCode) return member
  await trx.updateTable('members').set({ tierCode: toCode }).where('id', '=', member.id).execute()
  await trx
    .insertInto('tierChanges')
    .values({
      memberId: member.id,
      fromCode: member.tierCode,
      toCode,
      reason,
      createdAt: now.toISOString(),
    })
    .execute()
  return { ...member, tierCode: toCode }
}

/** Re-evaluates the tier after an order, a refund or a bought upgrade. The caller holds the lock. */
export async function reevaluateTier(
  trx: Db,
  member: MemberRow,
  programme: Programme,
  now: Date,
): Promise<MemberRow> {
  const value = await windowValue(
    trx,
    member.id,
    programme,
    member.tierWindowStart,
    member.tierWindowEnd,
  )
  const target = programme.tiers[heldTierIndex(programme, member, value)]!.code
  const current = tierIndex(programme, member.tierCode)
  const reason = tierIndex(programme, target) > current ? 'upgrade' : 'downgrade'
  return recordTierChange(trx, member, target, reason, now)
}

/**
 * Closes every window of the member that ended by `now` (several, after a long downtime):
 * the tier the closing window supports is kept for the next window; below it the member
 * drops one tier or straight to what the window supports, as the programme states.
 */
export async function closeWindows(
  trx: Db,
  member: MemberRow,
  programme: Programme,
  now: Date,
): Promise<MemberRow> {
  let updated = member
  const nowIso = now.toISOString()
  while (updated.tierWindowEnd <= nowIso) {
    const value = await windowValue(
      trx,
      updated.id,
      programme,
      updated.tierWindowStart,
      updated.tierWindowEnd,
    )
    const supported = qualifiedTierIndex(programme, value)
    const held = Math.max(tierIndex(programme, updated.tierCode), 0)
    const kept =
      programme.tierRules.downgrade === 'one_step' ? Math.max(supported, held - 1) : supported
    const retained =
      programme.tiers[Math.max(kept, tierIndex(programme, updated.tierFloorCode))]!.code
    const start = updated.tierWindowEnd
    const end = addLocalMonths(
      new Date(start),
      programme.tierRules.windowMonths,
      programme.timezone,
    ).toISOString()
    await trx
      .updateTable('members')
      .set({ tierRetainedCode: retained, tierWindowStart: start, tierWindowEnd: end })
      .where('id', '=', updated.id)
      .execute()
    updated = await recordTierChange(
      trx,
      { ...updated, tierRetainedCode: retained, tierWindowStart: start, tierWindowEnd: end },
      retained,
      'window_end',
      now,
    )
  }
  return reevaluateTier(trx, updated, programme, now)
}
