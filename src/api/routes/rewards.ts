import { createRoute, z } from '@hono/zod-openapi'
import type { Domain } from '../../domain/index.ts'
import { rewardInputSchema, rewardPatchSchema } from '../../domain/rewards/rewards.service.ts'
import { REWARD_IMAGE_MAX_BYTES, REWARD_IMAGE_MAX_SIDE } from '../../domain/rewards/images.ts'
import { LOCALES } from '../../domain/programme/programme.ts'
import { MiniappRewardSchema, memberReward } from './miniapp.ts'
import { newRouter } from '../router.ts'
import { actorOf } from '../middleware/api-key.ts'
import {
  CouponSchema,
  IdempotencyKeyHeader,
  requireIdempotencyKey,
  RedemptionSchema,
  RewardOfferSchema,
  RewardSchema,
  errorResponses,
  json,
  pictureBody,
} from '../schemas.ts'

const IdParams = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
})
const CodeParams = z.object({
  code: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'code', in: 'path' } }),
})

const listRewards = createRoute({
  method: 'get',
  path: '/rewards',
  tags: ['rewards'],
  summary: 'The rewards catalogue',
  request: { query: z.object({ active: z.enum(['true', 'false']).optional() }) },
  responses: {
    200: json(z.object({ items: z.array(RewardSchema) }), 'Rewards, cheapest first'),
    ...errorResponses(400, 401),
  },
})
const createReward = createRoute({
  method: 'post',
  path: '/rewards',
  tags: ['rewards'],
  summary: 'Add a reward',
  request: {
    body: { required: true, content: { 'application/json': { schema: rewardInputSchema } } },
  },
  responses: { 201: json(RewardSchema, 'The new reward'), ...errorResponses(400, 401, 403) },
})
const getReward = createRoute({
  method: 'get',
  path: '/rewards/{id}',
  tags: ['rewards'],
  summary: 'A reward',
  request: { params: IdParams },
  responses: { 200: json(RewardSchema, 'The reward'), ...errorResponses(401, 404) },
})
const updateReward = createRoute({
  method: 'patch',
  path: '/rewards/{id}',
  tags: ['rewards'],
  summary: 'Change a reward',
  request: {
    params: IdParams,
    body: { required: true, content: { 'application/json': { schema: rewardPatchSchema } } },
  },
  responses: { 200: json(RewardSchema, 'The reward'), ...errorResponses(400, 401, 403, 404) },
})
const setImage = createRoute({
  method: 'put',
  path: '/rewards/{id}/image',
  tags: ['rewards'],
  summary: 'Set the reward’s picture',
  description: `The body is the picture itself: PNG, JPEG or WebP (read from its bytes, not its Content-Type), at most ${REWARD_IMAGE_MAX_BYTES / 1024} KB and ${REWARD_IMAGE_MAX_SIDE} pixels a side. It replaces the one the reward had; the reward's imageUrl then names the new one, served by this server and cached for good.`,
  request: {
    params: IdParams,
    body: pictureBody(),
  },
  responses: {
    200: json(RewardSchema, 'The reward with its new picture'),
    ...errorResponses(400, 401, 403, 404, 409, 413, 415),
  },
})
const removeImage = createRoute({
  method: 'delete',
  path: '/rewards/{id}/image',
  tags: ['rewards'],
  summary: 'Take the reward’s picture away',
  request: { params: IdParams },
  responses: {
    200: json(RewardSchema, 'The reward without a picture'),
    ...errorResponses(401, 403, 404, 409),
  },
})
const previewReward = createRoute({
  method: 'get',
  path: '/rewards/{id}/preview',
  tags: ['rewards'],
  summary: 'The reward as members see it on their page, in each language',
  description:
    'What the member page shows, for a member reading 简体中文 and one reading English (a text left out in one language shows the other). blockedBy is what refuses every member now (paused, retired, outside its dates, out of stock), before anyone’s tier, limit or balance.',
  request: { params: IdParams },
  responses: {
    200: json(
      z.object(Object.fromEntries(LOCALES.map((locale) => [locale, MiniappRewardSchema]))),
      'The reward as each language’s members see it',
    ),
    ...errorResponses(401, 404),
  },
})
const deleteReward = createRoute({
  method: 'delete',
  path: '/rewards/{id}',
  tags: ['rewards'],
  summary:
    'Retire a reward for good: it cannot be offered or changed again (pause it with active: false instead); codes already issued stay valid',
  request: { params: IdParams },
  responses: { 200: json(RewardSchema, 'The retired reward'), ...errorResponses(401, 403, 404) },
})
const redeem = createRoute({
  method: 'post',
  path: '/members/{id}/redemptions',
  tags: ['rewards'],
  summary: 'Redeem a reward for a member',
  request: {
    params: IdParams,
    headers: IdempotencyKeyHeader,
    body: {
      required: true,
      content: { 'application/json': { schema: z.object({ rewardId: z.string().min(1) }) } },
    },
  },
  responses: {
    201: json(RedemptionSchema, 'The redemption, with couponCode for rewards that issue a code'),
    200: json(RedemptionSchema, 'A retry with a known Idempotency-Key: the first redemption'),
    ...errorResponses(400, 401, 404, 409),
  },
})
const memberCoupons = createRoute({
  method: 'get',
  path: '/members/{id}/coupons',
  tags: ['rewards'],
  summary: "A member's coupons and reward codes",
  request: { params: IdParams },
  responses: {
    200: json(z.object({ items: z.array(CouponSchema) }), 'Newest first'),
    ...errorResponses(401, 404),
  },
})
const memberOffers = createRoute({
  method: 'get',
  path: '/members/{id}/rewards',
  tags: ['rewards'],
  summary: 'The active rewards as this member sees them, each with why they cannot redeem it now',
  request: { params: IdParams },
  responses: {
    200: json(z.object({ items: z.array(RewardOfferSchema) }), 'Cheapest first'),
    ...errorResponses(401, 404),
  },
})
const verifyCoupon = createRoute({
  method: 'get',
  path: '/coupons/{code}',
  tags: ['coupons'],
  summary: 'Check a coupon at the counter without using it',
  request: { params: CodeParams },
  responses: { 200: json(CouponSchema, 'The coupon and its status'), ...errorResponses(401, 404) },
})
const useCoupon = createRoute({
  method: 'post',
  path: '/coupons/{code}/use',
  tags: ['coupons'],
  summary: 'Use a coupon, once',
  request: {
    params: CodeParams,
    headers: z.object({
      'idempotency-key': z.string().min(1).max(200).optional().openapi({
        description:
          'Optional (a coupon is used once either way): a retry with the same key is answered with the first use instead of 409 coupon_used',
      }),
    }),
  },
  responses: { 200: json(CouponSchema, 'The coupon, now used'), ...errorResponses(401, 404, 409) },
})

