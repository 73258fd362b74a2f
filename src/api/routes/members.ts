import { createRoute, z } from '@hono/zod-openapi'
import type { Domain } from '../../domain/index.ts'
import { adjustmentSchema } from '../../domain/ledger/adjustments.ts'
import { memberPatchSchema, registrationSchema } from '../../domain/members/members.service.ts'
import type { MemberRef } from '../../domain/members/members.ts'
import { DomainError } from '../../shared/errors.ts'
import { newRouter } from '../router.ts'
import { actorOf } from '../middleware/api-key.ts'
import {
  IdempotencyKeyHeader,
  requireIdempotencyKey,
  LedgerEntrySchema,
  MemberSchema,
  errorResponses,
  json,
} from '../schemas.ts'

const MemberParams = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
})
const createMemberBody = registrationSchema.omit({ inviteCode: true })
const AdjustmentResult = z.object({
  entry: LedgerEntrySchema,
  member: MemberSchema,
  replayed: z.boolean(),
})
const LOOKUP_FIELDS = ['phone', 'email', 'code', 'telegramId', 'wechatId', 'externalId'] as const

const createMember = createRoute({
  method: 'post',
  path: '/members',
  tags: ['members'],
  summary: 'Create a member',
  request: {
    body: { required: true, content: { 'application/json': { schema: createMemberBody } } },
  },
  responses: { 201: json(MemberSchema, 'The new member'), ...errorResponses(400, 401, 404, 409) },
})

const findMembers = createRoute({
  method: 'get',
  path: '/members',
  tags: ['members'],
  summary: 'Find a member by phone, email, member code, Telegram id, WeChat id or external id',
  request: {
    query: z.object({
      phone: z.string().optional(),
      email: z.string().optional(),
      code: z.string().optional(),
      telegramId: z.string().optional(),
      wechatId: z.string().optional(),
      externalId: z.string().optional(),
    }),
  },
  responses: {
    200: json(z.object({ items: z.array(MemberSchema) }), 'Matching members (at most one)'),
    ...errorResponses(400, 401),
  },
})

const getMember = createRoute({
  method: 'get',
  path: '/members/{id}',
  tags: ['members'],
  summary: 'A member with points and tier',
  request: { params: MemberParams },
  responses: { 200: json(MemberSchema, 'The member'), ...errorResponses(401, 404) },
})

const updateMember = createRoute({
  method: 'patch',
  path: '/members/{id}',
  tags: ['members'],
  summary: 'Update a member',
  request: {
    params: MemberParams,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: memberPatchSchema.extend({
            /** Why staff correct a detail the member set: required to change a set birthday. */
            reason: z.string().trim().min(1).max(500).optional(),
          }),
        },
      },
    },
  },
  responses: {
    200: json(MemberSchema, 'The updated member'),
    ...errorResponses(400, 401, 403, 404, 409),
  },
})

const memberLedger = createRoute({
  method: 'get',
  path: '/members/{id}/ledger',
  tags: ['members'],
  summary: "A member's ledger, newest first",
  request: {
    params: MemberParams,
    query: z.object({
      cursor: z.string().optional(),
      limit: z.coerce.number().int().min(1).max(100).optional(),
    }),
  },
  responses: {
    200: json(
      z.object({ items: z.array(LedgerEntrySchema), nextCursor: z.string().nullable() }),
      'One page of entries',
    ),
    ...errorResponses(400, 401, 404),
  },
})

const adjust = createRoute({
  method: 'post',
  path: '/members/{id}/adjustments',
  tags: ['members'],
  summary: 'Grant or deduct points by hand, with a reason',
  request: {
    params: MemberParams,
    headers: IdempotencyKeyHeader,
    body: {
      required: true,
      content: { 'application/json': { schema: adjustmentSchema.omit({ idempotencyKey: true }) } },
    },
  },
  responses: {
    201: json(AdjustmentResult, 'The ledger entry'),
    200: json(AdjustmentResult, 'A retry with a known Idempotency-Key: the first result'),
    ...errorResponses(400, 401, 403, 404, 409),
  },
})

export function memberRoutes(domain: Domain) {
  return newRouter()
    .openapi(createMember, async (c) =>
      c.json(await domain.members.register(c.req.valid('json')), 201),
    )
    .openapi(findMembers, async (c) => {
      const query = c.req.valid('query')
      const given = LOOKUP_FIELDS.filter((field) => query[field] !== undefined)
      if (given.length !== 1) {
        throw new DomainError('invalid_input', `give exactly one of ${LOOKUP_FIELDS.join(', ')}`, {
          field: 'query',
        })
      }
      const field = given[0]!
      const row = await domain.members.findByRef(domain.deps.store.db, {
        [field]: query[field]!,
      } as MemberRef)
      return c.json({ items: row ? [await domain.members.view(row.id)] : [] }, 200)
    })
    .openapi(getMember, async (c) =>
      c.json(await domain.members.get({ id: c.req.valid('param').id }), 200),
    )
    .openapi(updateMember, async (c) => {
      const member = await domain.members.require({ id: c.req.valid('param').id })
      const { reason, ...patch } = c.req.valid('json')
      return c.json(
        await domain.members.update(
          member.id,
          patch,
          `${c.get('caller').kind}:${c.get('caller').id}`,
          reason,
        ),
        200,
      )
    })
    .openapi(memberLedger, async (c) => {
      const member = await domain.members.require({ id: c.req.valid('param').id })
      return c.json(await domain.ledger.history(member.id, c.req.valid('query')), 200)
    })
    .openapi(adjust, async (c) => {
      const key = requireIdempotencyKey(c.req.valid('header')['idempotency-key'])
      const member = await domain.members.require({ id: c.req.valid('param').id })
      const result = await domain.adjust(
        member.id,
        { ...c.req.valid('json'), idempotencyKey: key },
        actorOf(c.get('caller')),
      )
      return result.replayed ? c.json(result, 200) : c.json(result, 201)
    })
}
