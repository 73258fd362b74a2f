import { createMiddleware } from 'hono/factory'
import type { Logger } from 'pino'

/** One line per request. The query string is left out: it can hold a member's phone number. */
export function requestLog(logger: Logger) {
  return createMiddleware(async function requestLogMiddleware(c, next) {
    const started = performance.now()
    await next()
    logger.info(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      'request',
    )
  })
}
