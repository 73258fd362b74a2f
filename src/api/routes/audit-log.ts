import { createRoute, z } from '@hono/zod-openapi'
import type { Domain } from '../../domain/index.ts'
import { newRouter } from '../router.ts'
import { errorResponses, json } from '../schemas.ts'

const instant = z.iso.datetime({ offset: true })
const AuditEntrySchema = z
  .object({
    id: z.string(),
    at: z.string(),
    actor: z.object({
      kind: z.enum(['staff', 'api_key']),
      id: z.string(),
      name: z.string(),
      role: z.string(),
    }),
    operation: z.string(),
    targetId: z.string().nullable(),
    status: z.number().int(),
    before: z.unknown(),
    after: z.unknown(),
  })
  .openapi('AuditEntry')

const listAudit = createRoute({
  method: 'get',
  path: '/audit-log',
  tags: ['audit'],
  summary: 'Writes made through the API: who, what, when, before and after; newest first',
  request: {
    query: z.object({
      actorId: z.string().optional().openapi({ description: 'A staff id or an API key id' }),
      operation: z
        .string()
        .optional()
        .openapi({ description: 'As in the access table: PATCH /api/v1/members/{id}' }),
      targetId: z.string().optional(),
      from: instant.optional(),
      to: instant.optional(),
      cursor: z.string().optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
  },
  responses: {
    200: json(
      z.object({ items: z.array(AuditEntrySchema), nextCursor: z.string().nullable() }),
      'A page of entries',
    ),
    ...errorResponses(400, 401, 403),
  },
})

export function auditLogRoutes(domain: Domain) {
  return newRouter().openapi(listAudit, async (c) => {
    const query = c.req.valid('query')
    // Stored instants are UTC ISO strings: compared as text, bounds must be too.
    const utc = (at: string | undefined) => at && new Date(at).toISOString()
    return c.json(
      await domain.audit.list({ ...query, from: utc(query.from), to: utc(query.to) }),
      200,
    )
  })
}
