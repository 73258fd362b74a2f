import { createRoute, z } from '@hono/zod-openapi'
import type { Domain } from '../../domain/index.ts'
import { segmentFilterSchema } from '../../domain/segments/segments.ts'
import { tagsInputSchema } from '../../domain/segments/tags.service.ts'
import { newRouter } from '../router.ts'
import { errorResponses, json } from '../schemas.ts'

const pathParam = (name: string) =>
  z
    .string()
    .min(1)
    .openapi({ param: { name, in: 'path' } })
const IdParams = z.object({ id: pathParam('id') })
/** Enough members to recognise whom a filter reaches; the full list is GET /segments/{id}/members. */
const PREVIEW_SAMPLE = 5
const TagParams = z.object({ id: pathParam('id'), tag: pathParam('tag') })

const SegmentSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    filter: segmentFilterSchema,
    createdAt: z.string(),
    size: z.number().int().openapi({ description: 'Members the filter selects now' }),
  })
  .openapi('Segment')
const RecomputeSchema = z
  .object({ members: z.number().int(), ms: z.number().int(), computedAt: z.string() })
  .openapi('SegmentRecompute')
const MemberTagsSchema = z
  .object({ memberId: z.string(), tags: z.array(z.string()) })
  .openapi('MemberTags')
const SegmentMemberSchema = z
  .object({
    id: z.string(),
    code: z.string(),
    displayName: z.string(),
    tier: z.string(),
    points: z.number().int(),
    marketingConsent: z.boolean(),
    lifecycle: z.string().nullable(),
    valueClass: z.string().nullable(),
    lastPurchaseAt: z.string().nullable(),
  })
  .openapi('SegmentMember')
const PreviewSchema = z
  .object({
    size: z.number().int(),
    computedAt: z.string().nullable().openapi({
      description: 'When lifecycle, RFM, value class and ABC were last recomputed',
    }),
    sample: z.array(SegmentMemberSchema).openapi({
      description: `The first ${PREVIEW_SAMPLE} members the filter selects, in member id order`,
    }),
  })
  .openapi('SegmentPreview')
const newSegment = z.object({
  name: z.string().trim().min(1).max(100),
  filter: segmentFilterSchema,
})

const tags = ['segments']
const routes = {
  create: createRoute({
    method: 'post',
    path: '/segments',
    tags,
    summary: 'Save a segment: a named filter over the customer classification',
    request: {
      body: { required: true, content: { 'application/json': { schema: newSegment } } },
    },
    responses: {
      201: json(SegmentSchema, 'The segment with its size'),
      ...errorResponses(400, 401, 403),
    },
  }),
  list: createRoute({
    method: 'get',
    path: '/segments',
    tags,
    summary: 'Every saved segment with its size now',
    responses: {
      200: json(z.object({ items: z.array(SegmentSchema) }), 'Segments, oldest first'),
      ...errorResponses(401),
    },
  }),
  get: createRoute({
    method: 'get',
    path: '/segments/{id}',
    tags,
    summary: 'A saved segment with its size now',
    request: { params: IdParams },
    responses: { 200: json(SegmentSchema, 'The segment'), ...errorResponses(401, 404) },
  }),
  members: createRoute({
    method: 'get',
    path: '/segments/{id}/members',
    tags,
    summary: 'The members a saved segment selects now, a page at a time',
    description:
      'In member id order; pass nextCursor as cursor for the next page. The CSV of the same members is GET /api/v1/exports/members?segment={id}.',
    request: {
      params: IdParams,
      query: z.object({
        cursor: z.string().optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
    },
    responses: {
      200: json(
        z.object({ items: z.array(SegmentMemberSchema), nextCursor: z.string().nullable() }),
        'A page of members',
      ),
      ...errorResponses(400, 401, 403, 404),
    },
  }),
  delete: createRoute({
    method: 'delete',
    path: '/segments/{id}',
    tags,
    summary: 'Delete a saved segment',
    request: { params: IdParams },
    responses: {
      200: json(z.object({ ok: z.literal(true) }), 'Deleted'),
      ...errorResponses(401, 403, 404),
    },
  }),
  preview: createRoute({
    method: 'post',
    path: '/segments/preview',
    tags,
    summary: 'How many members a filter selects and the first few, before sending to them',
    request: {
      body: {
        required: true,
        content: {
          'application/json': { schema: z.object({ filter: segmentFilterSchema }).strict() },
        },
      },
    },
    responses: {
      200: json(PreviewSchema, 'The size and a sample'),
      ...errorResponses(400, 401, 403),
    },
  }),
  recompute: createRoute({
    method: 'post',
    path: '/segments/recompute',
    tags,
    summary: 'Recompute every member’s lifecycle, RFM, value class and ABC now',
    responses: { 200: json(RecomputeSchema, 'Done'), ...errorResponses(401, 403) },
  }),
  memberTags: createRoute({
    method: 'get',
    path: '/members/{id}/tags',
    tags,
    summary: 'A member’s tags',
    request: { params: IdParams },
    responses: { 200: json(MemberTagsSchema, 'The tags'), ...errorResponses(401, 404) },
  }),
  addTags: createRoute({
    method: 'post',
    path: '/members/{id}/tags',
    tags,
    summary: 'Tag a member; tags already there stay',
    request: {
      params: IdParams,
      body: { required: true, content: { 'application/json': { schema: tagsInputSchema } } },
    },
    responses: {
      200: json(MemberTagsSchema, 'Every tag of the member'),
      ...errorResponses(400, 401, 403, 404, 409),
    },
  }),
  removeTag: createRoute({
    method: 'delete',
    path: '/members/{id}/tags/{tag}',
    tags,
    summary: 'Remove a tag from a member',
    request: { params: TagParams },
    responses: {
      200: json(MemberTagsSchema, 'The tags left'),
      ...errorResponses(401, 403, 404, 409),
    },
  }),
}

export function segmentRoutes(domain: Domain) {
  const { segments } = domain
  return newRouter()
    .openapi(routes.create, async (c) => c.json(await segments.create(c.req.valid('json')), 201))
    .openapi(routes.list, async (c) => c.json({ items: await segments.sizes() }, 200))
    .openapi(routes.preview, async (c) => {
      const filter = await segments.validate(c.req.valid('json').filter)
      const { size, sample } = await segments.preview(filter, PREVIEW_SAMPLE)
      return c.json({ size, computedAt: await segments.computedAt(), sample }, 200)
    })
    .openapi(routes.recompute, async (c) => c.json(await segments.recompute(), 200))
    .openapi(routes.get, async (c) => c.json(await segments.get(c.req.valid('param').id), 200))
    .openapi(routes.members, async (c) => {
      const { cursor, limit } = c.req.valid('query')
      return c.json(await segments.members(c.req.valid('param').id, { after: cursor, limit }), 200)
    })
    .openapi(routes.delete, async (c) => {
      await segments.delete(c.req.valid('param').id)
      return c.json({ ok: true as const }, 200)
    })
    .openapi(routes.memberTags, async (c) =>
      c.json(await domain.tags.of(c.req.valid('param').id), 200),
    )
    .openapi(routes.addTags, async (c) =>
      c.json(await domain.tags.add(c.req.valid('param').id, c.req.valid('json').tags), 200),
    )
    .openapi(routes.removeTag, async (c) => {
      const { id, tag } = c.req.valid('param')
      return c.json(await domain.tags.remove(id, tag), 200)
    })
}
