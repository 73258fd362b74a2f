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
/** A version number as the database's integer column holds it (PostgreSQL's int4). */
const versionNumber = z.coerce.number().int().min(0).max(2_147_483_647)
const VersionParams = z.object({
  version: versionNumber
    .min(1)
    .openapi({ param: { name: 'version', in: 'path' }, type: 'integer' }),
})
const basedOn = versionNumber.optional().openapi({
  type: 'integer',
  description:
    'The version the change was made from: if another version was saved since, 409 programme_changed and nothing is saved',
})
const ChangeSchema = z
  .object({
    path: z.string().openapi({ description: 'The setting, as `earning.firstOrderBonus`' }),
    before: z.unknown().optional().openapi({ description: 'Absent when the setting is new' }),
    after: z.unknown().optional().openapi({ description: 'Absent when the setting was removed' }),
  })
  .openapi('ProgrammeChange')
const DiffSchema = z
  .object({
    version: z.number().int(),
    against: z.number().int().nullable(),
    changes: z.array(ChangeSchema),
  })
  .openapi('ProgrammeDiff')

const getVersion = createRoute({
  method: 'get',
  path: '/programme/versions/{version}',
  tags: ['programme'],
  summary: 'One version of the programme, with its configuration',
  request: { params: VersionParams },
  responses: { 200: json(ProgrammeVersionSchema, 'The version'), ...errorResponses(400, 401, 404) },
})
const diffVersion = createRoute({
  method: 'get',
  path: '/programme/versions/{version}/diff',
  tags: ['programme'],
  summary: 'What a version changed: each setting with its old and new value',
  request: {
    params: VersionParams,
    query: z.object({
      against: versionNumber.optional().openapi({
        type: 'integer',
        description: 'The version to compare with; by default the one before',
      }),
    }),
  },
  responses: { 200: json(DiffSchema, 'The changes'), ...errorResponses(400, 401, 404) },
})
const previewChanges = createRoute({
  method: 'post',
  path: '/programme/changes',
  tags: ['programme'],
  summary: 'What saving this programme would change, before it is saved',
  description: 'Saves nothing. Invalid settings are refused as PUT refuses them, naming the field.',
  request: {
    body: { required: true, content: { 'application/json': { schema: programmeSchema } } },
  },
  responses: {
    200: json(
      z.object({ basedOn: z.number().int(), changes: z.array(ChangeSchema) }),
      'The changes against the current version',
    ),
    ...errorResponses(400, 401, 403),
  },
})
const restoreVersion = createRoute({
  method: 'post',
  path: '/programme/versions/{version}/restore',
  tags: ['programme'],
  summary: 'Make an earlier version current again, as a new version',
  request: { params: VersionParams, query: z.object({ basedOn }) },
  responses: {
    200: json(ProgrammeVersionSchema, 'The new current version'),
    ...errorResponses(400, 401, 403, 404, 409),
  },
})
const replaceProgramme = createRoute({
  method: 'put',
  path: '/programme',
  tags: ['programme'],
  summary: 'Replace the programme: a new version; the old ones are kept',
  request: {
    query: z.object({ note: z.string().max(500).optional(), basedOn }),
    body: { required: true, content: { 'application/json': { schema: programmeSchema } } },
  },
  responses: {
    200: json(ProgrammeVersionSchema, 'The new current version'),
    ...errorResponses(400, 401, 403, 409),
  },
})

export function programmeRoutes(domain: Domain) {
  return newRouter()
    .openapi(getProgramme, async (c) => c.json(await domain.programme.current(), 200))
    .openapi(listVersions, async (c) => c.json({ items: await domain.programme.history() }, 200))
    .openapi(getVersion, async (c) =>
      c.json(await domain.programme.at(c.req.valid('param').version), 200),
    )
    .openapi(diffVersion, async (c) =>
      c.json(
        await domain.programme.diff(c.req.valid('param').version, c.req.valid('query').against),
        200,
      ),
    )
    .openapi(previewChanges, async (c) =>
      c.json(await domain.programme.preview(c.req.valid('json')), 200),
    )
    .openapi(restoreVersion, async (c) =>
      c.json(
        await domain.programme.restore(c.req.valid('param').version, {
          actor: actorOf(c.get('caller')),
          basedOn: c.req.valid('query').basedOn,
        }),
        200,
      ),
    )
    .openapi(replaceProgramme, async (c) =>
      c.json(
        await domain.programme.replace(c.req.valid('json'), {
          actor: actorOf(c.get('caller')),
          note: c.req.valid('query').note,
          basedOn: c.req.valid('query').basedOn,
        }),
        200,
      ),
    )
}
