import { type Selectable, sql } from 'kysely'
import type { Db } from '../../../db/client.ts'
import type { RewardsTable } from '../../../db/schema/rewards.ts'
import type { MemberRow } from '../ledger/ledger.repository.ts'
import type { Programme } from '../programme/programme.ts'
import { OUT_OF_STOCK, type RewardRefusal, type RewardUse, rewardRefusal } from './eligibility.ts'

// Shared by the rewards catalogue and lottery prizes, whose `stock` column means the same:
// units left, null for unlimited. Used together in one conditional UPDATE, they take a unit
// atomically on both databases; the row is not updated when none is left.

/** The stock after taking one unit: unlimited stays unlimited. */
export const stockLessOne = sql<number | null>`case when stock is null then null else stock - 1 end`

/** The row has a unit left to take. */
export const hasStock = sql<boolean>`(stock is null or stock > 0)`

/** Units of each reward the member received, by reward id (rewards never received are absent). */
export async function receivedBy(
  db: Db,
  memberId: string,
  rewardId?: string,
): Promise<Map<string, number>> {
  let query = db
    .selectFrom('redemptions')
    .select((eb) => ['rewardId', eb.fn.countAll<number>().as('count')])
    .where('memberId', '=', memberId)
    .where('status', '=', 'completed')
    .groupBy('rewardId')
  if (rewardId) query = query.where('rewardId', '=', rewardId)
  const rows = await query.execute()
  return new Map(rows.map((row) => [row.rewardId, Number(row.count)]))
}

/**
 * Takes one unit of a reward for a member, redeemed or won: the rules of `rewardRefusal`, then
 * the atomic decrement that settles a race for the last unit. The caller holds the member's
 * lock, which makes the per-member count exact, and writes nothing before a refusal.
 */
export async function takeUnit(
  trx: Db,
  member: MemberRow,
  reward: Selectable<RewardsTable>,
  programme: Programme,
  use: RewardUse,
  now: Date,
): Promise<RewardRefusal | null> {
  const received =
    reward.perMemberLimit === null
      ? 0
      : ((await receivedBy(trx, member.id, reward.id)).get(reward.id) ?? 0)
  const refusal = rewardRefusal(
    programme,
    { ...reward, active: reward.active === 1 },
    { tierCode: member.tierCode, pointsBalance: member.pointsBalance, received },
    now,
    use,
  )
  if (refusal) return refusal
  const taken = await trx
    .updateTable('rewards')
    .set((eb) => ({ stock: stockLessOne, issued: eb('issued', '+', 1) }))
    .where('id', '=', reward.id)
    .where(hasStock)
    .executeTakeFirst()
  return Number(taken.numUpdatedRows) === 0 ? OUT_OF_STOCK : null
}

/** Gives back a unit `takeUnit` took in the same transaction, when what it was for fell through. */
export async function returnUnit(trx: Db, rewardId: string): Promise<void> {
  await trx
    .updateTable('rewards')
    .set((eb) => ({
      stock: sql<number | null>`case when stock is null then null else stock + 1 end`,
      issued: eb('issued', '-', 1),
    }))
    .where('id', '=', rewardId)
    .execute()
}
