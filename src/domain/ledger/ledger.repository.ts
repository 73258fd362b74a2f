import type { Insertable, Selectable } from 'kysely'
import { sql } from 'kysely'
import { prepared } from '../../../db/prepared.ts'
import type { Db } from '../../../db/client.ts'
import type { LedgerEntriesTable } from '../../../db/schema/ledger-entries.ts'
import type { MembersTable } from '../../../db/schema/members.ts'
import { DomainError } from '../../shared/errors.ts'
import { ledgerEntryEvent, recordEvents } from '../webhooks/events.ts'

export type MemberRow = Selectable<MembersTable>
export type LedgerEntryRow = Selectable<LedgerEntriesTable>

/**
 * Takes the member's row lock for the rest of the transaction (an UPDATE locks the row on
 * PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers) and returns the fresh row.
 * Every write that moves a member's points starts here, so that they never interleave.
 */
const lockedMember = prepared((db, p: { memberId: string }) =>
  db
    .updateTable('members')
    .set((eb) => ({ revision: eb('revision', '+', 1) }))
    .where('id', '=', p.memberId)
    .returningAll(),
)

export async function lockMember(trx: Db, memberId: string): Promise<MemberRow> {
  const row = await lockedMember.first(trx, { memberId })
  if (!row) throw new DomainError('member_not_found', `no member ${memberId}`)
  return row
}

/** Locks several members in id order, the one order every transaction uses (no deadlocks). */
export async function lockMembers(trx: Db, memberIds: string[]): Promise<Map<string, MemberRow>> {
  const locked = new Map<string, MemberRow>()
  for (const id of [...new Set(memberIds)].sort()) locked.set(id, await lockMember(trx, id))
  return locked
}

/**
 * The one way a ledger entry is written: the rows, and in the same transaction the event of
 * each for the webhooks' subscribers. Returns the rows as stored.
 */
export async function insertLedgerEntries(
  trx: Db,
  rows: Insertable<LedgerEntriesTable>[],
  now: Date,
): Promise<LedgerEntryRow[]> {
  const entries = await trx.insertInto('ledgerEntries').values(rows).returningAll().execute()
  await recordEvents(trx, entries.map(ledgerEntryEvent), now)
  return entries
}

/** The columns every single entry is written with, each given (null where there is none). */
export type LedgerEntryValues = Required<
  Pick<
    Insertable<LedgerEntriesTable>,
    | 'memberId'
    | 'points'
    | 'kind'
    | 'reason'
    | 'note'
    | 'sourceType'
    | 'sourceId'
    | 'idempotencyKey'
    | 'programmeVersion'
    | 'balanceAfter'
    | 'expiresAt'
    | 'actor'
    | 'createdAt'
  >
>

const newEntry = prepared((db, p: LedgerEntryValues) =>
  db.insertInto('ledgerEntries').values(p).returningAll(),
)

/** One entry, as `insertLedgerEntries` writes it, with a statement compiled once (#15). */
export async function insertLedgerEntry(
  trx: Db,
  values: LedgerEntryValues,
  now: Date,
): Promise<LedgerEntryRow> {
  const [entry] = await newEntry.all(trx, values)
  await recordEvents(trx, [ledgerEntryEvent(entry!)], now)
  return entry!
}

export async function findEntryByKey(
  trx: Db,
  idempotencyKey: string,
): Promise<LedgerEntryRow | undefined> {
  return trx
    .selectFrom('ledgerEntries')
    .selectAll()
    .where('idempotencyKey', '=', idempotencyKey)
    .executeTakeFirst()
}

/** Lots with points left, the soonest-expiring first and never-expiring last. */
export async function openLots(trx: Db, memberId: string) {
  return trx
    .selectFrom('pointLots')
    .selectAll()
    .where('memberId', '=', memberId)
    .where('remaining', '>', 0)
    .orderBy(sql`case when expires_at is null then 1 else 0 end`)
    .orderBy('expiresAt')
    .orderBy('id')
    .execute()
}

export async function ledgerSum(db: Db, memberId: string): Promise<number> {
  const row = await db
    .selectFrom('ledgerEntries')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('points'), sql<number>`0`).as('total'))
    .where('memberId', '=', memberId)
    .executeTakeFirstOrThrow()
  return Number(row.total)
}
