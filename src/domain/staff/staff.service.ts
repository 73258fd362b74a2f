import { randomBytes } from 'node:crypto'
import { prepared } from '../../../db/prepared.ts'
import { DomainError } from '../../shared/errors.ts'
import { newId, randomCode, sha256Hex } from '../../shared/ids.ts'
import type { DomainDeps } from '../context.ts'
import { addDays } from '../programme/programme.ts'

/** Staff roles, weakest first: each can do everything the ones before it can. */
export const STAFF_ROLES = ['staff', 'manager', 'owner'] as const
export type StaffRole = (typeof STAFF_ROLES)[number]

/** API key roles: `pos` records orders and serves the counter; `admin` also runs the programme. */
export const API_KEY_ROLES = ['pos', 'admin'] as const
export type ApiKeyRole = (typeof API_KEY_ROLES)[number]

export interface ApiKeyRecord {
  id: string
  name: string
  prefix: string
  role: ApiKeyRole
  createdAt: string
}

const INVITE_VALID_DAYS = 7
const KEY_TOUCH_INTERVAL_MS = 60_000

/** A staff member as the console and the API show them. */
export interface StaffRecord {
  id: string
  channel: string
  externalId: string
  role: StaffRole
  displayName: string | null
  createdAt: string
}

export function roleAtLeast(role: string, needed: StaffRole): boolean {
  return STAFF_ROLES.indexOf(role as StaffRole) >= STAFF_ROLES.indexOf(needed)
}

/** Every API request checks its key with this. */
const liveApiKey = prepared((db, p: { keyHash: string }) =>
  db
    .selectFrom('apiKeys')
    .selectAll()
    .where('keyHash', '=', p.keyHash)
    .where('revokedAt', 'is', null),
)

export class StaffService {
  constructor(private readonly deps: DomainDeps) {}

  /** A one-time code (shown once, stored hashed) that makes whoever sends it to a bot staff. */
  async createInvite(role: StaffRole): Promise<{ code: string; expiresAt: string }> {
    const code = `ADM-${randomCode(4)}-${randomCode(4)}-${randomCode(4)}`
    const now = this.deps.clock.now()
    const expiresAt = addDays(now, INVITE_VALID_DAYS).toISOString()
    await this.deps.store.db
      .insertInto('staffInvites')
      .values({
        codeHash: sha256Hex(code),
        role,
        createdAt: now.toISOString(),
        expiresAt,
        usedAt: null,
        usedBy: null,
      })
      .execute()
    return { code, expiresAt }
  }

  /** Accepts an invite exactly once, even when two chats send it at the same moment. */
  async acceptInvite(
    code: string,
    channel: string,
    externalId: string,
    displayName: string | null,
  ) {
    const now = this.deps.clock.now().toISOString()
    const who = `${channel}:${externalId}`
    return this.deps.store.transaction(async (trx) => {
      const invite = await trx
        .updateTable('staffInvites')
        .set({ usedAt: now, usedBy: who })
        .where('codeHash', '=', sha256Hex(code.trim().toUpperCase()))
        .where('usedAt', 'is', null)
        .where('expiresAt', '>', now)
        .returning('role')
        .executeTakeFirst()
      if (!invite)
        throw new DomainError('invite_invalid', 'this admin code is unknown, used or expired')
      const existing = await trx
        .selectFrom('staff')
        .selectAll()
        .where('channel', '=', channel)
        .where('externalId', '=', externalId)
        .executeTakeFirst()
      if (existing) {
        const role = roleAtLeast(existing.role, invite.role as StaffRole)
          ? existing.role
          : invite.role
        await trx
          .updateTable('staff')
          .set({ role, displayName })
          .where('id', '=', existing.id)
          .execute()
        return { ...existing, role, displayName }
      }
      const row = {
        id: newId('stf'),
        channel,
        externalId,
        role: invite.role,
        displayName,
        createdAt: now,
      }
      await trx.insertInto('staff').values(row).execute()
      return row
    })
  }

  /** The staff record of a chat identity, or null for someone not on the staff. */
  async byIdentity(channel: string, externalId: string): Promise<StaffRecord | null> {
    const row = await this.deps.store.db
      .selectFrom('staff')
      .selectAll()
      .where('channel', '=', channel)
      .where('externalId', '=', externalId)
      .executeTakeFirst()
    return row ? { ...row, role: row.role as StaffRole } : null
  }

  async roleOf(channel: string, externalId: string): Promise<StaffRole | null> {
    return (await this.byIdentity(channel, externalId))?.role ?? null
  }

