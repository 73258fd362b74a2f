import type { Db } from '../../../db/client.ts'
import { prepared } from '../../../db/prepared.ts'
import type { MemberRow } from '../ledger/ledger.repository.ts'
import { withoutHold } from '../orders/holds.ts'
import { recordEvents } from '../webhooks/events.ts'
import {
  type Programme,
  type Tier,
  addLocalMonths,
  lastLocalDay,
  qualifiedTierIndex,
  tierAt,
  tierIndex,
} from '../programme/programme.ts'

/**
 * What moved a member's tier. Only `earned` (the member's own orders) is an upgrade worth
 * congratulating; a tier bought with points, carried in by an import or set by staff is not.
 */
export type TierChangeCause = 'earned' | 'reward' | 'import' | 'staff'

/** Why a retained tier is held: kept from the last window, bought, or carried in. */
export type RetainedCause = 'window' | 'reward' | 'import'

/** The tier change reason of an upward change: `upgrade` is earned, the others name their cause. */
const UPWARD_REASON: Record<TierChangeCause, string> = {
  earned: 'upgrade',
  reward: 'reward',
  import: 'import',
  staff: 'staff',
}
export const EARNED_UPGRADE_REASON = UPWARD_REASON.earned

/**
 * The tier window that contains `now` for a member who joined at `joinedAt`: windows run
 * `windowMonths` after joining, then every window after, so an imported member's window
 * follows the date they first joined.
 */
export function windowAt(
  programme: Programme,
  joinedAt: Date,
  now: Date,
): { start: string; end: string } {
  const months = programme.tierRules.windowMonths
  const at = (n: number) => addLocalMonths(joinedAt, n * months, programme.timezone)
  let n = 0
  while (at(n + 1).getTime() <= now.getTime()) n++
  return { start: at(n).toISOString(), end: at(n + 1).toISOString() }
}

/**
 * Growth value of a member in a tier window: net spend (amount less refunds) or net points
 * earned from orders placed in [start, end), orders held by an issuing cap left out. Never the balance, so spending points never
 * demotes, while refunding the qualifying order can.
 */
/** The window's value in each basis: one compiled query each (#15). */
const windowValueBy = {
  spend: windowValueQuery('spend'),
  points: windowValueQuery('points'),
} as const

function windowValueQuery(basis: 'spend' | 'points') {
  return prepared((db, p: { memberId: string; start: string; end: string }) =>
    db
      .selectFrom('orders')
      .select((eb) =>
        basis === 'spend'
          ? eb.fn.sum<number>(eb('amount', '-', eb.ref('refundedAmount'))).as('value')
          : eb.fn.sum<number>(eb('pointsEarned', '-', eb.ref('pointsReversed'))).as('value'),
      )
      .where('memberId', '=', p.memberId)
      .where('placedAt', '>=', p.start)
      .where('placedAt', '<', p.end)
      // An order whose points are held or were rejected is no growth until staff approve it.
      .where((eb) => withoutHold(eb, ['pending', 'rejected'])),
  )
}

