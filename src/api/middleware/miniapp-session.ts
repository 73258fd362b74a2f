import { createMiddleware } from 'hono/factory'
import type { Domain } from '../../domain/index.ts'
import { isDomainError } from '../../shared/errors.ts'
import { errorJson } from '../errors.ts'

export type MiniappEnv = { Variables: { memberId: string } }

/** Every mini-app request names its member only through the session: no member id in URLs. */
export function miniappSession(domain: Domain) {
  return createMiddleware<MiniappEnv>(async function miniappSessionMiddleware(c, next) {
    const match = /^Bearer\s+(\S+)$/i.exec(c.req.header('Authorization') ?? '')
    if (!match)
      return errorJson(c, 401, 'unauthorized', 'open the mini-app from the bot to sign in')
    try {
      c.set('memberId', await domain.miniapp.memberOf(match[1]!))
    } catch (error) {
      if (isDomainError(error)) return errorJson(c, 401, 'unauthorized', error.message)
      throw error
    }
    await next()
  })
}
