import { createRoute, z } from '@hono/zod-openapi'
import type { Domain } from '../../domain/index.ts'
import { newRouter } from '../router.ts'
import { actorOf } from '../middleware/api-key.ts'
import { errorResponses, json } from '../schemas.ts'

const MemberParams = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
})
const ErasureSchema = z
  .object({
    memberId: z.string(),
    erasedAt: z.string(),
    pointsForfeited: z.number().int().openapi({
      description:
        'Points outstanding at the erasure, forfeited by a ledger entry (reason erasure)',
    }),
    alreadyErased: z.boolean(),
  })
  .openapi('Erasure')

const routes = {
  exportMember: createRoute({
    method: 'get',
    path: '/members/{id}/export',
    tags: ['privacy'],
    summary: 'A copy of everything the programme holds about a member, as JSON',
    request: { params: MemberParams },
    responses: {
      200: json(z.record(z.string(), z.unknown()), "The member's data"),
      ...errorResponses(401, 403, 404, 409),
    },
  }),
  erase: createRoute({
    method: 'post',
    path: '/members/{id}/erase',
    tags: ['privacy'],
    summary: "Erase a member's personal data at their request; the ledger stays consistent",
    request: { params: MemberParams },
    responses: {
      200: json(ErasureSchema, 'Erased (or erased before: alreadyErased)'),
      ...errorResponses(401, 403, 404),
    },
  }),
}

export function privacyRoutes(domain: Domain) {
  return newRouter()
    .openapi(routes.exportMember, async (c) => {
      const data = await domain.privacy.exportMember(c.req.valid('param').id)
      c.header('content-disposition', `attachment; filename="member-${data.member.code}.json"`)
      return c.json(data as unknown as Record<string, unknown>, 200)
    })
    .openapi(routes.erase, async (c) =>
      c.json(await domain.privacy.erase(c.req.valid('param').id, actorOf(c.get('caller'))), 200),
    )
}
