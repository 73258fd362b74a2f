import { DomainError } from '../../shared/errors.ts'
import { newId } from '../../shared/ids.ts'
import type { DomainDeps } from '../context.ts'

/** One write through the API, as the audit log keeps it. */
export interface AuditEntry {
  id: string
  at: string
  actor: { kind: 'staff' | 'api_key'; id: string; name: string; role: string }
  operation: string
  targetId: string | null
  status: number
  before: unknown
  after: unknown
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'>

export interface AuditFilter {
  actorId?: string
  operation?: string
  targetId?: string
  from?: string
  to?: string
  cursor?: string
  limit: number
}

const parse = (json: string | null): unknown => (json === null ? null : JSON.parse(json))

/** The audit log: appended to after each recorded write, read by the owner, never edited. */
export class AuditService {
  constructor(private readonly deps: DomainDeps) {}

  async record(entry: NewAuditEntry): Promise<void> {
    await this.deps.store.db
      .insertInto('auditLog')
      .values({
        id: newId('aud'),
        at: this.deps.clock.now().toISOString(),
        actorKind: entry.actor.kind,
        actorId: entry.actor.id,
        actorName: entry.actor.name,
        actorRole: entry.actor.role,
        operation: entry.operation,
        targetId: entry.targetId,
        status: entry.status,
        beforeJson: entry.before === undefined ? null : JSON.stringify(entry.before),
        afterJson: entry.after === undefined ? null : JSON.stringify(entry.after),
      })
      .execute()
  }

  /** Newest first; `from` inclusive, `to` exclusive; `nextCursor` continues after the page. */
  async list(filter: AuditFilter): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
    let query = this.deps.store.db.selectFrom('auditLog').selectAll()
    if (filter.actorId) query = query.where('actorId', '=', filter.actorId)
    if (filter.operation) query = query.where('operation', '=', filter.operation)
    if (filter.targetId) query = query.where('targetId', '=', filter.targetId)
    if (filter.from) query = query.where('at', '>=', filter.from)
    if (filter.to) query = query.where('at', '<', filter.to)
    if (filter.cursor) {
      const [at = '', id = ''] = Buffer.from(filter.cursor, 'base64url').toString('utf8').split('|')
      if (!at || !id) throw new DomainError('invalid_input', 'cursor: not one this API gave')
      query = query.where((eb) =>
        eb.or([eb('at', '<', at), eb.and([eb('at', '=', at), eb('id', '<', id)])]),
      )
    }
    const rows = await query
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit + 1)
      .execute()
    const page = rows.slice(0, filter.limit)
    const last = page[page.length - 1]
    return {
      items: page.map((row) => ({
        id: row.id,
        at: row.at,
        actor: {
          kind: row.actorKind as 'staff' | 'api_key',
          id: row.actorId,
          name: row.actorName,
          role: row.actorRole,
        },
        operation: row.operation,
        targetId: row.targetId,
        status: row.status,
        before: parse(row.beforeJson),
        after: parse(row.afterJson),
      })),
      nextCursor:
        rows.length > filter.limit && last
          ? Buffer.from(`${last.at}|${last.id}`).toString('base64url')
          : null,
    }
  }
}
