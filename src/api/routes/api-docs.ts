import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Hono } from 'hono'

/**
 * Swagger UI reads only what this server serves: the bundle from swagger-ui-dist in
 * node_modules, the document from /api/openapi.json. The policy makes that a rule the browser
 * enforces, not a hope: a CDN script or font would be refused.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

const SWAGGER_UI_DIR = dirname(
  createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'),
)

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Jifen API reference</title>
    <link rel="stylesheet" href="/docs/swagger-ui.css" />
  </head>
  <body>
    <div id="reference"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/reference.js"></script>
  </body>
</html>
`

// A file, not an inline script, so that the policy needs no 'unsafe-inline' for scripts. The
// validator badge is off: it would send the document to a public validator.
const INIT = `window.ui = SwaggerUIBundle({
  url: '/api/openapi.json',
  dom_id: '#reference',
  validatorUrl: null,
  deepLinking: true,
  displayOperationId: true,
  defaultModelsExpandDepth: 0,
})
`

const ASSETS: Record<string, { file: string; type: string }> = {
  'swagger-ui.css': { file: 'swagger-ui.css', type: 'text/css; charset=utf-8' },
  'swagger-ui-bundle.js': { file: 'swagger-ui-bundle.js', type: 'text/javascript; charset=utf-8' },
}

/** The readable API reference at /docs, every byte of it from this server. */
export function apiDocsRoute(): Hono {
  const app = new Hono()
  const cache = new Map<string, Promise<Buffer>>()
  app.use('/docs*', async (c, next) => {
    await next()
    c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY)
    c.header('X-Content-Type-Options', 'nosniff')
  })
  app.get('/docs', (c) => c.html(PAGE))
  app.get('/docs/', (c) => c.redirect('/docs'))
  app.get('/docs/reference.js', (c) =>
    c.body(INIT, 200, { 'content-type': 'text/javascript; charset=utf-8' }),
  )
  app.get('/docs/:asset', async (c) => {
    const asset = ASSETS[c.req.param('asset')]
    if (!asset) return c.notFound()
    const name = asset.file
    // Read once per process and kept: the bundle is 1.7 MB and the same for every reader.
    let body = cache.get(name)
    if (!body) {
      body = readFile(join(SWAGGER_UI_DIR, name))
      cache.set(name, body)
    }
    return c.body(new Uint8Array(await body), 200, {
      'content-type': asset.type,
      'cache-control': 'public, max-age=3600',
    })
  })
  return app
}
