import { createRoute, z } from '@hono/zod-openapi'
import type { Domain } from '../../domain/index.ts'
import { STAFF_ROLES } from '../../domain/staff/staff.service.ts'
import { newRouter } from '../router.ts'
import { errorResponses, json } from '../schemas.ts'

const StaffSchema = z
  .object({
    id: z.string(),
    channel: z.string(),
    externalId: z.string(),
    role: z.enum(STAFF_ROLES),
    displayName: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Staff')
const StaffParams = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
})
const RoleBody = z.object({ role: z.enum(STAFF_ROLES) }).strict()
const tags = ['staff']

const listStaff = createRoute({
  method: 'get',
  path: '/staff',
  tags,
  summary: 'Every staff member and their role',
  responses: {
    200: json(z.object({ items: z.array(StaffSchema) }), 'Oldest first'),
    ...errorResponses(401, 403),
  },
})
const getStaff = createRoute({
  method: 'get',
  path: '/staff/{id}',
  tags,
  summary: 'One staff member',
  request: { params: StaffParams },
  responses: { 200: json(StaffSchema, 'The staff member'), ...errorResponses(401, 403, 404) },
})
const invite = createRoute({
  method: 'post',
  path: '/staff/invites',
  tags,
  summary: 'An invite with a role: a one-time code that whoever sends it to the bot accepts',
  request: { body: { required: true, content: { 'application/json': { schema: RoleBody } } } },
  responses: {
    201: json(
      z.object({ code: z.string(), role: z.enum(STAFF_ROLES), expiresAt: z.string() }),
      'The code, shown this once',
    ),
    ...errorResponses(400, 401, 403),
  },
})
const changeRole = createRoute({
  method: 'patch',
  path: '/staff/{id}',
  tags,
  summary: 'Change a role; it counts from the staff member’s next request',
  request: {
    params: StaffParams,
    body: { required: true, content: { 'application/json': { schema: RoleBody } } },
  },
  responses: { 200: json(StaffSchema, 'The staff member'), ...errorResponses(400, 401, 403, 404) },
})
const revoke = createRoute({
  method: 'delete',
  path: '/staff/{id}',
  tags,
  summary: 'Revoke: off the staff, every open console session ended at once',
  request: { params: StaffParams },
  responses: { 204: { description: 'Revoked' }, ...errorResponses(401, 403, 404) },
})

export function staffRoutes(domain: Domain) {
  return newRouter()
    .openapi(listStaff, async (c) => c.json({ items: await domain.staff.list() }, 200))
    .openapi(getStaff, async (c) => c.json(await domain.staff.find(c.req.valid('param').id), 200))
    .openapi(invite, async (c) => {
      const { role } = c.req.valid('json')
      return c.json({ ...(await domain.staff.createInvite(role)), role }, 201)
    })
    .openapi(changeRole, async (c) =>
      c.json(await domain.staff.changeRole(c.req.valid('param').id, c.req.valid('json').role), 200),
    )
    .openapi(revoke, async (c) => {
      await domain.staff.revoke(c.req.valid('param').id)
      return c.body(null, 204)
    })
}
