import { sql } from 'kysely'
import type { Db } from '../../../db/client.ts'
import type { DomainDeps } from '../context.ts'
import { type MemberRow, findEntryByKey, lockMember } from '../ledger/ledger.repository.ts'
import type { LedgerReason } from '../ledger/ledger.ts'
import { credit, record } from '../ledger/ledger.service.ts'
import { type Programme, expiryFor, localDate, localDayRange } from '../programme/programme.ts'
import type { ProgrammeService } from '../programme/programme.service.ts'

/** The interactions that pay points; each is also the reason of its ledger entries. */
export type InteractionKind = Extract<LedgerReason, 'checkin' | 'quiz' | 'survey'>

export interface InteractionAward {
  /** Points actually paid: less than asked when the daily cap was reached. */
  awarded: number
  /** True when this interaction had already been rewarded (a retry, or a second check-in). */
  alreadyDone: boolean
  capped: boolean
  day: string
  balance: number
}

/**
 * Rewards interactions (check-in, quiz, survey, ...) under the programme's daily caps, counted
 * in the merchant's local day. The idempotency key makes a retried chat message pay once.
 */
export class InteractionsService {
  constructor(
    private readonly deps: DomainDeps,
    private readonly programmes: ProgrammeService,
  ) {}

  /** Daily check-in: once per member per local day of the merchant. */
  async checkIn(memberId: string): Promise<InteractionAward> {
    const { config } = await this.programmes.current()
    const day = localDate(this.deps.clock.now(), config.timezone)
    return this.award(
      memberId,
      'checkin',
      config.interactions.checkin.points,
      `checkin:${memberId}:${day}`,
    )
  }

  async award(
    memberId: string,
    kind: InteractionKind,
    points: number,
    idempotencyKey: string,
  ): Promise<InteractionAward> {
    const { version, config: programme } = await this.programmes.current()
    const now = this.deps.clock.now()
    return this.deps.store.transaction(async (trx) => {
      const member = await lockMember(trx, memberId)
      return awardInteraction(trx, member, {
        programme,
        version,
        kind,
        points,
        idempotencyKey,
        now,
      })
    })
  }
}

/**
 * Pays an interaction reward inside the caller's transaction (the caller holds the member's
 * lock): at most once per idempotency key, and never past the kind's daily cap in the
 * merchant's local day. An interaction that pays nothing is still recorded, so a retry is
 * recognised as one.
 */
export async function awardInteraction(
  trx: Db,
  locked: MemberRow,
  award: {
    programme: Programme
    version: number
    kind: InteractionKind
    points: number
    idempotencyKey: string
    now: Date
  },
): Promise<InteractionAward> {
  const { programme, version, kind, points, idempotencyKey, now } = award
  const memberId = locked.id
  const day = localDate(now, programme.timezone)
  let member = locked
  const done = await findEntryByKey(trx, idempotencyKey)
  if (done)
    return { awarded: 0, alreadyDone: true, capped: false, day, balance: member.pointsBalance }
  const cap = programme.interactions.dailyCaps[kind]
  let grant = points
  if (cap !== undefined) {
    const range = localDayRange(now, programme.timezone)
    const today = await trx
      .selectFrom('ledgerEntries')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('points'), sql<number>`0`).as('total'))
      .where('memberId', '=', memberId)
      .where('reason', '=', kind)
      .where('createdAt', '>=', range.start)
      .where('createdAt', '<', range.end)
      .executeTakeFirstOrThrow()
    grant = Math.max(0, Math.min(points, cap - Number(today.total)))
  }
  if (grant > 0) {
    const write = {
      memberId,
      points: grant,
      kind: 'earn' as const,
      reason: kind,
      sourceType: 'interaction',
      sourceId: idempotencyKey,
      idempotencyKey,
      programmeVersion: version,
      expiresAt: expiryFor(programme.expiry, now, programme.timezone),
    }
    member = (await credit(trx, member, write, now)).member
  } else {
    await record(
      trx,
      member,
      {
        memberId,
        kind: 'earn',
        reason: kind,
        note: points > 0 ? 'daily cap reached' : null,
        sourceType: 'interaction',
        sourceId: idempotencyKey,
        idempotencyKey,
        programmeVersion: version,
      },
      now,
    )
  }
  return {
    awarded: grant,
    alreadyDone: false,
    capped: grant < points,
    day,
    balance: member.pointsBalance,
  }
}
