import { createMiddleware } from 'hono/factory'
import type { ApiKeyRecord } from '../../domain/staff/staff.service.ts'
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