export function rewardRoutes(domain: Domain) {
  return newRouter()
    .openapi(listRewards, async (c) => {
      const activeOnly = c.req.valid('query').active === 'true'
      return c.json({ items: await domain.rewards.list({ activeOnly }) }, 200)
    })
    .openapi(createReward, async (c) =>
      c.json(await domain.rewards.create(c.req.valid('json')), 201),
    )
    .openapi(getReward, async (c) => c.json(await domain.rewards.get(c.req.valid('param').id), 200))
    .openapi(updateReward, async (c) =>
      c.json(await domain.rewards.update(c.req.valid('param').id, c.req.valid('json')), 200),
    )
    .openapi(setImage, async (c) => {
      const bytes = new Uint8Array(await c.req.arrayBuffer())
      return c.json(await domain.rewardImages.set(c.req.valid('param').id, bytes), 200)
    })
    .openapi(removeImage, async (c) =>
      c.json(await domain.rewardImages.remove(c.req.valid('param').id), 200),
    )
    .openapi(previewReward, async (c) => {
      const offer = await domain.rewards.offerToAnyone(c.req.valid('param').id)
      return c.json(
        Object.fromEntries(LOCALES.map((locale) => [locale, memberReward(offer, locale)])),
        200,
      )
    })
    .openapi(deleteReward, async (c) =>
      c.json(await domain.rewards.retire(c.req.valid('param').id), 200),
    )
    .openapi(redeem, async (c) => {
      const idempotencyKey = requireIdempotencyKey(c.req.valid('header')['idempotency-key'])
      const member = await domain.members.require({ id: c.req.valid('param').id })
      const result = await domain.rewards.redeem(member.id, c.req.valid('json').rewardId, {
        idempotencyKey,
        actor: actorOf(c.get('caller')),
      })
      return result.replayed ? c.json(result, 200) : c.json(result, 201)
    })
    .openapi(memberCoupons, async (c) => {
      const member = await domain.members.require({ id: c.req.valid('param').id })
      return c.json({ items: await domain.rewards.couponsOf(member.id) }, 200)
    })
    .openapi(memberOffers, async (c) => {
      const member = await domain.members.require({ id: c.req.valid('param').id })
      const items = (await domain.rewards.offersFor(member.id)).map(({ refusal, ...reward }) => ({
        ...reward,
        refusal: refusal && { code: refusal.code, message: refusal.message },
      }))
      return c.json({ items }, 200)
    })
    .openapi(verifyCoupon, async (c) =>
      c.json(await domain.rewards.verifyCoupon(c.req.valid('param').code), 200),
    )
    .openapi(useCoupon, async (c) =>
      c.json(
        await domain.rewards.useCoupon(c.req.valid('param').code, actorOf(c.get('caller')), {
          idempotencyKey: c.req.valid('header')['idempotency-key'],
        }),
        200,
      ),
    )
}
