import { createRoute, z } from '@hono/zod-openapi'
import type { Domain } from '../../domain/index.ts'
import { programmeSchema } from '../../domain/programme/programme.ts'
import { newRouter } from '../router.ts'
import { actorOf } from '../middleware/api-key.ts'
import { errorResponses, json } from '../schemas.ts'

const ProgrammeVersionSchema = z
  .object({
    version: z.number().int(),
    config: programmeSchema,
    note: z.string().nullable(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('ProgrammeVersion')

const getProgramme = createRoute({
  method: 'get',
  path: '/programme',
  tags: ['programme'],
  summary: 'The current programme: tiers, earning rules, expiry',
  responses: { 200: json(ProgrammeVersionSchema, 'The current version'), ...errorResponses(401) },
})
const listVersions = createRoute({
  method: 'get',
  path: '/programme/versions',
  tags: ['programme'],
  summary: 'Every version of the programme, newest first',
  responses: {
    200: json(
      z.object({ items: z.array(ProgrammeVersionSchema.omit({ config: true })) }),
      'Versions without their configuration',
    ),
    ...errorResponses(401),
  },
})
const replaceProgramme = createRoute({
  method: 'put',
  path: '/programme',
  tags: ['programme'],
  summary: 'Replace the programme: a new version; the old ones are kept',
  request: {
    query: z.object({ note: z.string().max(500).optional() }),
    body: { required: true, content: { 'application/json': { schema: programmeSchema } } },
  },
  responses: {
    200: json(ProgrammeVersionSchema, 'The new current version'),
    ...errorResponses(400, 401, 403),
  },
})

export function programmeRoutes(domain: Domain) {
  return newRouter()
    .openapi(getProgramme, async (c) => c.json(await domain.programme.current(), 200))
    .openapi(listVersions, async (c) => c.json({ items: await domain.programme.history() }, 200))
    .openapi(replaceProgramme, async (c) =>
      c.json(
        await domain.programme.replace(c.req.valid('json'), {
          actor: actorOf(c.get('caller')),
          note: c.req.valid('query').note,
        }),
        200,
      ),
    )
}
