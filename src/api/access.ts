import { matchedRoutes } from 'hono/route'
import { METHOD_NAME_ALL } from 'hono/router'
import { every } from 'hono/combine'
import { createMiddleware } from 'hono/factory'
import type { Context, MiddlewareHandler } from 'hono'
import type { Domain } from '../domain/index.ts'
import {
  type ApiKeyRole,
  STAFF_ROLES,
  type StaffRole,
  roleAtLeast,
} from '../domain/staff/staff.service.ts'
import type { RateLimiters } from './middleware/rate-limit.ts'
import { type ApiEnv, apiKeyAuth } from './middleware/api-key.ts'
import { type MiniappEnv, miniappSession } from './middleware/miniapp-session.ts'
import { errorJson } from './errors.ts'

/**
 * Who may call an operation: anyone, the signed-in member of the mini-app, or staff from the
 * given role up. Staff roles are the chat's (STAFF_ROLES), so that a staff session can be mapped
 * onto the same table as API keys are.
 */
export type Access = 'public' | 'member' | StaffRole

/** The staff role each API key role stands for: a till is staff at the counter, admin the owner. */
export const API_KEY_ACCESS: Record<ApiKeyRole, StaffRole> = { pos: 'staff', admin: 'owner' }

/**
 * Every operation of the HTTP API, `METHOD /path` as in the OpenAPI document. The one place that
 * says who may call what: the guard reads it on every request, the document prints it, and a
 * documented operation missing here stops the app at startup. README.md ("Who may call what")
 * gives the reasons; adding an operation is one line here.
 */
