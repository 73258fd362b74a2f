import { createRoute, z } from '@hono/zod-openapi'
import { campaignInputSchema, messageSchema } from '../../domain/campaigns/campaigns.ts'
import { DomainError } from '../../shared/errors.ts'
import type { Domain } from '../../domain/index.ts'
import { newRouter } from '../router.ts'
import { actorOf } from '../middleware/api-key.ts'
import { HoldoutComparisonSchema, errorResponses, json, localized } from '../schemas.ts'

const IdParams = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
})

const StatsSchema = z.object({
  targeted: z.number().int(),
  pending: z.number().int(),
  sent: z.number().int(),
  failed: z.number().int(),
  blocked: z.number().int(),
  skipped: z.number().int(),
  cancelled: z.number().int(),
  uncertain: z.number().int(),
  held: z
    .number()
    .int()
    .openapi({ description: 'Waiting because their channel is down (counted in pending too)' }),
  expired: z
    .number()
    .int()
    .openapi({ description: 'Held past the campaign’s use (campaignMaxDelayHours), never sent' }),
  opened: z.number().int(),
  converted: z
    .number()
    .int()
    .openapi({ description: 'Messaged members who ordered within the attribution window' }),
  orders: z.number().int(),
  sales: z.number().int(),
  cost: z.number().int().nullable(),
  roi: z.number().nullable().openapi({ description: 'Attributed sales ÷ cost × 100' }),
  heldOut: z.number().int().openapi({ description: 'Members drawn out and not messaged' }),
  holdout: HoldoutComparisonSchema.nullable(),
  massSends: z
    .array(
      z.object({
        msgId: z.string(),
        followers: z.number().int().openapi({ description: 'The campaign’s messages in it' }),
        result: z
          .object({
            status: z
              .string()
              .openapi({ description: 'WeChat’s words: send success, send fail, err(…)' }),
            total: z.number().int(),
            filtered: z.number().int(),
            sent: z.number().int(),
            errors: z.number().int(),
            finishedAt: z.string(),
          })
          .nullable()
          .openapi({ description: 'What WeChat reported when the send finished; null until then' }),
      }),
    )
    .openapi({ description: 'The campaign’s Official Account mass sends (群发)' }),
})
const CampaignSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    message: z.object({
      text: localized.openapi({ description: 'The text in each language; members read theirs' }),
      imageUrl: z.string().optional(),
      buttons: z.array(z.object({ label: z.string(), url: z.string() })).optional(),
      miniappButton: z.string().optional(),
    }),
    segment: z.record(z.string(), z.unknown()),
    status: z.enum(['scheduled', 'sending', 'paused', 'completed', 'cancelled']),
    sendAt: z.string(),
    attributionDays: z.number().int(),
    holdoutPercent: z.number().int(),
    holdoutSeed: z.number().int().nullable(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    stats: StatsSchema,
  })
  .openapi('Campaign')

const tags = ['campaigns']
const action = (name: 'pause' | 'resume' | 'cancel', summary: string) =>
  createRoute({
    method: 'post',
    path: `/campaigns/{id}/${name}`,
    tags,
    summary,
    request: { params: IdParams },
    responses: { 200: json(CampaignSchema, 'The campaign'), ...errorResponses(401, 403, 404, 409) },
  })

const routes = {
  create: createRoute({
    method: 'post',
    path: '/campaigns',
    tags,
    summary: 'Broadcast a message to a segment, now or at sendAt',
    request: {
      body: { required: true, content: { 'application/json': { schema: campaignInputSchema } } },
    },
    responses: {
      201: json(CampaignSchema, 'The campaign, scheduled'),
      ...errorResponses(400, 401, 403),
    },
  }),
  preview: createRoute({
    method: 'post',
    path: '/campaigns/preview',
    tags,
    summary: 'Send a message as composed to the calling staff member’s own chat',
    description:
      'Through the outbox, as staff notices go, in the language of the member who is the same person (else the programme’s). Its text and link buttons; a picture and the member-page button are not shown. queued is false when the staff member has no chat to send it to; an API key has none (403).',
    request: {
      body: {
        required: true,
        content: { 'application/json': { schema: z.object({ message: messageSchema }).strict() } },
      },
    },
    responses: {
      200: json(z.object({ queued: z.boolean() }), 'Whether it is on its way'),
      ...errorResponses(400, 401, 403),
    },
  }),
  list: createRoute({
    method: 'get',
    path: '/campaigns',
    tags,
    summary: 'The last 100 campaigns with their results',
    responses: {
      200: json(z.object({ items: z.array(CampaignSchema) }), 'Newest first'),
      ...errorResponses(401),
    },
  }),
  get: createRoute({
    method: 'get',
    path: '/campaigns/{id}',
    tags,
    summary:
      'A campaign: status and results (targeted, sent, failed, blocked, opened, orders, sales, ROI)',
    request: { params: IdParams },
    responses: { 200: json(CampaignSchema, 'The campaign'), ...errorResponses(401, 404) },
  }),
  pause: action('pause', 'Pause sending'),
  resume: action('resume', 'Resume a paused campaign'),
  cancel: action('cancel', 'Cancel what is not sent yet'),
}

export function campaignRoutes(domain: Domain) {
  return newRouter()
    .openapi(routes.create, async (c) =>
      c.json(await domain.campaigns.create(c.req.valid('json'), actorOf(c.get('caller'))), 201),
    )
    .openapi(routes.preview, async (c) => {
      const caller = c.get('caller')
      if (caller.kind !== 'staff')
        throw new DomainError('forbidden', 'a preview goes to a staff member’s own chat')
      const queued = await domain.campaigns.preview(c.req.valid('json').message, caller.id)
      return c.json({ queued }, 200)
    })
    .openapi(routes.list, async (c) => c.json({ items: await domain.campaigns.list() }, 200))
    .openapi(routes.get, async (c) =>
      c.json(await domain.campaigns.get(c.req.valid('param').id), 200),
    )
    .openapi(routes.pause, async (c) =>
      c.json(await domain.campaigns.pause(c.req.valid('param').id), 200),
    )
    .openapi(routes.resume, async (c) =>
      c.json(await domain.campaigns.resume(c.req.valid('param').id), 200),
    )
    .openapi(routes.cancel, async (c) =>
      c.json(await domain.campaigns.cancel(c.req.valid('param').id), 200),
    )
}
