import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import pino from 'pino'
import { OPERATIONS, accessGuard, documentAccess } from '../../src/api/access.ts'
import { rateLimiters } from '../../src/api/middleware/rate-limit.ts'
import { STAFF_ROLES, type StaffRole, roleAtLeast } from '../../src/domain/staff/staff.service.ts'
import { RATE_LIMIT_DEFAULTS } from '../../src/shared/rate-limits.ts'
import { type ApiFixture, createApiFixture } from '../helpers/api.ts'
import { available, databases } from '../helpers/db.ts'

interface Operation {
  'x-required-role'?: string
  responses?: Record<string, unknown>
  security?: Record<string, string[]>[]
  description?: string
}
type Document = { paths: Record<string, Record<string, Operation>> }

const ROLE = /^(public|member|staff|manager|owner)$/

for (const db of databases) {
  describe.skipIf(!available(db))(
    `who may call what [${db.name}${available(db) ? '' : ': skipped, TEST_DATABASE_URL not set'}]`,
    () => {
      let api: ApiFixture
      let document: Document
      beforeAll(async () => {
        api = await createApiFixture(db)
        document = (await api.call('GET', '/api/openapi.json', undefined, { key: null })).body
      })
      afterAll(async () => {
        await api?.store.cleanup()
      })

      const operations = () =>
        Object.entries(document.paths).flatMap(([path, methods]) =>
          Object.entries(methods).map(([method, operation]) => ({
            method: method.toUpperCase(),
            path,
            operation,
          })),
        )
      /** A plausible request: unknown ids (404 is an answer), an empty body (400 is one too). */
      const send = (method: string, path: string, key: string | null) =>
        api.call(
          method,
          path.replaceAll(/{(\w+)}/g, 'unknown-$1'),
          method === 'GET' ? undefined : {},
          { key, headers: { 'idempotency-key': randomUUID() } },
        )

      it('every operation answers no credential, a pos key and an admin key as its documented role says', async () => {
        type Answer = 401 | 403 | 'answered'
        const answer = (status: number): Answer =>
          status === 401 || status === 403 ? status : 'answered'
        const expected = (role: string | undefined): Record<'none' | 'pos' | 'admin', Answer> =>
          role === 'public'
            ? { none: 'answered', pos: 'answered', admin: 'answered' }
            : role === 'member'
              ? { none: 401, pos: 401, admin: 401 }
              : { none: 401, pos: role === 'staff' ? 'answered' : 403, admin: 'answered' }
        const seen = []
        const wanted = []
        for (const { method, path, operation } of operations()) {
          const role = operation['x-required-role']
          seen.push({
            operation: `${method} ${path}`,
            role,
            none: answer((await send(method, path, null)).status),
            pos: answer((await send(method, path, api.posKey)).status),
            admin: answer((await send(method, path, api.adminKey)).status),
          })
          wanted.push({
            operation: `${method} ${path}`,
            role: expect.stringMatching(ROLE),
            ...expected(role),
          })
        }
        expect(seen.length).toBeGreaterThanOrEqual(79)
        expect(seen).toEqual(wanted)
        for (const path of ['/healthz', '/readyz', '/api/openapi.json'])
          expect((await api.call('GET', path, undefined, { key: null })).status).toBe(200)
      })

      it('every operation answers a staff session of each role and a member session as its documented role says', async () => {
        type Answer = 401 | 403 | 'answered'
        const answer = (status: number): Answer =>
          status === 401 || status === 403 ? status : 'answered'
        const signIn = async (role: StaffRole) => {
          const { code } = await api.domain.staff.createInvite(role)
          const staff = await api.domain.staff.acceptInvite(code, 'wechat', `wx-${role}`, role)
          const link = await api.domain.staffSessions.createLink(staff.id)
          const res = await api.call(
            'POST',
            '/api/console/session',
            { code: link.code },
            { key: null },
          )
          return res.body.token as string
        }
        const sessions = async () =>
          Object.fromEntries(
            await Promise.all(STAFF_ROLES.map(async (role) => [role, await signIn(role)] as const)),
          ) as Record<StaffRole, string>
        let staff = await sessions()
        const joined = await api.domain.members.register({ displayName: 'Walker' })
        const { token: linkToken } = await api.domain.miniapp.createLink(joined.id)
        const member = (
          await api.call('POST', '/api/miniapp/session', { token: linkToken }, { key: null })
        ).body.token as string
        const seen = []
        const wanted = []
        for (const { method, path, operation } of operations()) {
          const role = operation['x-required-role']
          const row: Record<string, unknown> = { operation: `${method} ${path}` }
          const want: Record<string, unknown> = { operation: `${method} ${path}` }
          for (const held of STAFF_ROLES) {
            row[held] = answer((await send(method, path, staff[held])).status)
            want[held] =
              role === 'public'
                ? 'answered'
                : role === 'member'
                  ? 401
                  : roleAtLeast(held, role as StaffRole)
                    ? 'answered'
                    : 403
          }
          row.member = answer((await send(method, path, member)).status)
          want.member = role === 'public' || role === 'member' ? 'answered' : 401
          seen.push(row)
          wanted.push(want)
          // Signing out ends the sessions it was called with.
          if (`${method} ${path}` === 'DELETE /api/console/session') staff = await sessions()
        }
        expect(seen).toEqual(wanted)
      })

      it('the access table and the OpenAPI document list the same operations', () => {
        const documented = operations().map(({ method, path }) => `${method} ${path}`)
        // The document itself and the health check are served beside the operations documented.
        expect(Object.keys(OPERATIONS).sort()).toEqual(
          [...documented, 'GET /api/openapi.json', 'GET /healthz', 'GET /readyz'].sort(),
        )
      })

      it('the document names the credential and the role of each operation', () => {
        for (const { method, path, operation } of operations()) {
          const role = OPERATIONS[`${method} ${path}` as keyof typeof OPERATIONS]
          const security =
            role === 'public'
              ? []
              : role === 'member'
                ? [{ miniappSession: [] }]
                : [{ apiKey: [] }, { staffSession: [] }]
          expect({
            method,
            path,
            role: operation['x-required-role'],
            security: operation.security,
          }).toEqual({
            method,
            path,
            role,
            security,
          })
          expect(operation.description).toMatch(/^Access: /)
          // A 403 is documented exactly where a pos key, the weakest credential, gets one.
          expect({ method, path, documents403: '403' in (operation.responses ?? {}) }).toEqual({
            method,
            path,
            documents403: role === 'manager' || role === 'owner',
          })
        }
      })

      it('a pos key is refused the reminder texts, as the README says', async () => {
        const pos = await api.call('GET', '/api/v1/reminders/templates', undefined, {
          key: api.posKey,
        })
        expect(pos.status).toBe(403)
        expect(pos.body.error).toMatchObject({
          code: 'forbidden',
          message: 'this needs the manager role: an API key of role admin, not pos',
          details: { requiredRole: 'manager', apiKeyRoles: ['admin'], apiKeyRole: 'pos' },
        })
        expect((await api.call('GET', '/api/v1/reminders/templates')).status).toBe(200)
      })

      it('a route the access table does not name is refused with any credential, never let through', async () => {
        // The access guard is under test, not the rate: the key's window is shared with the
        // rest of the file, which a fast machine fills within its two seconds.
        const limits = rateLimiters(
          api.store,
          { ...RATE_LIMIT_DEFAULTS, enabled: false },
          pino({ level: 'silent' }),
        )
        const app = new Hono()
        app.use('*', accessGuard(api.domain, limits, { 'GET /named': 'staff' }))
        app.get('/named', (c) => c.text('named'))
        app.get('/unnamed', (c) => c.text('unnamed'))
        const ask = async (path: string, key?: string) =>
          (await app.request(path, key ? { headers: { authorization: `Bearer ${key}` } } : {}))
            .status
        expect(await ask('/named', api.posKey)).toBe(200)
        for (const key of [undefined, api.posKey, api.adminKey])
          expect(await ask('/unnamed', key)).toBe(403)
      })

      it('an operation missing from the access table stops the app at startup', () => {
        const document = { paths: { '/api/v1/new-thing': { post: {} } } }
        expect(() => documentAccess(document)).toThrow(/POST \/api\/v1\/new-thing/)
      })
    },
  )
}
