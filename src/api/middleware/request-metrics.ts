import { createMiddleware } from 'hono/factory'
import { routePath } from 'hono/route'
import type { Metrics } from '../../metrics/metrics.ts'

/**
 * Times every request into the latency histogram, labelled with the pattern of the route that
 * answered (`/api/v1/members/:id`), never the raw path: one series per route, however many
 * members. An unmatched path is labelled with the pattern of the last middleware it passed
 * (`*`, `/api/*`), so unknown paths add no series either.
 */
export function requestMetrics(metrics: Metrics) {
  return createMiddleware(async function requestMetricsMiddleware(c, next) {
    const started = performance.now()
    await next()
    // After next(), the route index is that of the handler that answered.
    metrics.observeRequest(
      c.req.method,
      routePath(c),
      c.res.status,
      (performance.now() - started) / 1000,
    )
  })
}