export const OPERATIONS = {
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /api/openapi.json': 'public',

  'POST /api/v1/members': 'staff',
  'GET /api/v1/members': 'staff',
  'GET /api/v1/members/{id}': 'staff',
  'PATCH /api/v1/members/{id}': 'manager',
  'GET /api/v1/members/{id}/ledger': 'staff',
  'GET /api/v1/members/{id}/orders': 'staff',
  'GET /api/v1/members/{id}/identities': 'staff',
  'GET /api/v1/members/{id}/benefits': 'staff',
  'POST /api/v1/members/{id}/adjustments': 'manager',
  'GET /api/v1/points/pending': 'manager',
  'POST /api/v1/points/pending/{id}/approve': 'manager',
  'POST /api/v1/points/pending/{id}/reject': 'manager',
  'POST /api/v1/orders': 'staff',
  'GET /api/v1/orders/{id}': 'staff',
  'POST /api/v1/orders/{id}/refunds': 'staff',
  'POST /api/v1/orders/{id}/events': 'staff',
  'GET /api/v1/shop-deliveries': 'manager',
  'GET /api/v1/rewards': 'staff',
  'POST /api/v1/rewards': 'manager',
  'GET /api/v1/rewards/{id}': 'staff',
  'PATCH /api/v1/rewards/{id}': 'manager',
  'DELETE /api/v1/rewards/{id}': 'manager',
  'PUT /api/v1/rewards/{id}/image': 'manager',
  'DELETE /api/v1/rewards/{id}/image': 'manager',
  'GET /api/v1/rewards/{id}/preview': 'staff',
  'POST /api/v1/members/{id}/redemptions': 'staff',
  'GET /api/v1/members/{id}/coupons': 'staff',
  'GET /api/v1/members/{id}/rewards': 'staff',
  'GET /api/v1/coupons/{code}': 'staff',
  'POST /api/v1/coupons/{code}/use': 'staff',
  'GET /api/v1/programme': 'staff',
  'PUT /api/v1/programme': 'owner',
  'GET /api/v1/programme/versions': 'staff',
  'GET /api/v1/programme/versions/{version}': 'staff',
  'GET /api/v1/programme/versions/{version}/diff': 'staff',
  'POST /api/v1/programme/changes': 'owner',
  'POST /api/v1/programme/versions/{version}/restore': 'owner',

  'POST /api/v1/quizzes': 'manager',
  'GET /api/v1/quizzes': 'staff',
  'GET /api/v1/quizzes/{id}': 'manager',
  'PUT /api/v1/quizzes/{id}': 'manager',
  'POST /api/v1/quizzes/{id}/start': 'manager',
  'GET /api/v1/quizzes/{id}/results': 'staff',
  'POST /api/v1/lotteries': 'manager',
  'GET /api/v1/lotteries': 'staff',
  'GET /api/v1/lotteries/{id}': 'staff',
  'PUT /api/v1/lotteries/{id}': 'manager',
  'POST /api/v1/lotteries/odds': 'manager',
  'GET /api/v1/lotteries/{id}/draws': 'staff',
  'POST /api/v1/lottery-draws/{id}/fulfil': 'staff',
  'POST /api/v1/members/{id}/draws': 'staff',
  'POST /api/v1/surveys': 'manager',
  'GET /api/v1/surveys': 'staff',
  'PUT /api/v1/surveys/{id}': 'manager',
  'GET /api/v1/surveys/{id}/summary': 'staff',
  'POST /api/v1/members/{id}/survey-responses': 'staff',

  'POST /api/v1/campaigns': 'manager',
  'POST /api/v1/campaigns/preview': 'manager',
  'POST /api/v1/campaigns/images': 'manager',
  'GET /api/v1/campaigns': 'staff',
  'GET /api/v1/campaigns/{id}': 'staff',
  'POST /api/v1/campaigns/{id}/pause': 'manager',
  'POST /api/v1/campaigns/{id}/resume': 'manager',
  'POST /api/v1/campaigns/{id}/cancel': 'manager',
  'POST /api/v1/segments': 'manager',
  'GET /api/v1/segments': 'staff',
  'POST /api/v1/segments/preview': 'manager',
  'POST /api/v1/segments/recompute': 'manager',
  'GET /api/v1/segments/{id}': 'staff',
  'GET /api/v1/segments/{id}/members': 'manager',
  'DELETE /api/v1/segments/{id}': 'manager',
  'GET /api/v1/members/{id}/tags': 'staff',
  'POST /api/v1/members/{id}/tags': 'manager',
  'DELETE /api/v1/members/{id}/tags/{tag}': 'manager',

  'PUT /api/v1/products/{sku}': 'manager',
  'GET /api/v1/products': 'staff',
  'GET /api/v1/reminders': 'manager',
  'GET /api/v1/reminders/stats': 'manager',
  'GET /api/v1/reminders/templates': 'manager',
  'PUT /api/v1/reminders/templates/{kind}': 'manager',
  'POST /api/v1/reminders/templates/{kind}/preview': 'manager',
  'PUT /api/v1/reminders/settings': 'manager',
  'GET /api/v1/reports/programme': 'manager',
  'GET /api/v1/reports/weekly': 'manager',
  'GET /api/v1/reports/campaigns': 'manager',
  'GET /api/v1/reports/tiers': 'manager',
  'GET /api/v1/reports/segments': 'manager',
  'GET /api/v1/reports/sources': 'manager',
  'POST /api/v1/channel-sources': 'manager',
  'GET /api/v1/channel-sources': 'manager',
  'GET /api/v1/attention': 'staff',

  'GET /api/v1/staff': 'owner',
  'GET /api/v1/staff/{id}': 'owner',
  'POST /api/v1/staff/invites': 'owner',
  'PATCH /api/v1/staff/{id}': 'owner',
  'DELETE /api/v1/staff/{id}': 'owner',
  'GET /api/v1/audit-log': 'owner',

  'POST /api/v1/webhooks': 'owner',
  'GET /api/v1/webhooks': 'owner',
  'GET /api/v1/webhooks/{id}': 'owner',
  'PATCH /api/v1/webhooks/{id}': 'owner',
  'DELETE /api/v1/webhooks/{id}': 'owner',
  'GET /api/v1/webhooks/{id}/deliveries': 'owner',
  'GET /api/v1/webhook-deliveries/{id}': 'owner',
  'POST /api/v1/webhook-deliveries/{id}/replay': 'owner',

  'POST /api/v1/members/import': 'owner',
  'GET /api/v1/imports': 'owner',
  'GET /api/v1/imports/{id}': 'owner',
  'DELETE /api/v1/imports/{id}': 'owner',
  'GET /api/v1/exports/{kind}': 'owner',
  'GET /api/v1/members/{id}/export': 'owner',
  'POST /api/v1/members/{id}/erase': 'owner',

  'POST /api/console/session': 'public',
  'GET /api/console/session': 'staff',
  'DELETE /api/console/session': 'staff',

  'POST /api/miniapp/session': 'public',
  'GET /api/miniapp/me': 'member',
  'PATCH /api/miniapp/me': 'member',
  'GET /api/miniapp/ledger': 'member',
  'GET /api/miniapp/rewards': 'member',
  'POST /api/miniapp/redemptions': 'member',
  'GET /api/miniapp/coupons': 'member',
  'GET /api/miniapp/lotteries': 'member',
  'POST /api/miniapp/draws': 'member',
  'GET /api/miniapp/quizzes': 'member',
  'POST /api/miniapp/quizzes/{id}/begin': 'member',
  'POST /api/miniapp/quizzes/{id}/answers': 'member',
  'POST /api/miniapp/opens': 'member',
  'GET /api/miniapp/code': 'member',
} as const satisfies Record<string, Access>

