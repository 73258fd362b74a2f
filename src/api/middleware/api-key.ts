import { createMiddleware } from 'hono/factory'
import type { ApiKeyRole, StaffRole } from '../../domain/staff/staff.service.ts'
import { STAFF_SESSION_PREFIX } from '../../domain/staff/staff-sessions.service.ts'
import type { Domain } from '../../domain/index.ts'
import { isDomainError } from '../../shared/errors.ts'
import { errorJson } from '../errors.ts'

/**
 * Who is calling a staff operation: a till or a server with an API key, or a staff member
 * signed in to the console, whose role is the one the staff records hold at this request.
 */
export type Caller =
  | { kind: 'api_key'; id: string; name: string; apiKeyRole: ApiKeyRole }
  | { kind: 'staff'; id: string; name: string; role: StaffRole }

export type ApiEnv = { Variables: { caller: Caller } }

/** How a write names its author in the ledger and the other records it leaves. */
export function actorOf(caller: Caller): string {
  return caller.kind === 'api_key' ? `api:${caller.name}` : `staff:${caller.id}`
}

/**
 * Requires `Authorization: Bearer <api key>` or `Bearer jfs_<staff session>`: a key is looked up
 * by its hash, a session by its hash and its staff member's current record.
 */
export function apiKeyAuth(domain: Domain) {
  return createMiddleware<ApiEnv>(async function apiKeyAuthMiddleware(c, next) {
    const header = c.req.header('Authorization') ?? ''
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    if (!match)
      return errorJson(
        c,
        401,
        'unauthorized',
        'send an API key or a console session as Authorization: Bearer <key>',
      )
    const token = match[1]!
    if (token.startsWith(STAFF_SESSION_PREFIX)) {
      try {
        const staff = await domain.staffSessions.principalOf(token)
        c.set('caller', { kind: 'staff', id: staff.staffId, name: staff.name, role: staff.role })
      } catch (error) {
        if (isDomainError(error)) return errorJson(c, 401, 'unauthorized', error.message)
        throw error
      }
      return next()
    }
    const record = await domain.staff.authenticateApiKey(token)
    if (!record) return errorJson(c, 401, 'unauthorized', 'this API key is unknown or revoked')
    c.set('caller', { kind: 'api_key', id: record.id, name: record.name, apiKeyRole: record.role })
    await next()
  })
}