  /** Throws `forbidden` unless the chat identity holds at least `needed`. */
  async requireRole(channel: string, externalId: string, needed: StaffRole): Promise<StaffRole> {
    const role = await this.roleOf(channel, externalId)
    if (!role || !roleAtLeast(role, needed))
      throw new DomainError('forbidden', 'this needs a merchant role')
    return role
  }

  /** Every staff member, oldest first. */
  async list(): Promise<StaffRecord[]> {
    const rows = await this.deps.store.db
      .selectFrom('staff')
      .selectAll()
      .orderBy('createdAt')
      .orderBy('id')
      .execute()
    return rows.map((row) => ({ ...row, role: row.role as StaffRole }))
  }

  /** The staff member with this id, or else the one display name, or else `staff_not_found`. */
  async find(idOrName: string): Promise<StaffRecord> {
    const rows = await this.deps.store.db
      .selectFrom('staff')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('displayName', '=', idOrName)]))
      .execute()
    const row = rows.find((r) => r.id === idOrName) ?? (rows.length === 1 ? rows[0] : undefined)
    if (!row)
      throw new DomainError(
        'not_found',
        rows.length > 1
          ? `several staff members are called ${idOrName}; give the id`
          : 'no such staff member',
      )
    return { ...row, role: row.role as StaffRole }
  }

  /** Changes a role; it counts on the staff member's next request, in open sessions too. */
  async changeRole(id: string, role: StaffRole): Promise<StaffRecord> {
    const updated = await this.deps.store.db
      .updateTable('staff')
      .set({ role })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst()
    if (!updated) throw new DomainError('not_found', 'no such staff member')
    return { ...updated, role }
  }

  /**
   * Takes the staff member off the staff, ends every session they have and cancels the notices
   * still waiting for them, in one transaction: a request already on its way finds neither.
   */
  async revoke(id: string): Promise<void> {
    const now = this.deps.clock.now().toISOString()
    await this.deps.store.transaction(async (trx) => {
      const removed = await trx.deleteFrom('staff').where('id', '=', id).executeTakeFirst()
      if (removed.numDeletedRows === 0n) throw new DomainError('not_found', 'no such staff member')
      await trx
        .updateTable('staffSessions')
        .set({ endedAt: now })
        .where('staffId', '=', id)
        .where('endedAt', 'is', null)
        .execute()
      await trx
        .updateTable('outbox')
        .set({ status: 'cancelled', leaseOwner: null, leaseUntil: null })
        .where('staffId', '=', id)
        .where('status', 'in', ['pending', 'claimed'])
        .execute()
    })
  }

  /** Creates an API key. The key is returned once; only its SHA-256 is kept. */
  async createApiKey(
    name: string,
    role: ApiKeyRole,
  ): Promise<{ key: string; record: ApiKeyRecord }> {
    const key = `jf_${randomBytes(24).toString('base64url')}`
    const record = {
      id: newId('key'),
      name,
      prefix: key.slice(0, 8),
      role,
      createdAt: this.deps.clock.now().toISOString(),
    }
    await this.deps.store.db
      .insertInto('apiKeys')
      .values({ ...record, keyHash: sha256Hex(key), lastUsedAt: null, revokedAt: null })
      .execute()
    return { key, record }
  }

  /** The key's record, or null for an unknown or revoked key. */
  async authenticateApiKey(key: string): Promise<ApiKeyRecord | null> {
    const row = await liveApiKey.first(this.deps.store.db, { keyHash: sha256Hex(key) })
    if (!row) return null
    const now = this.deps.clock.now()
    // Recording every use would turn each read into a write; once a minute is enough to audit.
    if (
      !row.lastUsedAt ||
      now.getTime() - new Date(row.lastUsedAt).getTime() > KEY_TOUCH_INTERVAL_MS
    ) {
      await this.deps.store.db
        .updateTable('apiKeys')
        .set({ lastUsedAt: now.toISOString() })
        .where('id', '=', row.id)
        .execute()
    }
    return {
      id: row.id,
      name: row.name,
      prefix: row.prefix,
      role: row.role as ApiKeyRole,
      createdAt: row.createdAt,
    }
  }

  async revokeApiKey(id: string): Promise<void> {
    await this.deps.store.db
      .updateTable('apiKeys')
      .set({ revokedAt: this.deps.clock.now().toISOString() })
      .where('id', '=', id)
      .execute()
  }
}
