import { createRoute, z } from '@hono/zod-openapi'
import type { Domain } from '../../domain/index.ts'
import { REMINDER_KINDS, reminderSettingsSchema } from '../../domain/reminders/reminder-rules.ts'
import { orderEventInputSchema } from '../../domain/reminders/order-touchpoints.ts'
import { productInputSchema } from '../../domain/reminders/products.ts'
import { newRouter } from '../router.ts'
import { actorOf } from '../middleware/api-key.ts'
import {
  HoldoutComparisonSchema,
  PeriodQuery,
  PeriodSchema,
  errorResponses,
  json,
} from '../schemas.ts'

const localized = z.object({ 'zh-CN': z.string(), en: z.string() })

const ProductSchema = z
  .object({
    sku: z.string(),
    name: localized,
    usageCycleDays: z.number().int().nullable(),
    remindDaysBefore: z.number().int().nullable(),
    updatedAt: z.string(),
  })
  .openapi('Product')

const OrderEventSchema = z
  .object({
    orderId: z.string(),
    type: z.enum(['shipped', 'delivered']),
    occurredAt: z.string(),
    carrier: z.string().nullable(),
    trackingNumber: z.string().nullable(),
  })
  .openapi('OrderEvent')

const ReminderSchema = z
  .object({
    id: z.number().int(),
    memberId: z.string(),
    kind: z.enum(REMINDER_KINDS),
    status: z.enum(['scheduled', 'queued', 'cancelled', 'skipped']),
    reason: z.string().nullable(),
    dueAt: z.string(),
    expiresAt: z.string().nullable(),
    createdAt: z.string(),
    decidedAt: z.string().nullable(),
    subject: z.record(z.string(), z.unknown()),
    delivery: z.string().nullable().openapi({ description: 'The outbox status once queued' }),
    sentAt: z.string().nullable(),
  })
  .openapi('Reminder')

const ReminderStatsSchema = z
  .object({
    kind: z.enum(REMINDER_KINDS),
    scheduled: z.number().int(),
    queued: z.number().int(),
    held: z.number().int().openapi({
      description: 'Of the queued, waiting because their channel is down',
    }),
    sent: z.number().int(),
    opened: z.number().int().openapi({
      description: 'Sent reminders whose member-page button the member opened',
    }),
    skipped: z.record(z.string(), z.number().int()),
    cancelled: z.number().int(),
    converted: z.number().int(),
    conversionRate: z.number().nullable(),
    orders: z.number().int(),
    sales: z.number().int(),
    holdout: HoldoutComparisonSchema.nullable(),
  })
  .openapi('ReminderStats')

const TemplateSchema = z
  .object({
    kind: z.enum(REMINDER_KINDS),
    purpose: z.enum(['marketing', 'service']),
    text: localized,
    edited: z.boolean(),
    placeholders: z.array(z.string()),
  })
  .openapi('ReminderTemplate')

const SkuParams = z.object({
  sku: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'sku', in: 'path' } }),
})
const OrderParams = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
})
const KindParams = z.object({
  kind: z.enum(REMINDER_KINDS).openapi({ param: { name: 'kind', in: 'path' } }),
})
const basedOn = z.coerce.number().int().min(0).max(2_147_483_647).optional().openapi({
  type: 'integer',
  description:
    'The programme version the change was made from: if another was saved since, 409 programme_changed and nothing is saved',
})
const TemplateTextSchema = z.object({
  'zh-CN': z.string().trim().min(1).max(1_000),
  en: z.string().trim().min(1).max(1_000),
})

