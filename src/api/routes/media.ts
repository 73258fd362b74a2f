import { Hono } from 'hono'
import type { Domain } from '../../domain/index.ts'
import { errorJson } from '../errors.ts'

/**
 * The catalogue's pictures, public like the page that shows them: an <img> carries no session,
 * and a reward's picture is the merchant's advertisement, not anyone's data. The address holds
 * the picture's SHA-256, so what it names never changes: browsers and proxies keep it for good,
 * and a new picture is a new address.
 */
export function mediaRoutes(domain: Domain): Hono {
  const app = new Hono()
  app.get('/media/rewards/:id/:sha256', async (c) => {
    const { id, sha256 } = c.req.param()
    const etag = `"${sha256}"`
    const image = /^[0-9a-f]{64}$/.test(sha256)
      ? await domain.rewardImages.get(id, sha256)
      : undefined
    if (!image) return errorJson(c, 404, 'not_found', 'no such picture')
    c.header('Cache-Control', 'public, max-age=31536000, immutable')
    c.header('ETag', etag)
    c.header('X-Content-Type-Options', 'nosniff')
    c.header('Content-Security-Policy', "default-src 'none'")
    if (c.req.header('If-None-Match') === etag) return c.body(null, 304)
    c.header('Content-Type', image.contentType)
    return c.body(new Uint8Array(image.bytes), 200)
  })
  return app
}
