import { createRoute, z } from '@hono/zod-openapi'
import type { Domain } from '../../domain/index.ts'
import { WEBHOOK_EVENTS } from '../../domain/webhooks/events.ts'
import { DELIVERY_STATUSES } from '../../domain/webhooks/webhooks.service.ts'
import { actorOf } from '../middleware/api-key.ts'
import { newRouter } from '../router.ts'
import { errorResponses, json } from '../schemas.ts'

const tags = ['webhooks']
const EventType = z.enum(WEBHOOK_EVENTS)

const SubscriptionSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string().nullable(),
    events: z.array(EventType),
    status: z.enum(['active', 'disabled']),
    secretPrefix: z.string().openapi({
      description: 'The first characters of the signing secret, to tell which one a receiver holds',
    }),
    disabledAt: z.string().nullable(),
    disabledReason: z.string().nullable().openapi({
      description: 'Why it stopped: the owner turned it off, or a delivery failed for days',
    }),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('WebhookSubscription')

const DeliverySchema = z
  .object({
    id: z.string(),
    subscriptionId: z.string(),
    eventId: z.string().openapi({ description: 'The same at every attempt and replay' }),
    eventType: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    lastError: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    createdAt: z.string(),
    event: z.unknown().openapi({ description: 'The body sent: { id, type, createdAt, data }' }),
    log: z.array(
      z.object({
        startedAt: z.string(),
        durationMs: z.number().int(),
        responseStatus: z.number().int().nullable(),
        responseBody: z.string().nullable().openapi({ description: 'At most 2 KB of it' }),
        error: z.string().nullable(),
      }),
    ),
  })
  .openapi('WebhookDelivery')

const Url = z.string().min(1).max(2_000)
const Description = z.string().max(200).nullable()
const Events = z.array(EventType).min(1).max(WEBHOOK_EVENTS.length)
const IdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'id', in: 'path' } }),
})

const create = createRoute({
  method: 'post',
  path: '/webhooks',
  tags,
  summary: 'Subscribe a URL to events; the signing secret is in this answer only',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({ url: Url, events: Events, description: Description.optional() })
            .strict(),
        },
      },
    },
  },
  responses: {
    201: json(
      SubscriptionSchema.extend({
        secret: z.string().openapi({
          description: 'whsec_...: the HMAC-SHA256 key of the signatures; shown this once',
        }),
      }),
      'The subscription and its secret',
    ),
    ...errorResponses(400, 401, 403, 503),
  },
})
const list = createRoute({
  method: 'get',
  path: '/webhooks',
  tags,
  summary: 'Every webhook subscription',
  responses: {
    200: json(z.object({ items: z.array(SubscriptionSchema) }), 'Oldest first'),
    ...errorResponses(401, 403),
  },
})
const get = createRoute({
  method: 'get',
  path: '/webhooks/{id}',
  tags,
  summary: 'One webhook subscription',
  request: { params: IdParams },
  responses: {
    200: json(SubscriptionSchema, 'The subscription'),
    ...errorResponses(401, 403, 404),
  },
})
const update = createRoute({
  method: 'patch',
  path: '/webhooks/{id}',
  tags,
  summary: 'Change a subscription; status active turns a disabled one back on',
  request: {
    params: IdParams,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({
              url: Url.optional(),
              events: Events.optional(),
              description: Description.optional(),
              status: z.enum(['active', 'disabled']).optional(),
            })
            .strict(),
        },
      },
    },
  },
  responses: {
    200: json(SubscriptionSchema, 'The subscription'),
    ...errorResponses(400, 401, 403, 404),
  },
})
const remove = createRoute({
  method: 'delete',
  path: '/webhooks/{id}',
  tags,
  summary: 'Delete a subscription, its deliveries and their log',
  request: { params: IdParams },
  responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 403, 404) },
})
const deliveries = createRoute({
  method: 'get',
  path: '/webhooks/{id}/deliveries',
  tags,
  summary: "A subscription's deliveries, newest first, each with every attempt and its answer",
  request: {
    params: IdParams,
    query: z.object({
      status: z.enum(DELIVERY_STATUSES).optional(),
      cursor: z.string().max(20).optional(),
      limit: z.coerce.number().int().min(1).max(100).optional(),
    }),
  },
  responses: {
    200: json(
      z.object({ items: z.array(DeliverySchema), nextCursor: z.string().nullable() }),
      'One page of deliveries',
    ),
    ...errorResponses(400, 401, 403, 404),
  },
})
const delivery = createRoute({
  method: 'get',
  path: '/webhook-deliveries/{id}',
  tags,
  summary: 'One delivery with every attempt and its answer',
  request: { params: IdParams },
  responses: { 200: json(DeliverySchema, 'The delivery'), ...errorResponses(401, 403, 404) },
})
const replay = createRoute({
  method: 'post',
  path: '/webhook-deliveries/{id}/replay',
  tags,
  summary: 'Send a delivery again: the same event id and body, signed afresh, due now',
  request: { params: IdParams },
  responses: {
    200: json(DeliverySchema, 'The delivery, due again'),
    ...errorResponses(401, 403, 404),
  },
})

export function webhookRoutes(domain: Domain) {
  return newRouter()
    .openapi(create, async (c) =>
      c.json(await domain.webhooks.subscribe(c.req.valid('json'), actorOf(c.get('caller'))), 201),
    )
    .openapi(list, async (c) => c.json({ items: await domain.webhooks.list() }, 200))
    .openapi(get, async (c) => c.json(await domain.webhooks.get(c.req.valid('param').id), 200))
    .openapi(update, async (c) =>
      c.json(await domain.webhooks.update(c.req.valid('param').id, c.req.valid('json')), 200),
    )
    .openapi(remove, async (c) => {
      await domain.webhooks.remove(c.req.valid('param').id)
      return c.body(null, 204)
    })
    .openapi(deliveries, async (c) => {
      const query = c.req.valid('query')
      return c.json(
        await domain.webhooks.deliveries(c.req.valid('param').id, {
          ...query,
          limit: query.limit ?? 20,
        }),
        200,
      )
    })
    .openapi(delivery, async (c) =>
      c.json(await domain.webhooks.delivery(c.req.valid('param').id), 200),
    )
    .openapi(replay, async (c) =>
      c.json(await domain.webhooks.replay(c.req.valid('param').id), 200),
    )
}
