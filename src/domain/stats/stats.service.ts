import { sql } from 'kysely'
import type { DomainDeps } from '../context.ts'
import { addDays } from '../programme/programme.ts'

export interface ProgrammeStats {
  members: number
  newThisWeek: number
  /** Members who ordered or earned points by interacting in the last 30 days. */
  active30Days: number
  pointsIssuedThisWeek: number
  pointsRedeemedThisWeek: number
  /** Points members hold now: the programme's liability. */
  pointsOutstanding: number
}

export class StatsService {
  constructor(private readonly deps: DomainDeps) {}

  async summary(): Promise<ProgrammeStats> {
    const { db } = this.deps.store
    const now = this.deps.clock.now()
    const weekAgo = addDays(now, -7).toISOString()
    const monthAgo = addDays(now, -30).toISOString()
    const members = await db
      .selectFrom('members')
      .select((eb) => [
        eb.fn.countAll<number>().as('total'),
        eb.fn
          .sum<number>(eb.case().when('joinedAt', '>=', weekAgo).then(1).else(0).end())
          .as('newThisWeek'),
        eb.fn.coalesce(eb.fn.sum<number>('pointsBalance'), sql<number>`0`).as('outstanding'),
      ])
      .where('status', '=', 'active')
      .executeTakeFirstOrThrow()
    const active = await db
      .selectFrom('ledgerEntries')
      .select((eb) => eb.fn.count<number>('memberId').distinct().as('count'))
      .where('createdAt', '>=', monthAgo)
      .where('kind', '=', 'earn')
      .executeTakeFirstOrThrow()
    const week = await db
      .selectFrom('ledgerEntries')
      .select((eb) => [
        eb.fn
          .sum<number>(
            eb.case().when('kind', 'in', ['earn', 'return']).then(eb.ref('points')).else(0).end(),
          )
          .as('issued'),
        eb.fn
          .sum<number>(eb.case().when('kind', '=', 'redeem').then(eb.ref('points')).else(0).end())
          .as('redeemed'),
      ])
      .where('createdAt', '>=', weekAgo)
      .executeTakeFirstOrThrow()
    return {
      members: Number(members.total),
      newThisWeek: Number(members.newThisWeek ?? 0),
      active30Days: Number(active.count),
      pointsIssuedThisWeek: Number(week.issued ?? 0),
      pointsRedeemedThisWeek: -Number(week.redeemed ?? 0),
      pointsOutstanding: Number(members.outstanding),
    }
  }
}
