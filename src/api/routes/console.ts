import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi'
import type { MiddlewareHandler } from 'hono'
import type { Domain } from '../../domain/index.ts'
import { STAFF_ROLES } from '../../domain/staff/staff.service.ts'
import { DomainError } from '../../shared/errors.ts'
import { operationsFor } from '../access.ts'
import type { ApiEnv } from '../middleware/api-key.ts'
import { validationHook } from '../router.ts'
import { errorResponses, json } from '../schemas.ts'

const SessionRequest = z.union([
  z.object({ initData: z.string().min(1).max(8_192) }).strict(),
  z.object({ code: z.string().min(1).max(512) }).strict(),
])
const SignedInSchema = z
  .object({ id: z.string(), name: z.string(), role: z.enum(STAFF_ROLES) })
  .openapi('ConsoleStaff')
const WhoAmISchema = SignedInSchema.extend({
  operations: z.array(z.string()).openapi({
    description:
      'The staff operations (`METHOD /path`, as in this document) the role may call now: the console shows only these',
  }),
  timezone: z.string().openapi({
    description:
      'The programme’s time zone (IANA): the console counts days, such as a report’s period, in it',
    example: 'Asia/Shanghai',
  }),
}).openapi('ConsoleWhoAmI')
const ConsoleSessionSchema = z
  .object({ token: z.string(), expiresAt: z.string(), staff: SignedInSchema })
  .openapi('ConsoleSession')

const tags = ['console']

const whoAmI = createRoute({
  method: 'get',
  path: '/session',
  tags,
  summary: 'Who is signed in, with the role the staff records hold now',
  responses: { 200: json(WhoAmISchema, 'The staff member'), ...errorResponses(400, 401) },
})
const endSession = createRoute({
  method: 'delete',
  path: '/session',
  tags,
  summary: 'Sign out: ends the staff session sent with the request',
  responses: { 204: { description: 'Ended' }, ...errorResponses(400, 401) },
})

const notASession = () =>
  new DomainError('invalid_input', 'this needs a console session, not an API key')

/** The console's sign-in: a staff session for the same /api/v1 operations as API keys. */
export function consoleRoutes(domain: Domain, exchangeLimit: MiddlewareHandler) {
  // Codes and initData are guessed at from one address at most as fast as members sign in.
  const openSession = createRoute({
    method: 'post',
    path: '/session',
    tags,
    summary:
      'Sign in to the console: Telegram initData of a staff member, or a one-time login code',
    middleware: [exchangeLimit] as const,
    request: {
      body: { required: true, content: { 'application/json': { schema: SessionRequest } } },
    },
    responses: {
      200: json(
        ConsoleSessionSchema,
        'A staff session, sent as Authorization: Bearer <token> to /api/v1',
      ),
      ...errorResponses(400, 401),
    },
  })
  return new OpenAPIHono<ApiEnv>({ defaultHook: validationHook })
    .openapi(openSession, async (c) => {
      const body = c.req.valid('json')
      const session =
        'initData' in body
          ? await domain.staffSessions.openFromTelegram(body.initData)
          : await domain.staffSessions.openFromLink(body.code)
      const staff = { id: session.staffId, name: session.name, role: session.role }
      return c.json({ token: session.token, expiresAt: session.expiresAt, staff }, 200)
    })
    .openapi(whoAmI, async (c) => {
      const caller = c.get('caller')
      if (caller.kind !== 'staff') throw notASession()
      const operations = operationsFor(caller.role)
      const { config } = await domain.programme.current()
      return c.json(
        {
          id: caller.id,
          name: caller.name,
          role: caller.role,
          operations,
          timezone: config.timezone,
        },
        200,
      )
    })
    .openapi(endSession, async (c) => {
      if (c.get('caller').kind !== 'staff') throw notASession()
      const token = /^Bearer\s+(\S+)$/i.exec(c.req.header('Authorization') ?? '')?.[1] ?? ''
      await domain.staffSessions.end(token)
      return c.body(null, 204)
    })
}