type Table = Readonly<Record<string, Access>>

/** Whether a staff role meets an operation's access; public operations admit everyone. */
export function staffMayCall(role: StaffRole, needed: Access): boolean {
  if (needed === 'public') return true
  if (needed === 'member') return false
  return roleAtLeast(role, needed)
}

/**
 * The staff operations a role may call now, from the one table: the console shows only what
 * these allow, and the guard refuses the rest regardless.
 */
export function operationsFor(role: StaffRole, table: Table = OPERATIONS): string[] {
  return Object.entries(table)
    .filter(
      ([, needed]) => needed !== 'public' && needed !== 'member' && staffMayCall(role, needed),
    )
    .map(([operation]) => operation)
}

/** The API key roles that may call an operation needing `needed`, weakest first. */
function apiKeyRolesFor(needed: Access): ApiKeyRole[] {
  return (Object.keys(API_KEY_ACCESS) as ApiKeyRole[]).filter((role) =>
    staffMayCall(API_KEY_ACCESS[role], needed),
  )
}

const honoPath = (path: string) => path.replaceAll(/\/{(.+?)}/g, '/:$1')

/** The table's entry for the route a request matched, by Hono's path syntax. */
function byRoute(table: Table): Map<string, Access> {
  return new Map(
    Object.entries(table).map(([operation, access]) => {
      const [method = '', path = ''] = operation.split(' ')
      return [`${method} ${honoPath(path)}`, access]
    }),
  )
}

/**
 * The one check in front of every operation: the credential its table entry asks for (401
 * without it), that credential's rate limit, then the staff role (403 below it). A matched route
 * the table does not name is refused, never let through.
 */
export function accessGuard(domain: Domain, limits: RateLimiters, table: Table = OPERATIONS) {
  const entries = byRoute(table)
  const staff = Object.fromEntries(
    STAFF_ROLES.map((needed) => [
      needed,
      every(
        apiKeyAuth(domain),
        limits.apiKey<ApiEnv>((c) => c.get('caller').id),
        createMiddleware<ApiEnv>(async function staffRoleMiddleware(c, next) {
          const caller = c.get('caller')
          const held = caller.kind === 'staff' ? caller.role : API_KEY_ACCESS[caller.apiKeyRole]
          if (staffMayCall(held, needed)) {
            await next()
            return
          }
          if (caller.kind === 'staff')
            return errorJson(c, 403, 'forbidden', `this needs the ${needed} role, not ${held}`, {
              requiredRole: needed,
              staffRole: held,
            })
          const roles = apiKeyRolesFor(needed)
          return errorJson(
            c,
            403,
            'forbidden',
            `this needs the ${needed} role: an API key of role ${roles.join(' or ')}, not ${caller.apiKeyRole}`,
            { requiredRole: needed, apiKeyRoles: roles, apiKeyRole: caller.apiKeyRole },
          )
        }),
      ),
    ]),
  ) as Record<StaffRole, MiddlewareHandler>
  const member = every(
    miniappSession(domain),
    limits.member<MiniappEnv>((c) => c.get('memberId')),
  )
  return createMiddleware(async function accessGuardMiddleware(c, next) {
    const route = matchedOperation(c)
    if (!route) return next()
    const needed = entries.get(route)
    if (needed === undefined)
      return errorJson(c, 403, 'forbidden', 'this operation has no entry in the access table')
    if (needed === 'public') return next()
    return (needed === 'member' ? member : staff[needed])(c, next)
  })
}

