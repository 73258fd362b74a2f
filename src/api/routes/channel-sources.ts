import { createRoute, z } from '@hono/zod-openapi'
import {
  SOURCE_KINDS,
  channelSourceInputSchema,
} from '../../domain/channel-sources/channel-sources.ts'
import type { Domain } from '../../domain/index.ts'
import type { ChannelQrCodes } from '../../domain/ports.ts'
import { isDomainError } from '../../shared/errors.ts'
import { errorBody } from '../errors.ts'
import { actorOf } from '../middleware/api-key.ts'
import { newRouter } from '../router.ts'
import { ErrorSchema, errorResponses, json } from '../schemas.ts'

const ChannelSourceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(SOURCE_KINDS),
    scene: z.string().openapi({ description: 'The scene string of its QR code (scene_str)' }),
    qrUrl: z.string().openapi({ description: 'What the QR code encodes: print it as a QR code' }),
    imageUrl: z.string().openapi({ description: 'WeChat’s picture of the code (showqrcode)' }),
    createdAt: z.string(),
  })
  .openapi('ChannelSource')
const SourceReportSchema = z
  .object({
    sourceId: z.string(),
    name: z.string(),
    kind: z.enum(SOURCE_KINDS),
    members: z.number().int().openapi({
      description: 'Members whose first follow or scan was through it: their source',
    }),
    follows: z.number().int().openapi({ description: 'Follows through it, members or not' }),
    scans: z.number().int().openapi({ description: 'Scans by people already following' }),
  })
  .openapi('SourceReportRow')

const unavailable = {
  description:
    'The Official Account is not set up (channel_unavailable), or WeChat refused (platform_error)',
  content: { 'application/json': { schema: ErrorSchema } },
}

const routes = {
  create: createRoute({
    method: 'post',
    path: '/channel-sources',
    tags: ['channel sources'],
    summary: 'Name a source (a store, a poster, a staff member) and make its channel QR code',
    description:
      'A permanent Official Account QR code with a scene string (带参数二维码, QR_LIMIT_STR_SCENE): whoever follows or scans through it is attributed to the source. WeChat allows 100,000 permanent codes per account.',
    request: {
      body: {
        required: true,
        content: { 'application/json': { schema: channelSourceInputSchema } },
      },
    },
    responses: {
      201: json(ChannelSourceSchema, 'The source and its QR code'),
      ...errorResponses(400, 401, 403),
      502: unavailable,
      503: unavailable,
    },
  }),
  list: createRoute({
    method: 'get',
    path: '/channel-sources',
    tags: ['channel sources'],
    summary: 'The channel sources and their QR codes, oldest first',
    responses: {
      200: json(z.object({ items: z.array(ChannelSourceSchema) }), 'Sources'),
      ...errorResponses(401, 403),
    },
  }),
  report: createRoute({
    method: 'get',
    path: '/reports/sources',
    tags: ['reports'],
    summary: 'Members by source: who came through each channel QR code',
    responses: {
      200: json(z.object({ items: z.array(SourceReportSchema) }), 'One row per source'),
      ...errorResponses(401, 403),
    },
  }),
}

/** `qrCodes`: the Official Account's QR codes when the channel is on. */
export function channelSourceRoutes(domain: Domain, qrCodes?: ChannelQrCodes) {
  return newRouter()
    .openapi(routes.create, async (c) => {
      if (!qrCodes)
        return c.json(
          errorBody(
            'channel_unavailable',
            'the Official Account is not set up (WECHAT_OA_APP_ID, WECHAT_OA_APP_SECRET, WECHAT_OA_TOKEN)',
          ),
          503,
        )
      const input = c.req.valid('json')
      try {
        return c.json(
          await domain.channelSources.create(input, actorOf(c.get('caller')), qrCodes),
          201,
        )
      } catch (error) {
        if (!isDomainError(error))
          return c.json(
            errorBody('platform_error', `WeChat refused the QR code: ${String(error)}`),
            502,
          )
        throw error
      }
    })
    .openapi(routes.list, async (c) => c.json({ items: await domain.channelSources.list() }, 200))
    .openapi(routes.report, async (c) =>
      c.json({ items: await domain.channelSources.report() }, 200),
    )
}