const routes = {
  putProduct: createRoute({
    method: 'put',
    path: '/products/{sku}',
    tags: ['reminders'],
    summary: 'Create or change a product: its names and usage cycle in days',
    request: {
      params: SkuParams,
      body: { required: true, content: { 'application/json': { schema: productInputSchema } } },
    },
    responses: { 200: json(ProductSchema, 'The product'), ...errorResponses(400, 401, 403) },
  }),
  listProducts: createRoute({
    method: 'get',
    path: '/products',
    tags: ['reminders'],
    summary: 'Products with their usage cycles',
    responses: {
      200: json(z.object({ items: z.array(ProductSchema) }), 'By SKU'),
      ...errorResponses(401),
    },
  }),
  orderEvent: createRoute({
    method: 'post',
    path: '/orders/{id}/events',
    tags: ['orders'],
    summary: 'Report that an order shipped or was delivered; the member is told',
    description:
      'Once per order and type: a retry answers the first report (200, Idempotent-Replayed: true). Delivery also plans the satisfaction survey about the order.',
    request: {
      params: OrderParams,
      body: { required: true, content: { 'application/json': { schema: orderEventInputSchema } } },
    },
    responses: {
      201: json(OrderEventSchema, 'The event, recorded'),
      200: json(OrderEventSchema, 'The event as first reported'),
      ...errorResponses(400, 401, 404),
    },
  }),
  list: createRoute({
    method: 'get',
    path: '/reminders',
    tags: ['reminders'],
    summary: 'Reminders, newest first, with what became of each',
    request: {
      query: z.object({
        memberId: z.string().optional(),
        kind: z.enum(REMINDER_KINDS).optional(),
        status: z.enum(['scheduled', 'queued', 'cancelled', 'skipped']).optional(),
        limit: z.coerce.number().int().min(1).max(1_000).optional(),
      }),
    },
    responses: {
      200: json(z.object({ items: z.array(ReminderSchema) }), 'Newest first'),
      ...errorResponses(400, 401, 403),
    },
  }),
  stats: createRoute({
    method: 'get',
    path: '/reminders/stats',
    tags: ['reminders'],
    summary: 'Per kind: sent, skipped and why, converted, orders and sales',
    description:
      'For reminders created in the period [from, to), taken as the reports take it: local days of the merchant or instants, by default the last 30 days. A sent reminder converts when the member orders within the programme’s reminders.conversionDays.',
    request: { query: PeriodQuery },
    responses: {
      200: json(
        z.object({ period: PeriodSchema, items: z.array(ReminderStatsSchema) }),
        'One row per kind',
      ),
      ...errorResponses(400, 401, 403),
    },
  }),
  templates: createRoute({
    method: 'get',
    path: '/reminders/templates',
    tags: ['reminders'],
    summary: 'The text of each reminder kind in 简体中文 and English, and its placeholders',
    responses: {
      200: json(z.object({ items: z.array(TemplateSchema) }), 'One per kind'),
      ...errorResponses(401, 403),
    },
  }),
  setTemplate: createRoute({
    method: 'put',
    path: '/reminders/templates/{kind}',
    tags: ['reminders'],
    summary: 'Replace a reminder text, or null to go back to the default',
    description: 'Saved as a new programme version. Unknown placeholders are refused by name.',
    request: {
      params: KindParams,
      query: z.object({ basedOn }),
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z.object({ text: TemplateTextSchema.nullable() }),
          },
        },
      },
    },
    responses: {
      200: json(
        TemplateSchema.extend({ version: z.number().int() }),
        'The template, and the programme version it was saved in',
      ),
      ...errorResponses(400, 401, 403, 409),
    },
  }),
  previewTemplate: createRoute({
    method: 'post',
    path: '/reminders/templates/{kind}/preview',
    tags: ['reminders'],
    summary: 'A reminder text filled in for a sample member, in 简体中文 and English',
    description:
      'Saves nothing. Without a text, the kind’s text members get now; with one, that text as it would read.',
    request: {
      params: KindParams,
      body: {
        required: true,
        content: {
          'application/json': { schema: z.object({ text: TemplateTextSchema.optional() }) },
        },
      },
    },
    responses: {
      200: json(
        z
          .object({
            kind: z.enum(REMINDER_KINDS),
            placeholders: z.array(z.string()),
            rendered: localized,
            unknown: z.array(z.string()).openapi({
              description: 'Placeholders the kind does not know: saving the text is refused',
            }),
          })
          .openapi('ReminderPreview'),
        'The sample texts',
      ),
      ...errorResponses(400, 401, 403),
    },
  }),
  setSettings: createRoute({
    method: 'put',
    path: '/reminders/settings',
    tags: ['reminders'],
    summary: 'Which reminders run and when: the programme’s reminders section but its texts',
    description:
      'Saved as a new programme version; managers may change it, the rest of the programme is the owner’s.',
    request: {
      query: z.object({ basedOn }),
      body: {
        required: true,
        content: { 'application/json': { schema: reminderSettingsSchema } },
      },
    },
    responses: {
      200: json(
        z.object({ version: z.number().int(), settings: reminderSettingsSchema }),
        'The new programme version and its settings',
      ),
      ...errorResponses(400, 401, 403, 409),
    },
  }),
}

export function reminderRoutes(domain: Domain) {
  return newRouter()
    .openapi(routes.putProduct, async (c) =>
      c.json(
        await domain.reminders.upsertProduct(c.req.valid('param').sku, c.req.valid('json')),
        200,
      ),
    )
    .openapi(routes.listProducts, async (c) =>
      c.json({ items: await domain.reminders.listProducts() }, 200),
    )
    .openapi(routes.orderEvent, async (c) => {
      const { replayed, ...event } = await domain.reminders.recordOrderEvent(
        c.req.valid('param').id,
        c.req.valid('json'),
      )
      if (replayed) {
        c.header('Idempotent-Replayed', 'true')
        return c.json(event, 200)
      }
      return c.json(event, 201)
    })
    .openapi(routes.list, async (c) =>
      c.json({ items: await domain.reminders.list(c.req.valid('query')) }, 200),
    )
    .openapi(routes.stats, async (c) => {
      const period = await domain.reports.period(c.req.valid('query'))
      return c.json({ period, items: await domain.reminders.stats(period) }, 200)
    })
    .openapi(routes.templates, async (c) =>
      c.json({ items: await domain.reminders.templates() }, 200),
    )
    .openapi(routes.previewTemplate, async (c) =>
      c.json(
        await domain.reminders.previewTemplate(c.req.valid('param').kind, c.req.valid('json').text),
        200,
      ),
    )
    .openapi(routes.setSettings, async (c) => {
      const saved = await domain.reminders.setSettings(c.req.valid('json'), {
        actor: actorOf(c.get('caller')),
        basedOn: c.req.valid('query').basedOn,
      })
      // The schema keeps the settings alone: the texts are not what was sent.
      const settings = reminderSettingsSchema.parse(saved.config.reminders)
      return c.json({ version: saved.version, settings }, 200)
    })
    .openapi(routes.setTemplate, async (c) =>
      c.json(
        await domain.reminders.setTemplate(c.req.valid('param').kind, c.req.valid('json').text, {
          actor: actorOf(c.get('caller')),
          basedOn: c.req.valid('query').basedOn,
        }),
        200,
      ),
    )
}
