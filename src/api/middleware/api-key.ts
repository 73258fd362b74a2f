import { createMiddleware } from 'hono/factory'
import type { ApiKeyRecord, ApiKeyRole } from '../../domain/staff/staff.service.ts'
import type { Domain } from '../../domain/index.ts'
import { errorJson } from '../errors.ts'

export type ApiEnv = { Variables: { apiKey: ApiKeyRecord } }

/** Requires `Authorization: Bearer <api key>`; the key is looked up by its hash. */
export function apiKeyAuth(domain: Domain) {
  return createMiddleware<ApiEnv>(async function apiKeyAuthMiddleware(c, next) {
    const header = c.req.header('Authorization') ?? ''
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    if (!match)
      return errorJson(c, 401, 'unauthorized', 'send an API key as Authorization: Bearer <key>')
    const record = await domain.staff.authenticateApiKey(match[1]!)
    if (!record) return errorJson(c, 401, 'unauthorized', 'this API key is unknown or revoked')
    c.set('apiKey', record)
    await next()
  })
}

/** Admin-only routes: a `pos` key (a till, a shop system) gets 403. */
export function requireRole(role: ApiKeyRole) {
  return createMiddleware<ApiEnv>(async function requireRoleMiddleware(c, next) {
    if (role === 'admin' && c.get('apiKey').role !== 'admin') {
      return errorJson(c, 403, 'forbidden', 'this needs an admin API key')
    }
    await next()
  })
}
