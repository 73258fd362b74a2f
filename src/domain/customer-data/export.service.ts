import type { Selectable } from 'kysely'
import { z } from 'zod'
import type { MembersTable } from '../../../db/schema/members.ts'
import { DomainError } from '../../shared/errors.ts'
import type { DomainDeps } from '../context.ts'
import { type Cell, toCsv } from './csv.ts'
import { MEMBER_COLUMNS, type MemberColumn } from './member-columns.ts'

/** The saved segments' members, page by page (the segments service). */
export interface SegmentMembers {
  memberIds(id: string, page: { after?: string; limit: number }): Promise<string[]>
}

/** Rows read per query: large programmes are streamed page by page, never loaded whole. */
const PAGE = 500

export const EXPORT_KINDS = ['members', 'ledger', 'orders'] as const
export type ExportKind = (typeof EXPORT_KINDS)[number]

export const exportFilterSchema = z.object({
  /** Ledger entries created, or orders placed, at or after this instant. */
  from: z.iso.datetime({ offset: true }).optional(),
  /** ...and before this one. */
  to: z.iso.datetime({ offset: true }).optional(),
  /** Only the members this saved segment selects now (the members export only). */
  segment: z.string().min(1).max(100).optional(),
})
export type ExportFilter = z.infer<typeof exportFilterSchema>

const LEDGER_COLUMNS = [
  'id',
  'created_at',
  'member_id',
  'member_code',
  'kind',
  'reason',
  'points',
  'balance_after',
  'expires_at',
  'source_type',
  'source_id',
  'note',
  'actor',
]

const ORDER_COLUMNS = [
  'id',
  'placed_at',
  'member_id',
  'member_code',
  'status',
  'currency',
  'amount',
  'refunded_amount',
  'points_earned',
  'points_redeemed',
  'points_reversed',
  'points_returned',
  'items',
]

/** Minor units as a decimal in the currency's own digits (25900 CNY → 259.00), exactly. */
export function decimalAmount(minor: number, currency: string): string {
  let digits = 2
  try {
    digits =
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
        .maximumFractionDigits ?? 2
  } catch {
    // An unknown currency code keeps two digits.
  }
  if (digits === 0) return String(minor)
  const sign = minor < 0 ? '-' : ''
  const abs = String(Math.abs(minor)).padStart(digits + 1, '0')
  return `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`
}

/**
 * CSV exports of members, the ledger and orders (导出). Each is an async sequence of CSV text
 * chunks, read page by page in key order, so that a programme of any size streams out in
 * constant memory. The first chunk starts with a byte order mark and the header line, so that
 * Excel opens Chinese text correctly; every text cell is neutralised against spreadsheet
 * formulas (see csv.ts), which the member import undoes.
 */
export class ExportService {
  constructor(
    private readonly deps: DomainDeps,
    private readonly segments: SegmentMembers,
  ) {}

  /** Throws `invalid_input` for a segment with another kind than members. */
  export(kind: ExportKind, filter: ExportFilter = {}): AsyncGenerator<string> {
    if (filter.segment && kind !== 'members')
      throw new DomainError('invalid_input', 'only the members export takes a segment', {
        field: 'segment',
      })
    if (kind === 'members') return this.members(filter.segment)
    if (kind === 'ledger') return this.ledger(filter)
    return this.orders(filter)
  }

  /**
   * Active members (or those a saved segment selects now), in the columns the member import
   * reads: exported, they import again. Throws `not_found` for an unknown segment before the
   * first chunk.
   */
  members(segment?: string): AsyncGenerator<string> {
    const page = segment
      ? async (after: string) => {
          const ids = await this.segments.memberIds(segment, { after, limit: PAGE })
          return ids.length
            ? this.deps.store.db
                .selectFrom('members')
                .selectAll()
                .where('id', 'in', ids)
                .orderBy('id')
                .execute()
            : []
        }
      : (after: string) =>
          this.deps.store.db
            .selectFrom('members')
            .selectAll()
            .where('status', '=', 'active')
            .where('id', '>', after)
            .orderBy('id')
            .limit(PAGE)
            .execute()
    return this.memberRows(page)
  }

