import type { Db } from '../../../db/client.ts'
import { prepared } from '../../../db/prepared.ts'
import { DomainError } from '../../shared/errors.ts'
import { cursorId } from '../pagination.ts'
import type { DomainDeps } from '../context.ts'
import type { LedgerEntryView, LedgerReason, LedgerWrite } from './ledger.ts'
import {
  type LedgerEntryRow,
  type MemberRow,
  insertLedgerEntry,
  lockMember,
  openLots,
} from './ledger.repository.ts'

export interface Posted {
  entry: LedgerEntryRow
  member: MemberRow
}

async function insertEntry(
  trx: Db,
  write: LedgerWrite,
  signedPoints: number,
  balanceAfter: number,
  expiresAt: string | null,
  now: Date,
): Promise<LedgerEntryRow> {
  return insertLedgerEntry(
    trx,
    {
      memberId: write.memberId,
      points: signedPoints,
      kind: write.kind,
      reason: write.reason,
      note: write.note ?? null,
      sourceType: write.sourceType ?? null,
      sourceId: write.sourceId ?? null,
      idempotencyKey: write.idempotencyKey ?? null,
      programmeVersion: write.programmeVersion ?? null,
      balanceAfter,
      expiresAt,
      actor: write.actor ?? null,
      createdAt: now.toISOString(),
    },
    now,
  )
}

/** Every credit writes these two: compiled once (#15). */
const savedBalance = prepared(
  (db, p: { id: string; pointsBalance: number; pointsDebt: number; updatedAt: string }) =>
    db
      .updateTable('members')
      .set({ pointsBalance: p.pointsBalance, pointsDebt: p.pointsDebt, updatedAt: p.updatedAt })
      .where('id', '=', p.id),
)
const newLot = prepared(
  (
    db,
    p: {
      memberId: string
      ledgerEntryId: number
      points: number
      used: number
      remaining: number
      expiresAt: string | null
      createdAt: string
    },
  ) => db.insertInto('pointLots').values({ ...p, expired: 0 }),
)

async function saveBalance(
  trx: Db,
  member: MemberRow,
  balance: number,
  debt: number,
  now: Date,
): Promise<MemberRow> {
  await savedBalance.all(trx, {
    id: member.id,
    pointsBalance: balance,
    pointsDebt: debt,
    updatedAt: now.toISOString(),
  })
  return { ...member, pointsBalance: balance, pointsDebt: debt }
}

/**
 * Adds points as a new lot expiring at `expiresAt`. A debt the member owes (points reversed
 * when nothing was left to take them from) is settled from the new lot first.
 * The caller holds the member's lock (`lockMember`).
 */
export async function credit(
  trx: Db,
  member: MemberRow,
  write: LedgerWrite & { expiresAt: string | null },
  now: Date,
): Promise<Posted> {
  if (!Number.isSafeInteger(write.points) || write.points <= 0)
    throw new Error(`credit of ${write.points}`)
  const balance = member.pointsBalance + write.points
  const entry = await insertEntry(trx, write, write.points, balance, write.expiresAt, now)
  const settled = Math.min(member.pointsDebt, write.points)
  await newLot.all(trx, {
    memberId: member.id,
    ledgerEntryId: entry.id,
    points: write.points,
    used: settled,
    remaining: write.points - settled,
    expiresAt: write.expiresAt,
    createdAt: now.toISOString(),
  })
  return {
    entry,
    member: await saveBalance(trx, member, balance, member.pointsDebt - settled, now),
  }
}

/**
 * An entry that moves no points: an interaction worth nothing (so a retry is recognised) or a
 * decision that gives nothing (pending points rejected), on the record with its author.
 * The caller holds the member's lock.
 */
export async function record(
  trx: Db,
  member: MemberRow,
  write: Omit<LedgerWrite, 'points'>,
  now: Date,
): Promise<LedgerEntryRow> {
  return insertEntry(trx, { ...write, points: 0 }, 0, member.pointsBalance, null, now)
}

/**
 * Takes points from the member's lots, soonest-expiring first (lots listed in `preferLotIds`
 * before all others), recording which lot gave what. With `allowDebt`, points that no lot can
 * cover become a debt and the balance goes negative; without it, a short balance is refused
 * with `insufficient_points` and nothing is written. The caller holds the member's lock.
 */
export async function debit(
  trx: Db,
  locked: MemberRow,
  write: LedgerWrite & { allowDebt: boolean; preferLotIds?: number[] },
  now: Date,
): Promise<Posted> {
  if (!Number.isSafeInteger(write.points) || write.points <= 0)
    throw new Error(`debit of ${write.points}`)
  // Points past their expiry are gone even when the expiry job has not run yet.
  const member = await expireDueLots(trx, locked, now)
  if (!write.allowDebt && member.pointsBalance < write.points) {
    throw new DomainError(
      'insufficient_points',
      `balance ${member.pointsBalance} is less than ${write.points}`,
      {
        balance: member.pointsBalance,
        required: write.points,
      },
    )
  }
  const preferred = new Set(write.preferLotIds ?? [])
  const lots = (await openLots(trx, member.id)).sort(
    (a, b) => Number(preferred.has(b.id)) - Number(preferred.has(a.id)),
  )
  const balance = member.pointsBalance - write.points
  const entry = await insertEntry(trx, write, -write.points, balance, null, now)
  let left = write.points
  for (const lot of lots) {
    if (left === 0) break
    const take = Math.min(left, lot.remaining)
    left -= take
    await trx
      .updateTable('pointLots')
      .set((eb) => ({ remaining: eb('remaining', '-', take), used: eb('used', '+', take) }))
      .where('id', '=', lot.id)
      .execute()
    await trx
      .insertInto('lotAllocations')
      .values({ ledgerEntryId: entry.id, lotId: lot.id, points: take })
      .execute()
  }
  return { entry, member: await saveBalance(trx, member, balance, member.pointsDebt + left, now) }
}

