import { createRoute, z } from '@hono/zod-openapi'
import type { Domain } from '../../domain/index.ts'
import {
  memberRefSchema,
  orderInputSchema,
  refundInputSchema,
} from '../../domain/orders/orders.service.ts'
import { newRouter } from '../router.ts'
import {
  IdempotencyKeyHeader,
  requireIdempotencyKey,
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

const SaleInputSchema = orderInputSchema.extend({
  member: memberRefSchema.optional().openapi({
    description:
      'The member who bought; without one the order is a guest sale: no points, counted in the member share of sales',
  }),
})
const GuestSaleSchema = z
  .object({
    orderId: z.string(),
    guest: z.literal(true),
    amount: z.number().int(),
    refundedAmount: z.number().int(),
    pointsEarned: z.literal(0),
    placedAt: z.string(),
  })
  .openapi('GuestSale')
const GuestRefundSchema = z
  .object({
    refundId: z.string(),
    orderId: z.string(),
    guest: z.literal(true),
    amount: z.number().int(),
    refundedAmount: z.number().int(),
  })
  .openapi('GuestRefund')

const createOrder = createRoute({
  method: 'post',
  path: '/orders',
  tags: ['orders'],
  summary: 'Record an order and earn its points',
  description:
    "The order id is the idempotency key: a replay returns the first result (200, Idempotent-Replayed: true); the same id with another body is 409 idempotency_mismatch. Without `member` the order is a guest sale (a customer who is not a member): no points, kept for the member share of sales. What a till may claim, for orders and guest sales alike: `placedAt` no more than 5 minutes ahead (400 order_in_future) and no more than the programme's `orders.backdatingDays` (default 30) back (400 order_too_old; older history comes in through the member import, POST /members/import); with `items`, the lines − `discount` + `shipping` equal `amount` (400 order_lines_mismatch, both sums in the message and `details`). Shipping earns no points; the discount lowers each line in proportion. An order whose points go over the programme's `caps.pointsPerOrder`, or over `caps.pointsPerMemberPerDay` with what the member already earned from orders that local day, is recorded in full but earns nothing yet: `pending` names the hold, its points and the cap, and staff approve or reject it (POST /points/pending/{id}/approve|reject). `benefits` names the benefits of the member's tier the till applied (GET /members/{id}/benefits), each with what it saved: a benefit the tier does not grant, a discount over its rate, a member price not charged on the product's lines, or free shipping with shipping charged is 409 benefit_not_granted (`details.kind`, `details.reason`) and nothing is recorded; they are part of the body a replay must repeat.",
  request: {
    body: { required: true, content: { 'application/json': { schema: SaleInputSchema } } },
  },
  responses: {
    201: json(
      z.union([OrderResultSchema, GuestSaleSchema]),
      'Points earned and the member after the order, or the guest sale',
    ),
    200: json(
      z.union([OrderResultSchema, GuestSaleSchema]),
      'A replay of an order already recorded',
    ),
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
    'Reverses earned points in proportion to the amount refunded (the balance may go negative as a debt) and gives back points the order was paid with. The refund’s `id` or an Idempotency-Key header is required, so that a retry is not applied twice: a refund with neither is 400 idempotency_key_required.',
  request: {
    params: OrderParams,
    headers: IdempotencyKeyHeader,
    body: { required: true, content: { 'application/json': { schema: refundInputSchema } } },
  },
  responses: {
    201: json(z.union([RefundResultSchema, GuestRefundSchema]), 'The refund'),
    ...errorResponses(400, 401, 404, 409),
  },
})

export function orderRoutes(domain: Domain) {
  return newRouter()
    .openapi(createOrder, async (c) => {
      const { member, ...sale } = c.req.valid('json')
      const { replayed, ...result } = member
        ? await domain.orders.ingest({ ...sale, member })
        : await domain.guestSales.record(sale)
      if (replayed) {
        c.header('Idempotent-Replayed', 'true')
        return c.json(result, 200)
      }
      return c.json(result, 201)
    })
    .openapi(getOrder, async (c) => c.json(await domain.orders.get(c.req.valid('param').id), 200))
    .openapi(refundOrder, async (c) => {
      const body = c.req.valid('json')
      const id = requireIdempotencyKey(
        body.id ?? c.req.valid('header')['idempotency-key'],
        'an `id`',
      )
      const orderId = c.req.valid('param').id
      if (await domain.guestSales.exists(orderId))
        return c.json(await domain.guestSales.refund(orderId, { ...body, id }), 201)
      return c.json(await domain.orders.refund(orderId, { ...body, id }), 201)
    })
}
