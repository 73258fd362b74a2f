import { createHash, timingSafeEqual } from 'node:crypto'
import { Hono } from 'hono'
import type { Metrics } from '../../metrics/metrics.ts'
import { errorJson } from '../errors.ts'

const digest = (value: string) => createHash('sha256').update(value).digest()

/**
 * `GET /metrics` for Prometheus, only with `Authorization: Bearer <METRICS_TOKEN>`: the figures
 * say how busy the programme is and which channels are down, nothing for the public. Outside the
 * access table on purpose: it is no API operation and no staff role reaches it, only the scraper.
 */
export function metricsRoute(metrics: Metrics, token: string) {
  const expected = digest(token)
  const app = new Hono()
  app.get('/metrics', async (c) => {
    const given = /^Bearer (.+)$/i.exec(c.req.header('authorization') ?? '')?.[1]
    // Hashes of equal length, compared in constant time: the answer's timing tells nothing.
    if (!given || !timingSafeEqual(digest(given), expected)) {
      c.header('WWW-Authenticate', 'Bearer realm="metrics"')
      return errorJson(c, 401, 'unauthorized', 'send the METRICS_TOKEN as a bearer token')
    }
    try {
      const body = await metrics.registry.metrics()
      return c.body(body, 200, { 'content-type': metrics.registry.contentType })
    } catch {
      // The gauges read the database at each scrape.
      return errorJson(c, 503, 'database_unavailable', 'the database does not answer')
    }
  })
  return app
}