/** Pays a member's debt out of their open lots; the balance does not change, so no entry. */
export async function settleDebtFromLots(
  trx: Db,
  member: MemberRow,
  now: Date,
): Promise<MemberRow> {
  let debt = member.pointsDebt
  if (debt === 0) return member
  for (const lot of await openLots(trx, member.id)) {
    if (debt === 0) break
    const take = Math.min(debt, lot.remaining)
    debt -= take
    await trx
      .updateTable('pointLots')
      .set((eb) => ({ remaining: eb('remaining', '-', take), used: eb('used', '+', take) }))
      .where('id', '=', lot.id)
      .execute()
  }
  return saveBalance(trx, member, member.pointsBalance, debt, now)
}

/**
 * Expires the member's lots whose expiry has passed, one ledger entry per lot. The caller holds
 * the member's lock, so a lot is never both spent and expired, and a second run finds nothing.
 */
export async function expireDueLots(trx: Db, member: MemberRow, now: Date): Promise<MemberRow> {
  const lots = await trx
    .selectFrom('pointLots')
    .selectAll()
    .where('memberId', '=', member.id)
    .where('remaining', '>', 0)
    .where('expiresAt', 'is not', null)
    .where('expiresAt', '<=', now.toISOString())
    .orderBy('id')
    .execute()
  let updated = member
  for (const lot of lots) {
    const balance = updated.pointsBalance - lot.remaining
    await insertEntry(
      trx,
      {
        memberId: member.id,
        points: lot.remaining,
        kind: 'expire',
        reason: 'expiry',
        sourceType: 'lot',
        sourceId: String(lot.id),
        idempotencyKey: `expire:${lot.id}`,
      },
      -lot.remaining,
      balance,
      null,
      now,
    )
    await trx
      .updateTable('pointLots')
      .set((eb) => ({ remaining: 0, expired: eb('expired', '+', lot.remaining) }))
      .where('id', '=', lot.id)
      .execute()
    updated = await saveBalance(trx, updated, balance, updated.pointsDebt, now)
  }
  return updated
}

export function toEntryView(row: LedgerEntryRow): LedgerEntryView {
  return {
    id: String(row.id),
    points: row.points,
    kind: row.kind,
    // Entries are written only with a LedgerReason; the column is plain text.
    reason: row.reason as LedgerReason,
    note: row.note,
    sourceType: row.sourceType,
    sourceId: row.sourceId,
    balanceAfter: row.balanceAfter,
    expiresAt: row.expiresAt,
    createdAt: row.createdAt,
  }
}

export class LedgerService {
  constructor(private readonly deps: DomainDeps) {}

  /** A member's entries, newest first; `cursor` is the `nextCursor` of the previous page. */
  async history(memberId: string, options: { cursor?: string; limit?: number } = {}) {
    const limit = Math.min(Math.max(options.limit ?? 20, 1), 100)
    let query = this.deps.store.db
      .selectFrom('ledgerEntries')
      .selectAll()
      .where('memberId', '=', memberId)
      .orderBy('id', 'desc')
      .limit(limit + 1)
    if (options.cursor !== undefined) query = query.where('id', '<', cursorId(options.cursor))
    const rows = await query.execute()
    const page = rows.slice(0, limit)
    return {
      items: page.map(toEntryView),
      nextCursor: rows.length > limit ? String(page[page.length - 1]!.id) : null,
    }
  }

  /**
   * Expires every lot whose expiry has passed, one ledger entry per lot. Safe to run twice or
   * in several processes at once, and against concurrent redemptions: each member's lots are
   * re-read under the member's lock, so a point is never expired after it was spent.
   */
  async expireDue(): Promise<{ members: number; points: number }> {
    const now = this.deps.clock.now()
    const nowIso = now.toISOString()
    const due = await this.deps.store.db
      .selectFrom('pointLots')
      .select('memberId')
      .distinct()
      .where('remaining', '>', 0)
      .where('expiresAt', 'is not', null)
      .where('expiresAt', '<=', nowIso)
      .execute()
    let points = 0
    for (const { memberId } of due) {
      points += await this.deps.store.transaction(async (trx) => {
        const before = await lockMember(trx, memberId)
        const after = await expireDueLots(trx, before, now)
        return before.pointsBalance - after.pointsBalance
      })
    }
    return { members: due.length, points }
  }
}
