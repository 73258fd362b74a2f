import { createRoute, z } from '@hono/zod-openapi'
import { campaignInputSchema, messageSchema } from '../../domain/campaigns/campaigns.ts'
import { DomainError } from '../../shared/errors.ts'
import type { Domain } from '../../domain/index.ts'
import { newRouter } from '../router.ts'
import { actorOf } from '../middleware/api-key.ts'
import { REWARD_IMAGE_MAX_BYTES, REWARD_IMAGE_MAX_SIDE } from '../../domain/rewards/images.ts'
import {
  HoldoutComparisonSchema,
  errorResponses,
  json,
  localized,
  pictureBody,
} from '../schemas.ts'

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
      imageSha256: z.string().optional().openapi({
        description: 'The uploaded picture (POST /campaigns/images) the message sends',
      }),
      buttons: z
        .array(
          z.object({
            label: localized.openapi({ description: 'In each language; members read theirs' }),
            url: z.string(),
          }),
        )
        .optional(),
      miniappButton: localized
        .optional()
        .openapi({ description: 'The member-page button’s label in each language' }),
      officialMassSend: z.boolean().optional(),
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

const CampaignImageSchema = z
  .object({
    sha256: z.string().openapi({ description: 'What a message names it by: message.imageSha256' }),
    url: z.string().openapi({ description: 'Where this server shows it, cached for good' }),
    contentType: z.string(),
    size: z.number().int(),
    width: z.number().int(),
    height: z.number().int(),
  })
  .openapi('CampaignImage')

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
  uploadImage: createRoute({
    method: 'post',
    path: '/campaigns/images',
    tags,
    summary: 'Upload a picture for campaign messages',
    description: `The body is the picture itself: PNG, JPEG or WebP (read from its bytes, not its Content-Type), at most ${REWARD_IMAGE_MAX_BYTES / 1024} KB and ${REWARD_IMAGE_MAX_SIDE} pixels a side, as a reward's. A message then names it by its sha256 (message.imageSha256), and the channels send its bytes, so it needs no public address. The same bytes again are the same picture.`,
    request: { body: pictureBody() },
    responses: {
      201: json(CampaignImageSchema, 'The stored picture'),
      ...errorResponses(400, 401, 403, 413, 415),
    },
  }),
  preview: createRoute({
    method: 'post',
    path: '/campaigns/preview',
    tags,
    summary: 'Send a message as composed to the calling staff member’s own chat',
    description:
      'Through the outbox, as staff notices go, in the language of the member who is the same person (else the programme’s): its text, picture and buttons as that channel shows them to members (on the Official Account, the text and links only). queued is false when the staff member has no chat to send it to; an API key has none (403).',
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
    .openapi(routes.uploadImage, async (c) => {
      const caller = c.get('caller')
      const bytes = new Uint8Array(await c.req.arrayBuffer())
      return c.json(await domain.campaignImages.upload(bytes, actorOf(caller)), 201)
    })
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
