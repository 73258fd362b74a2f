import { createMiddleware } from 'hono/factory'
import type { Domain } from '../domain/index.ts'
import { roleAtLeast } from '../domain/staff/staff.service.ts'
import { type Access, OPERATIONS, operationOf } from './access.ts'
import type { ApiEnv, Caller } from './middleware/api-key.ts'

/**
 * The read that shows a record as it was before a write changes it: the GET operation of the
 * same record, asked with the writer's own credential, so that "before" and "after" (the write's
 * answer) come in the shapes the API gives. A write not named here is logged without "before";
 * an erasure on purpose, so that the log does not keep what it erased.
 */
export const READ_BEFORE: Partial<Record<keyof typeof OPERATIONS, keyof typeof OPERATIONS>> = {
  'PATCH /api/v1/members/{id}': 'GET /api/v1/members/{id}',
  'POST /api/v1/members/{id}/adjustments': 'GET /api/v1/members/{id}',
  'POST /api/v1/members/{id}/tags': 'GET /api/v1/members/{id}/tags',
  'DELETE /api/v1/members/{id}/tags/{tag}': 'GET /api/v1/members/{id}/tags',
  'PATCH /api/v1/rewards/{id}': 'GET /api/v1/rewards/{id}',
  'DELETE /api/v1/rewards/{id}': 'GET /api/v1/rewards/{id}',
  'PUT /api/v1/rewards/{id}/image': 'GET /api/v1/rewards/{id}',
  'DELETE /api/v1/rewards/{id}/image': 'GET /api/v1/rewards/{id}',
  'PUT /api/v1/programme': 'GET /api/v1/programme',
  'PUT /api/v1/quizzes/{id}': 'GET /api/v1/quizzes/{id}',
  'PUT /api/v1/lotteries/{id}': 'GET /api/v1/lotteries/{id}',
  'PATCH /api/v1/staff/{id}': 'GET /api/v1/staff/{id}',
  'DELETE /api/v1/staff/{id}': 'GET /api/v1/staff/{id}',
  'PATCH /api/v1/webhooks/{id}': 'GET /api/v1/webhooks/{id}',
  'DELETE /api/v1/webhooks/{id}': 'GET /api/v1/webhooks/{id}',
}

/** Answers that carry a secret shown once: the log keeps the rest of the answer, not it. */
const SHOWN_ONCE: Partial<Record<keyof typeof OPERATIONS, string>> = {
  'POST /api/v1/webhooks': 'secret',
}

/** POSTs that compute an answer and change nothing: a page calls them as a form is typed. */
const READS_ONLY = new Set<keyof typeof OPERATIONS>(['POST /api/v1/lotteries/odds'])

/** A record larger than this (a big programme, an export) is logged as its size only. */
const MAX_RECORDED_CHARS = 64_000

type Read = (path: string, authorization: string) => Promise<Response>

/**
 * Which writes the log keeps: every one made with a staff session; with an API key, those that
 * need a manager or the owner. A till's own writes (orders, refunds, redemptions, coupons) are
 * their own records already, each naming the key, and logging them again would double every sale.
 */
function audited(caller: Caller, needed: Access): boolean {
  if (caller.kind === 'staff') return true
  return needed !== 'public' && needed !== 'member' && roleAtLeast(needed, 'manager')
}

const fill = (template: string, params: Record<string, string>) =>
  template.replaceAll(/{(\w+)}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''))

async function jsonOf(response: Response): Promise<unknown> {
  if (!response.headers.get('content-type')?.includes('application/json')) return undefined
  const text = await response.clone().text()
  return text.length > MAX_RECORDED_CHARS
    ? { omitted: `${text.length} characters` }
    : JSON.parse(text)
}

/**
 * The path parameters by the table's template: Hono gives a middleware only its own pattern's
 * parameters, not those of the route that will answer.
 */
function paramsOf(template: string, path: string): Record<string, string> {
  const names: string[] = []
  const pattern = template.replaceAll(/{(\w+)}/g, (_, name: string) => {
    names.push(name)
    return '([^/]+)'
  })
  const values = new RegExp(`^${pattern}$`).exec(path)
  return Object.fromEntries(
    names.map((name, i) => [name, decodeURIComponent(values?.[i + 1] ?? '')]),
  )
}

const isOperation = (key: string | undefined): key is keyof typeof OPERATIONS =>
  key !== undefined && key in OPERATIONS

/**
 * Records each audited write that succeeded, after it is answered. The entry is written after
 * the write's own transaction, not in it: a process that dies between the two loses the entry.
 */
export function auditWrites(domain: Domain, read: Read) {
  return createMiddleware<ApiEnv>(async function auditMiddleware(c, next) {
    const operation = c.req.method === 'GET' ? undefined : operationOf(c)
    const caller = isOperation(operation) ? c.get('caller') : undefined
    if (!isOperation(operation) || !caller || READS_ONLY.has(operation)) return next()
    if (!audited(caller, OPERATIONS[operation])) return next()
    const params = paramsOf(operation.split(' ')[1]!, c.req.path)
    const authorization = c.req.header('Authorization') ?? ''
    const readOperation = READ_BEFORE[operation]
    let before: unknown
    if (readOperation) {
      const response = await read(fill(readOperation.split(' ')[1]!, params), authorization)
      before = response.ok ? await jsonOf(response) : null
    }
    await next()
    if (c.res.status >= 300) return
    const answer = await jsonOf(c.res)
    const secret = SHOWN_ONCE[operation]
    const after =
      secret && answer && typeof answer === 'object'
        ? { ...answer, [secret]: '(shown once, not kept)' }
        : answer
    const firstParam = /{(\w+)}/.exec(operation)?.[1]
    const created = (after as { id?: unknown } | undefined)?.id
    await domain.audit.record({
      actor: {
        kind: caller.kind,
        id: caller.id,
        name: caller.name,
        role: caller.kind === 'staff' ? caller.role : caller.apiKeyRole,
      },
      operation,
      targetId:
        (firstParam && params[firstParam]) || (typeof created === 'string' ? created : null),
      status: c.res.status,
      before,
      after,
    })
  })
}
