import { createRoute, z } from '@hono/zod-openapi'
import type { Domain } from '../../domain/index.ts'
import { adjustmentSchema } from '../../domain/ledger/adjustments.ts'
import { memberPatchSchema, registrationSchema } from '../../domain/members/members.service.ts'
import type { MemberRef } from '../../domain/members/members.ts'
import { MEMBER_SEARCH_LIMIT, memberSearchSchema } from '../../domain/members/member-lookup.ts'
import { DomainError } from '../../shared/errors.ts'
import { newRouter } from '../router.ts'
import { actorOf } from '../middleware/api-key.ts'
import {
  IdempotencyKeyHeader,
  requireIdempotencyKey,
  LedgerEntrySchema,
  MemberSchema,
  OrderSchema,
  errorResponses,
  json,
  localized,
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
  summary:
    'Find a member by phone, email, member code, chat id or external id; or search by name and tag',
  description: `Exactly one of phone, email, code, telegramId, wechatId, externalId finds at most one member. Otherwise name (part of it, any case) and/or tag list active members, newest first, at most limit (${MEMBER_SEARCH_LIMIT}).`,
  request: {
    query: memberSearchSchema
      .extend({
        phone: z.string().max(40).optional(),
        email: z.string().max(254).optional(),
        code: z.string().max(40).optional(),
        telegramId: z.string().max(100).optional(),
        wechatId: z.string().max(200).optional(),
        externalId: z.string().max(200).optional(),
      })
      .partial({ limit: true }),
  },
  responses: {
    200: json(z.object({ items: z.array(MemberSchema) }), 'Matching members'),
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

const IdentitySchema = z
  .object({
    channel: z.string(),
    externalId: z.string(),
    linkedAt: z.string(),
    linkedBy: z.string().nullable().openapi({
      description:
        'Who linked it to the member: member:<id> (a bind code), staff:<id>, api_key:<id>, or an import; null: the member registered with it',
    }),
    unreachableAt: z.string().nullable(),
    lastInboundAt: z.string().nullable(),
  })
  .openapi('MemberIdentity')
const memberIdentities = createRoute({
  method: 'get',
  path: '/members/{id}/identities',
  tags: ['members'],
  summary: "A member's chat identities and their link history",
  request: { params: MemberParams },
  responses: {
    200: json(
      z.object({
        identities: z.array(IdentitySchema),
        merges: z.array(
          z.object({
            fromMemberId: z.string(),
            points: z.number().int(),
            by: z.string().nullable(),
            at: z.string(),
          }),
        ),
      }),
      'Each identity with who linked it, and the records merged into this member, oldest first',
    ),
    ...errorResponses(401, 404),
  },
})

const memberOrders = createRoute({
  method: 'get',
  path: '/members/{id}/orders',
  tags: ['members'],
  summary: "A member's orders, the latest placed first",
  request: {
    params: MemberParams,
    query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }),
  },
  responses: {
    200: json(z.object({ items: z.array(OrderSchema) }), 'At most limit orders'),
    ...errorResponses(400, 401, 404),
  },
})

const MemberBenefitsSchema = z
  .object({
    memberId: z.string(),
    tier: z.object({ code: z.string(), name: localized }),
    currency: z.string().openapi({ description: 'The currency of member prices and savings' }),
    discount: z
      .object({
        basisPoints: z.number().int().openapi({
          description: 'Off the goods, in basis points: 1000 is 10% off (9折)',
          example: 1000,
        }),
        label: localized,
      })
      .nullable()
      .openapi({ description: 'null: the tier grants no discount' }),
    memberPrices: z
      .array(
        z.object({
          sku: z.string(),
          price: z.number().int().openapi({ description: 'Unit price in minor units' }),
        }),
      )
      .openapi({ description: 'The member’s unit price of each product, by SKU' }),
    freeShipping: z.boolean(),
    others: z.array(localized).openapi({
      description: 'Perks the till does not apply (专属客服), in both languages',
    }),
    labels: z.array(localized).openapi({
      description: 'Every benefit of the tier as members read it, in the programme’s order',
    }),
  })
  .openapi('MemberBenefits')
const memberBenefits = createRoute({
  method: 'get',
  path: '/members/{id}/benefits',
  tags: ['members'],
  summary: 'What the member gets at the till now, by their current tier',
  description:
    'The discount, member prices, free shipping and other perks of the member’s tier as recorded now: the tier their next order earns at. A till applies them and says which it applied in the order’s `benefits` (POST /orders), which refuses a benefit the tier does not grant (409 benefit_not_granted).',
  request: { params: MemberParams },
  responses: {
    200: json(MemberBenefitsSchema, 'The benefits of the member’s tier'),
    ...errorResponses(401, 404),
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
      const searching = query.name !== undefined || query.tag !== undefined
      if (given.length === 0 && searching) {
        return c.json({ items: await domain.members.search(query) }, 200)
      }
      if (given.length !== 1 || searching) {
        throw new DomainError(
          'invalid_input',
          `give exactly one of ${LOOKUP_FIELDS.join(', ')}, or name and/or tag`,
          { field: 'query' },
        )
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
    .openapi(memberIdentities, async (c) =>
      c.json(await domain.members.identities({ id: c.req.valid('param').id }), 200),
    )
    .openapi(memberBenefits, async (c) => {
      const member = await domain.members.require({ id: c.req.valid('param').id })
      return c.json(await domain.tiers.benefits(member), 200)
    })
    .openapi(memberOrders, async (c) => {
      const member = await domain.members.require({ id: c.req.valid('param').id })
      return c.json(
        { items: await domain.orders.ofMember(member.id, c.req.valid('query').limit) },
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
