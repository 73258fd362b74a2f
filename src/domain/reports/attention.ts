import type { Db } from '../../../db/client.ts'
import { type LocalizedText, storedText } from '../programme/programme.ts'

/** The fewest units left at which a reward is "running out", whatever its size. */
export const LOW_STOCK_UNITS = 5
/** ...and the share of everything it ever had (left + given out), in percent. */
export const LOW_STOCK_PERCENT = 10
/** Each list of the dashboard's "needs attention" shows this many; the counts say the rest. */
export const ATTENTION_ITEMS = 10

/**
 * Whether a reward's stock is running out (docs/programme-rules.md, "Needs attention"): limited,
 * and at most max(LOW_STOCK_UNITS, LOW_STOCK_PERCENT% of left + given out) left. Out of stock
 * counts too: nobody can redeem it until the merchant restocks.
 */
export function runningOut(stock: number | null, issued: number): boolean {
  if (stock === null) return false
  const threshold = Math.max(
    LOW_STOCK_UNITS,
    Math.ceil(((stock + issued) * LOW_STOCK_PERCENT) / 100),
  )
  return stock <= threshold
}

export interface Attention {
  pendingPoints: { count: number; points: number; oldestAt: string | null }
  lowStock: { id: string; name: LocalizedText; stock: number; issued: number }[]
  prizesToFulfil: {
    count: number
    items: {
      drawId: string
      lotteryId: string
      prize: LocalizedText
      memberId: string
      memberName: string
      memberCode: string
      wonAt: string
    }[]
  }
}

/**
 * What staff should act on now: points held for review, active rewards running out of stock, and
 * won gifts (reward prizes) not yet handed over, the oldest first.
 */
export async function attention(db: Db): Promise<Attention> {
  const [pending, rewards, prizeCount, prizes] = await Promise.all([
    db
      .selectFrom('pendingPoints')
      .select((eb) => [
        eb.fn.countAll<number>().as('count'),
        eb.fn.sum<number>('points').as('points'),
        eb.fn.min('createdAt').as('oldestAt'),
      ])
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('rewards')
      .select(['id', 'nameJson', 'stock', 'issued'])
      .where('active', '=', 1)
      .where('stock', 'is not', null)
      .orderBy('stock')
      .orderBy('id')
      .execute(),
    unfulfilled(db)
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow(),
    unfulfilled(db)
      .innerJoin('members', 'members.id', 'lotteryDraws.memberId')
      .select([
        'lotteryDraws.id as drawId',
        'lotteryDraws.lotteryId',
        'lotteryPrizes.nameJson',
        'members.id as memberId',
        'members.displayName as memberName',
        'members.code as memberCode',
        'lotteryDraws.createdAt as wonAt',
      ])
      .orderBy('lotteryDraws.createdAt')
      .orderBy('lotteryDraws.id')
      .limit(ATTENTION_ITEMS)
      .execute(),
  ])
  return {
    pendingPoints: {
      count: Number(pending.count),
      points: Number(pending.points ?? 0),
      oldestAt: pending.oldestAt ?? null,
    },
    lowStock: rewards
      .filter((reward) => runningOut(reward.stock, reward.issued))
      .slice(0, ATTENTION_ITEMS)
      .map((reward) => ({
        id: reward.id,
        name: storedText(reward.nameJson),
        stock: reward.stock!,
        issued: reward.issued,
      })),
    prizesToFulfil: {
      count: Number(prizeCount.count),
      items: prizes.map(({ nameJson, ...draw }) => ({ ...draw, prize: storedText(nameJson) })),
    },
  }
}

function unfulfilled(db: Db) {
  return db
    .selectFrom('lotteryDraws')
    .innerJoin('lotteryPrizes', 'lotteryPrizes.id', 'lotteryDraws.prizeId')
    .where('lotteryPrizes.kind', '=', 'reward')
    .where('lotteryDraws.fulfilledAt', 'is', null)
}
