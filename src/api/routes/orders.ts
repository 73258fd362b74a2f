import { createRoute, z } from '@hono/zod-openapi'
import type { Domain } from '../../domain/index.ts'
import { orderInputSchema, refundInputSchema } from '../../domain/orders/orders.service.ts'
import { newRouter } from '../router.ts'
import {
  IdempotencyKeyHeader,
  OrderResultSchema,
  OrderSchema,
  RefundResultSchema,
  errorResponses,
  json,
} from '../schemas.ts'

const OrderParams = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
})

const createOrder = createRoute({
  method: 'post',
  path: '/orders',
  tags: ['orders'],
  summary: 'Record an order and earn its points',
  description:
    'The order id is the idempotency key: a replay returns the first result (200, Idempotent-Replayed: true); the same id with another body is 409 idempotency_mismatch.',
  request: {
    body: { required: true, content: { 'application/json': { schema: orderInputSchema } } },
  },
  responses: {
    201: json(OrderResultSchema, 'Points earned and the member after the order'),
    200: json(OrderResultSchema, 'A replay of an order already recorded'),
    ...errorResponses(400, 401, 404, 409),
  },
})

const getOrder = createRoute({
  method: 'get',
  path: '/orders/{id}',
  tags: ['orders'],
  summary: 'An order with its points and refunds so far',
  request: { params: OrderParams },
  responses: { 200: json(OrderSchema, 'The order'), ...errorResponses(401, 404) },
})

const refundOrder = createRoute({
  method: 'post',
  path: '/orders/{id}/refunds',
  tags: ['orders'],
  summary: 'Refund part or all of an order',
  description:
    'Reverses earned points in proportion to the amount refunded (the balance may go negative as a debt) and gives back points the order was paid with. Give the refund an `id` or an Idempotency-Key header so that a retry is not applied twice.',
  request: {
    params: OrderParams,
    headers: IdempotencyKeyHeader,
    body: { required: true, content: { 'application/json': { schema: refundInputSchema } } },
  },
  responses: { 201: json(RefundResultSchema, 'The refund'), ...errorResponses(400, 401, 404, 409) },
})

export function orderRoutes(domain: Domain) {
  return newRouter()
    .openapi(createOrder, async (c) => {
      const { replayed, ...result } = await domain.orders.ingest(c.req.valid('json'))
      if (replayed) {
        c.header('Idempotent-Replayed', 'true')
        return c.json(result, 200)
      }
      return c.json(result, 201)
    })
    .openapi(getOrder, async (c) => c.json(await domain.orders.get(c.req.valid('param').id), 200))
    .openapi(refundOrder, async (c) => {
      const body = c.req.valid('json')
      const id = body.id ?? c.req.valid('header')['idempotency-key']
      return c.json(await domain.orders.refund(c.req.valid('param').id, { ...body, id }), 201)
    })
}