/** The access table's `METHOD /path` (OpenAPI's path syntax) of the route a request matched. */
export function operationOf(c: Context): string | undefined {
  return matchedOperation(c)?.replaceAll(/\/:(\w+)/g, '/{$1}')
}

/** `METHOD /path` of the route (not a middleware) the request matched, in Hono's syntax. */
function matchedOperation(c: Context): string | undefined {
  const route = matchedRoutes(c).find((r) => r.method !== METHOD_NAME_ALL)
  return route && `${route.method} ${route.path}`
}

interface DocumentedOperation {
  operationId?: string
  description?: string
  security?: Record<string, string[]>[]
  [extension: `x-${string}`]: unknown
}
type Paths = Record<string, Record<string, DocumentedOperation> | undefined>

/** The credentials an operation takes: none, a member's session, or an API key or a staff session. */
export function securityOf(needed: Access): Record<string, string[]>[] {
  if (needed === 'public') return []
  if (needed === 'member') return [{ miniappSession: [] }]
  return [{ apiKey: [] }, { staffSession: [] }]
}

function accessSentence(needed: Access): string {
  if (needed === 'public') return 'Access: public, no credential.'
  if (needed === 'member') return 'Access: the signed-in member, with a mini-app session.'
  const from = needed === STAFF_ROLES[STAFF_ROLES.length - 1] ? needed : `${needed} and up`
  return `Access: ${from}; API keys: ${apiKeyRolesFor(needed).join(', ')}; or a staff session of that role.`
}

/**
 * The operationId of a table entry, read off its method and path, so that it is stable as long
 * as the operation is and unique because the table's keys are: `GET /api/v1/members/{id}/ledger`
 * is `getV1MembersByIdLedger`, `POST /api/miniapp/session` is `postMiniappSession`.
 */
export function operationIdOf(operation: string): string {
  const [method = '', path = ''] = operation.split(' ')
  const words = path
    .split(/[/.-]/)
    .filter((word) => word !== '' && word !== 'api')
    .map((word) => word.replace(/^{(.+)}$/, 'by-$1'))
    .flatMap((word) => word.split('-'))
  return method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')
}

/**
 * Writes each operation's access into the document (`x-required-role`, `x-api-key-roles`,
 * `security` and a sentence of the description) and its `operationId`, and throws for an operation the table does not
 * name, so that a new route cannot start unguarded.
 */
export function documentAccess<D extends { paths?: unknown }>(
  document: D,
  table: Table = OPERATIONS,
): D {
  for (const [path, methods] of Object.entries((document.paths ?? {}) as Paths)) {
    for (const [method, operation] of Object.entries(methods ?? {})) {
      const key = `${method.toUpperCase()} ${path}`
      const needed = table[key]
      if (needed === undefined)
        throw new Error(`${key} has no entry in the access table (src/api/access.ts)`)
      operation.operationId = operationIdOf(key)
      operation['x-required-role'] = needed
      if (needed !== 'public' && needed !== 'member')
        operation['x-api-key-roles'] = apiKeyRolesFor(needed)
      operation.security = securityOf(needed)
      operation.description = [accessSentence(needed), operation.description]
        .filter(Boolean)
        .join(' ')
    }
  }
  return document
}
