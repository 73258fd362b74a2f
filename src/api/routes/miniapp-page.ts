import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { serveStatic } from '@hono/node-server/serve-static'
import { Hono } from 'hono'
import { errorJson } from '../errors.ts'

/** Everything the page needs comes from this server: nothing loads from the internet. */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors *; base-uri 'none'; form-action 'none'"

/** The built points page under /miniapp; hashed assets are cached for good, the page never. */
export function miniappPage(dir: string): Hono {
  const app = new Hono()
  app.use('/miniapp/*', async (c, next) => {
    await next()
    c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY)
    c.header('Referrer-Policy', 'no-referrer')
    c.header('X-Content-Type-Options', 'nosniff')
    c.header(
      'Cache-Control',
      c.req.path.startsWith('/miniapp/assets/')
        ? 'public, max-age=31536000, immutable'
        : 'no-cache',
    )
  })
  app.get('/miniapp', (c) => c.redirect('/miniapp/'))
  app.get('/miniapp/', async (c, next) => {
    if (!existsSync(join(dir, 'index.html'))) {
      return errorJson(c, 503, 'miniapp_not_built', 'the mini-app is not built: run npm run build')
    }
    await next()
  })
  app.use(
    '/miniapp/*',
    serveStatic({ root: dir, rewriteRequestPath: (path) => path.replace(/^\/miniapp/, '') || '/' }),
  )
  return app
}