export async function windowValue(
  db: Db,
  memberId: string,
  programme: Programme,
  start: string,
  end: string,
): Promise<number> {
  const row = await windowValueBy[programme.tierRules.basis].first(db, { memberId, start, end })
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

/** The tier index a window closing with `value` leaves: one step down at most, or what it supports, never below the floor. */
function tierAfterWindow(programme: Programme, member: MemberRow, held: number, value: number) {
  const supported = qualifiedTierIndex(programme, value)
  const kept =
    programme.tierRules.downgrade === 'one_step' ? Math.max(supported, held - 1) : supported
  return Math.max(kept, tierIndex(programme, member.tierFloorCode), 0)
}

/** What holds a member's tier now, strongest reason first. */
export type TierHeldBy = 'purchases' | 'last_window' | 'reward' | 'import' | 'staff'

/**
 * The member's tier and its outlook, computed once for every place that shows it (the member
 * view, `/points`, the mini-app, the downgrade reminder): why the tier is held, when the window
 * ends, what the tier becomes then as things stand, and what keeping it still takes.
 */
export interface TierOutlook {
  tier: Tier
  heldBy: TierHeldBy
  windowEnd: string
  /** The last local day of the window. */
  lastDay: string
  /** The growth value still needed in the window to keep the tier; null when it is kept. */
  keepNeeds: number | null
  /** The tier the member holds after the window as it stands. */
  after: Tier
}

const RETAINED_HELD_BY: Record<RetainedCause, TierHeldBy> = {
  window: 'last_window',
  reward: 'reward',
  import: 'import',
}

export function tierOutlook(programme: Programme, member: MemberRow, value: number): TierOutlook {
  const held = Math.max(
    tierIndex(programme, member.tierCode),
    heldTierIndex(programme, member, value),
  )
  const after = tierAfterWindow(programme, member, held, value)
  const heldBy: TierHeldBy =
    qualifiedTierIndex(programme, value) >= held
      ? 'purchases'
      : tierIndex(programme, member.tierRetainedCode) >= held
        ? RETAINED_HELD_BY[(member.tierRetainedCause as RetainedCause | null) ?? 'window']
        : 'staff'
  return {
    tier: tierAt(programme, held),
    heldBy,
    windowEnd: member.tierWindowEnd,
    lastDay: lastLocalDay(member.tierWindowEnd, programme.timezone),
    keepNeeds: after >= held ? null : programme.tiers[held]!.threshold - value,
    after: tierAt(programme, after),
  }
}

/** The outlook of a member as the database has them now. */
export async function memberTierOutlook(
  db: Db,
  member: MemberRow,
  programme: Programme,
): Promise<{ outlook: TierOutlook; value: number }> {
  const value = await windowValue(
    db,
    member.id,
    programme,
    member.tierWindowStart,
    member.tierWindowEnd,
  )
  return { outlook: tierOutlook(programme, member, value), value }
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
  await recordEvents(
    trx,
    [
      {
        type: 'tier.changed',
        orderKey: member.id,
        data: { memberId: member.id, from: member.tierCode, to: toCode, reason },
      },
    ],
    now,
  )
  return { ...member, tierCode: toCode }
}

/**
 * Re-evaluates the tier after an order, a refund, a bought or imported tier or a floor set by
 * staff; `cause` is what an upward change is recorded as. The caller holds the lock.
 */
export async function reevaluateTier(
  trx: Db,
  member: MemberRow,
  programme: Programme,
  now: Date,
  cause: TierChangeCause = 'earned',
): Promise<MemberRow> {
  return (await reevaluateTierValued(trx, member, programme, now, cause)).member
}

/**
 * `reevaluateTier`, also giving the window's value it summed: a tier change moves no window,
 * so the caller may show the member's progress from it without summing the window again.
 */
export async function reevaluateTierValued(
  trx: Db,
  member: MemberRow,
  programme: Programme,
  now: Date,
  cause: TierChangeCause = 'earned',
): Promise<{ member: MemberRow; windowValue: number }> {
  const value = await windowValue(
    trx,
    member.id,
    programme,
    member.tierWindowStart,
    member.tierWindowEnd,
  )
  const target = programme.tiers[heldTierIndex(programme, member, value)]!.code
  const current = tierIndex(programme, member.tierCode)
  const reason = tierIndex(programme, target) > current ? UPWARD_REASON[cause] : 'downgrade'
  return { member: await recordTierChange(trx, member, target, reason, now), windowValue: value }
}

/**
 * Holds `tierCode` to the end of the member's current window (a tier bought with points or
 * carried in by an import), never lowering a tier retained already. The caller holds the lock.
 */
export async function holdTier(
  trx: Db,
  member: MemberRow,
  tierCode: string,
  cause: Exclude<RetainedCause, 'window'>,
  programme: Programme,
  now: Date,
): Promise<MemberRow> {
  if (tierIndex(programme, tierCode) <= tierIndex(programme, member.tierRetainedCode)) return member
  await trx
    .updateTable('members')
    .set({ tierRetainedCode: tierCode, tierRetainedCause: cause })
    .where('id', '=', member.id)
    .execute()
  return reevaluateTier(
    trx,
    { ...member, tierRetainedCode: tierCode, tierRetainedCause: cause },
    programme,
    now,
    cause,
  )
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
    const held = Math.max(tierIndex(programme, updated.tierCode), 0)
    const retained = programme.tiers[tierAfterWindow(programme, updated, held, value)]!.code
    const start = updated.tierWindowEnd
    const end = addLocalMonths(
      new Date(start),
      programme.tierRules.windowMonths,
      programme.timezone,
    ).toISOString()
    await trx
      .updateTable('members')
      .set({
        tierRetainedCode: retained,
        tierRetainedCause: 'window',
        tierWindowStart: start,
        tierWindowEnd: end,
      })
      .where('id', '=', updated.id)
      .execute()
    updated = await recordTierChange(
      trx,
      {
        ...updated,
        tierRetainedCode: retained,
        tierRetainedCause: 'window',
        tierWindowStart: start,
        tierWindowEnd: end,
      },
      retained,
      'window_end',
      now,
    )
  }
  return reevaluateTier(trx, updated, programme, now)
}
