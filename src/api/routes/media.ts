import { type Context, Hono } from 'hono'
import type { Domain } from '../../domain/index.ts'
import type { StoredImage } from '../../domain/rewards/reward-images.service.ts'
import { errorJson } from '../errors.ts'

const SHA256 = /^[0-9a-f]{64}$/

/**
 * Answers a picture found by its address's hash. The address holds the picture's SHA-256, so
 * what it names never changes: browsers and proxies keep it for good, and a new picture is a
 * new address.
 */
async function picture(
  c: Context,
  sha256: string,
  find: () => Promise<StoredImage | undefined>,
): Promise<Response> {
  const etag = `"${sha256}"`
  const image = SHA256.test(sha256) ? await find() : undefined
  if (!image) return errorJson(c, 404, 'not_found', 'no such picture')
  c.header('Cache-Control', 'public, max-age=31536000, immutable')
  c.header('ETag', etag)
  c.header('X-Content-Type-Options', 'nosniff')
  c.header('Content-Security-Policy', "default-src 'none'")
  if (c.req.header('If-None-Match') === etag) return c.body(null, 304)
  c.header('Content-Type', image.contentType)
  return c.body(new Uint8Array(image.bytes), 200)
}

/**
 * The catalogue's and the campaigns' pictures, public like the page and the chat that show
 * them: an <img> carries no session, and such a picture is the merchant's advertisement, not
 * anyone's data; an address is found only from its hash.
 */
export function mediaRoutes(domain: Domain): Hono {
  const app = new Hono()
  app.get('/media/rewards/:id/:sha256', (c) => {
    const { id, sha256 } = c.req.param()
    return picture(c, sha256, () => domain.rewardImages.get(id, sha256))
  })
  app.get('/media/campaigns/:sha256', (c) => {
    const { sha256 } = c.req.param()
    return picture(c, sha256, () => domain.campaignImages.get(sha256))
  })
  return app
}
