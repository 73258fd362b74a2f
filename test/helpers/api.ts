import pino from 'pino'
import { createApp } from '../../src/api/app.ts'
import { RATE_LIMIT_DEFAULTS } from '../../src/shared/rate-limits.ts'
import type { DbOptions } from '../../db/client.ts'
import type { TestDatabase } from './db.ts'
import { type DomainFixture, createFixture } from './domain.ts'

export interface ApiFixture extends DomainFixture {
  app: ReturnType<typeof createApp>
  adminKey: string
  posKey: string
  /** A JSON request through the app, as the admin key unless another key (or null) is given. */
  call(
    method: string,
    path: string,
    body?: unknown,
    options?: { key?: string | null; headers?: Record<string, string> },
  ): Promise<{
    status: number
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test reads the JSON it expects
    body: any
    headers: Headers
  }>
}

export async function createApiFixture(
  db: TestDatabase,
  options: Pick<DbOptions, 'onStatement'> = {},
): Promise<ApiFixture> {
  const fixture = await createFixture(db, undefined, options)
  const app = createApp({
    domain: fixture.domain,
    logger: pino({ level: 'silent' }),
    // Tests fire hundreds of requests at once from one key, as no till does; the limits stay on
    // (their headers on every answer) but this key's is out of reach.
    rateLimits: { ...RATE_LIMIT_DEFAULTS, apiKey: { points: 100_000, seconds: 1 } },
  })
  const adminKey = (await fixture.domain.staff.createApiKey('test admin', 'admin')).key
  const posKey = (await fixture.domain.staff.createApiKey('test till', 'pos')).key
  return {
    ...fixture,
    app,
    adminKey,
    posKey,
    async call(method, path, body, options = {}) {
      const key = options.key === undefined ? adminKey : options.key
      const headers: Record<string, string> = { ...(options.headers ?? {}) }
      if (key) headers.authorization = `Bearer ${key}`
      if (body !== undefined) headers['content-type'] = 'application/json'
      const response = await app.request(path, {
        method,
        headers,
        body:
          body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      })
      const text = await response.text()
      let parsed: unknown = text
      try {
        parsed = JSON.parse(text)
      } catch {
        // not JSON: kept as text so that the assertion shows it
      }
      return { status: response.status, body: parsed, headers: response.headers }
    },
  }
}
