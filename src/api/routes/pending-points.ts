import { createRoute, z } from '@hono/zod-openapi'
import type { Domain } from '../../domain/index.ts'
import { PENDING_STATUSES } from '../../domain/orders/holds.ts'
import { pendingListSchema } from '../../domain/orders/pending-points.service.ts'
import { newRouter } from '../router.ts'
import { actorOf } from '../middleware/api-key.ts'
import { MemberSchema, errorResponses, json } from '../schemas.ts'

const PendingPointsSchema = z
  .object({
    id: z.string(),
    orderId: z.string(),
    memberId: z.string(),
    memberName: z.string(),
    memberCode: z.string(),
    amount: z.number().int(),
    placedAt: z.string(),
    points: z.number().int().openapi({
      description: 'What approval credits: the order’s points less the share refunded since',
    }),
    orderPoints: z.number().int(),
    cap: z.enum(['per_order', 'per_member_day']),
    capLimit: z.number().int(),
    status: z.enum(PENDING_STATUSES),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('PendingPoints')

const DecisionSchema = z.object({
  pending: PendingPointsSchema,
  member: MemberSchema,
  replayed: z.boolean(),
})

const PendingParams = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
})

const listPending = createRoute({
  method: 'get',
  path: '/points/pending',
  tags: ['points'],
  summary: 'Points held by the issuing caps, oldest first',
  request: { query: pendingListSchema },
  responses: {
    200: json(z.object({ items: z.array(PendingPointsSchema) }), 'Holds with the status asked for'),
    ...errorResponses(400, 401, 403),
  },
})

function decisionRoute(decision: 'approve' | 'reject', summary: string) {
  return createRoute({
    method: 'post',
    path: `/points/pending/{id}/${decision}`,
    tags: ['points'],
    summary,
    description:
      'Idempotent: the same decision again answers 200 with the first (replayed: true); the other decision once one is made is 409 pending_points_decided, as is any decision on an order refunded in full.',
    request: { params: PendingParams },
    responses: {
      201: json(DecisionSchema, 'The decision, with the member after it'),
      200: json(DecisionSchema, 'Decided so before: the first decision'),
      ...errorResponses(401, 403, 404, 409),
    },
  })
}

const approve = decisionRoute(
  'approve',
  'Approve held points: credited as a points_approved entry by this key',
)
const reject = decisionRoute(
  'reject',
  'Reject held points: dropped, recorded as a zero-point points_rejected entry by this key',
)

export function pendingPointsRoutes(domain: Domain) {
  return newRouter()
    .openapi(listPending, async (c) =>
      c.json(await domain.pendingPoints.list(c.req.valid('query')), 200),
    )
    .openapi(approve, async (c) => {
      const result = await domain.pendingPoints.approve(
        c.req.valid('param').id,
        actorOf(c.get('caller')),
      )
      return result.replayed ? c.json(result, 200) : c.json(result, 201)
    })
    .openapi(reject, async (c) => {
      const result = await domain.pendingPoints.reject(
        c.req.valid('param').id,
        actorOf(c.get('caller')),
      )
      return result.replayed ? c.json(result, 200) : c.json(result, 201)
    })
}
