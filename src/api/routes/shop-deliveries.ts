import { createRoute, z } from '@hono/zod-openapi'
import type { Domain } from '../../domain/index.ts'
import { newRouter } from '../router.ts'
import { errorResponses, json } from '../schemas.ts'

const ShopDeliverySchema = z
  .object({
    source: z.enum(['shopify', 'woocommerce']),
    deliveryId: z.string(),
    topic: z.string(),
    outcome: z.enum(['recorded', 'ignored', 'refused']),
    orderId: z.string().nullable(),
    detail: z.string().nullable(),
    receivedAt: z.string(),
  })
  .openapi('ShopDelivery')

const listDeliveries = createRoute({
  method: 'get',
  path: '/shop-deliveries',
  tags: ['orders'],
  summary: 'The webhooks the shops delivered and what each became, newest first',
  description:
    'Shopify (POST /webhooks/shopify) and WooCommerce (POST /webhooks/woocommerce) post their order webhooks there, signed with the secret of SHOPIFY_WEBHOOK_SECRET or WOOCOMMERCE_WEBHOOK_SECRET. Each delivery is logged once by the shop’s delivery id: `recorded` (an order, a guest sale or a refund), `ignored` (an unpaid order, a refund that paid nothing back) or `refused` with the reason (another currency, older than the back-dating window, a payload that could not be read).',
  request: {
    query: z.object({
      source: z.enum(['shopify', 'woocommerce']).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
  },
  responses: {
    200: json(z.object({ items: z.array(ShopDeliverySchema) }), 'The deliveries'),
    ...errorResponses(400, 401, 403),
  },
})

export function shopDeliveryRoutes(domain: Domain) {
  return newRouter().openapi(listDeliveries, async (c) =>
    c.json({ items: await domain.shopSync.deliveries(c.req.valid('query')) }, 200),
  )
}