  private async *memberRows(
    page: (after: string) => Promise<Selectable<MembersTable>[]>,
  ): AsyncGenerator<string> {
    const { db } = this.deps.store
    let members = await page('')
    yield toCsv([], { header: [...MEMBER_COLUMNS], bom: true })
    for (;;) {
      if (members.length === 0) return
      const ids = members.map((m) => m.id)
      const [identities, tags] = await Promise.all([
        db.selectFrom('memberIdentities').selectAll().where('memberId', 'in', ids).execute(),
        db.selectFrom('memberTags').selectAll().where('memberId', 'in', ids).execute(),
      ])
      yield toCsv(
        members.map((m) => {
          const chat = (channel: string) =>
            identities.find((i) => i.memberId === m.id && i.channel === channel)?.externalId
          const row: Record<MemberColumn, Cell> = {
            code: m.code,
            external_id: m.externalId,
            name: m.displayName,
            phone: m.phone,
            email: m.email,
            birthday: m.birthday,
            gender: m.gender,
            region: m.region,
            locale: m.locale,
            tier: m.tierCode,
            tags: tags
              .filter((t) => t.memberId === m.id)
              .map((t) => t.tag)
              .sort()
              .join(';'),
            points: m.pointsBalance,
            marketing_consent: m.marketingConsent === 1,
            joined_at: m.joinedAt,
            telegram_id: chat('telegram'),
            wechat_id: chat('wechat'),
            official_openid: chat('wechat_official'),
          }
          return MEMBER_COLUMNS.map((column) => row[column])
        }),
      )
      members = await page(ids[ids.length - 1]!)
    }
  }

  /** Every ledger entry, oldest first, with the member's code for a spreadsheet look-up. */
  async *ledger(filter: ExportFilter): AsyncGenerator<string> {
    const { db } = this.deps.store
    yield toCsv([], { header: LEDGER_COLUMNS, bom: true })
    for (let after = 0; ;) {
      let query = db
        .selectFrom('ledgerEntries')
        .innerJoin('members', 'members.id', 'ledgerEntries.memberId')
        .selectAll('ledgerEntries')
        .select('members.code')
        .where('ledgerEntries.id', '>', after)
        .orderBy('ledgerEntries.id')
        .limit(PAGE)
      if (filter.from) query = query.where('ledgerEntries.createdAt', '>=', iso(filter.from))
      if (filter.to) query = query.where('ledgerEntries.createdAt', '<', iso(filter.to))
      const rows = await query.execute()
      if (rows.length === 0) return
      yield toCsv(
        rows.map((e) => [
          e.id,
          e.createdAt,
          e.memberId,
          e.code,
          e.kind,
          e.reason,
          e.points,
          e.balanceAfter,
          e.expiresAt,
          e.sourceType,
          e.sourceId,
          e.note,
          e.actor,
        ]),
      )
      after = rows[rows.length - 1]!.id
    }
  }

  /** Every order by its id, amounts as decimals of their currency, items as JSON. */
  async *orders(filter: ExportFilter): AsyncGenerator<string> {
    const { db } = this.deps.store
    yield toCsv([], { header: ORDER_COLUMNS, bom: true })
    for (let after = ''; ;) {
      let query = db
        .selectFrom('orders')
        .innerJoin('members', 'members.id', 'orders.memberId')
        .selectAll('orders')
        .select('members.code')
        .where('orders.id', '>', after)
        .orderBy('orders.id')
        .limit(PAGE)
      if (filter.from) query = query.where('orders.placedAt', '>=', iso(filter.from))
      if (filter.to) query = query.where('orders.placedAt', '<', iso(filter.to))
      const rows = await query.execute()
      if (rows.length === 0) return
      yield toCsv(
        rows.map((o) => [
          o.id,
          o.placedAt,
          o.memberId,
          o.code,
          o.status,
          o.currency,
          decimalAmount(o.amount, o.currency),
          decimalAmount(o.refundedAmount, o.currency),
          o.pointsEarned,
          o.pointsRedeemed,
          o.pointsReversed,
          o.pointsReturned,
          o.itemsJson,
        ]),
      )
      after = rows[rows.length - 1]!.id
    }
  }
}

/** Stored instants are UTC ISO strings, so a bound given with an offset is compared in UTC. */
function iso(instant: string): string {
  return new Date(instant).toISOString()
}
