import { execFile } from 'node:child_process'
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { serve, type ServerType } from '@hono/node-server'
import pino from 'pino'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/api/app.ts'
import { operationIdOf } from '../../src/api/access.ts'
import { createDomain } from '../../src/domain/index.ts'
import { systemClock } from '../../src/shared/clock.ts'
import { type TestDbHandle, databases } from '../helpers/db.ts'
import { ARTIFACTS, CHROMIUM, runBrowser } from '../helpers/page-server.ts'

const run = promisify(execFile)

interface LintProblem {
  ruleId: string
  severity: string
  message: string
  location: { pointer?: string }[]
}

describe('the API reference', () => {
  let store: TestDbHandle
  let app: ReturnType<typeof createApp>
  let server: ServerType
  let base: string
  beforeAll(async () => {
    // The document does not depend on the database: one SQLite file is enough.
    store = await databases[0]!.create()
    app = createApp({
      domain: createDomain({ store, clock: systemClock }),
      logger: pino({ level: 'silent' }),
    })
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    })
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve))
    await store?.cleanup()
  })

  it('the served document lints clean with redocly: no errors and no warnings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jifen-openapi-'))
    try {
      const file = join(dir, 'openapi.json')
      writeFileSync(file, await (await app.request('/api/openapi.json')).text())
      const result = await run(
        'node_modules/.bin/redocly',
        ['lint', file, '--config', 'redocly.yaml', '--format', 'json'],
        {
          // Offline and quiet: no usage report, no version check.
          env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        },
      ).catch((error: { stdout: string }) => error)
      const report = JSON.parse(result.stdout) as { problems: LintProblem[] }
      const problems = report.problems.map(
        (p) => `${p.severity} ${p.ruleId} at ${p.location[0]?.pointer ?? '?'}: ${p.message}`,
      )
      expect(problems).toEqual([])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)

  it('names every operation by its method and path, and no two alike', async () => {
    expect(operationIdOf('GET /api/v1/members/{id}/ledger')).toBe('getV1MembersByIdLedger')
    expect(operationIdOf('DELETE /api/v1/members/{id}/tags/{tag}')).toBe(
      'deleteV1MembersByIdTagsByTag',
    )
    expect(operationIdOf('GET /api/openapi.json')).toBe('getOpenapiJson')
    const doc = (await (await app.request('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, { operationId?: string }>>
    }
    const ids = Object.values(doc.paths).flatMap((methods) =>
      Object.values(methods).map((operation) => operation.operationId),
    )
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z0-9]+$/.test(id))).toBe(true)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('the /docs page names no other host, and its assets come from this server', async () => {
    const page = await app.request('/docs')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'")
    const html = await page.text()
    const references = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)
    expect(references.length).toBeGreaterThan(0)
    for (const reference of references) {
      expect(reference).toMatch(/^\/docs\//)
      expect((await app.request(reference)).status).toBe(200)
    }
    expect(html).not.toMatch(/https?:\/\//)
  })

  it.skipIf(!runBrowser)(
    'the /docs page draws the reference in Chromium, asking nothing of any other host',
    async () => {
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--no-first-run',
          '--disable-background-networking',
        ],
      })
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
        const requested: string[] = []
        page.on('request', (request) => requested.push(request.url()))
        const blocked: string[] = []
        page.on('console', (message) => {
          if (message.text().includes('Content Security Policy')) blocked.push(message.text())
        })
        await page.goto(`${base}/docs`)
        await page.getByText('Jifen merchant API').first().waitFor()
        await page.locator('.opblock').first().waitFor()
        const doc = (await (await app.request('/api/openapi.json')).json()) as {
          paths: Record<string, object>
        }
        const operations = Object.values(doc.paths).flatMap((methods) => Object.keys(methods))
        // Every operation drawn, each under its tag: the whole document was read.
        expect(await page.locator('.opblock').count()).toBe(operations.length)
        mkdirSync(ARTIFACTS, { recursive: true })
        await page.screenshot({ path: `${ARTIFACTS}/api-reference.png`, fullPage: false })
        expect(
          requested.filter((url) => !url.startsWith(`${base}/`) && !url.startsWith('data:')),
        ).toEqual([])
        expect(requested).toContain(`${base}/api/openapi.json`)
        expect(blocked).toEqual([])
      } finally {
        await browser.close()
      }
    },
    60_000,
  )
})
