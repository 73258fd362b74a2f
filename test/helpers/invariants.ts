import { expect } from 'vitest'
import type { Db } from '../../db/client.ts'

/**
 * The ledger's invariants, for every member: the cached balance equals the sum of the ledger
 * and equals the lots' remaining points less the debt; every lot has issued = used + expired +
 * remaining (also a CHECK constraint); debt is never owed while points are left in a lot.
 */
export async function expectLedgerConsistent(db: Db): Promise<void> {
  const members = await db
    .selectFrom('members')
    .select(['id', 'pointsBalance', 'pointsDebt'])
    .execute()
  const sums = await db
    .selectFrom('ledgerEntries')
    .select((eb) => ['memberId', eb.fn.sum<number>('points').as('total')])
    .groupBy('memberId')
    .execute()
  const lots = await db.selectFrom('pointLots').selectAll().execute()
  const ledger = new Map(sums.map((s) => [s.memberId, Number(s.total)]))
  for (const member of members) {
    const remaining = lots
      .filter((l) => l.memberId === member.id)
      .reduce((sum, l) => sum + l.remaining, 0)
    expect({ id: member.id, balance: member.pointsBalance }).toEqual({
      id: member.id,
      balance: ledger.get(member.id) ?? 0,
    })
    expect({ id: member.id, balance: member.pointsBalance }).toEqual({
      id: member.id,
      balance: remaining - member.pointsDebt,
    })
    if (member.pointsDebt > 0) expect(remaining).toBe(0)
  }
  for (const lot of lots) expect(lot.points).toBe(lot.used + lot.expired + lot.remaining)
}
