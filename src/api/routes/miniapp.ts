import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { deleteCookie, getCookie } from 'hono/cookie'
import QRCode from 'qrcode'
import type { Domain } from '../../domain/index.ts'
import { REWARD_REFUSAL_CODES } from '../../domain/rewards/eligibility.ts'
import { localizeStep } from '../../domain/interactions/quizzes.service.ts'
import { LOCALES, localize } from '../../domain/programme/programme.ts'
import { benefitLabels } from '../../domain/tiers/benefits.ts'
import type { CouponView, RewardOffer } from '../../domain/rewards/rewards.service.ts'
import type { MiniappEnv } from '../middleware/miniapp-session.ts'
import { validationHook } from '../router.ts'
import { DomainError } from '../../shared/errors.ts'
import { sameSignature } from '../../shared/wechat-crypto.ts'
import { OAUTH_STATE_COOKIE } from './wechat-official.ts'
import {
  CouponSchema,
  IdempotencyKeyHeader,
  requireIdempotencyKey,
  LedgerEntrySchema,
  MemberSchema,
  RedemptionSchema,
  errorResponses,
  json,
} from '../schemas.ts'

const localized = z.object({ 'zh-CN': z.string(), en: z.string() })

const SessionRequest = z.union([
  z.object({ initData: z.string().min(1).max(8_192) }).strict(),
  z.object({ token: z.string().min(1).max(512) }).strict(),
  z
    .object({
      /** The `code` WeChat's web login (snsapi_base) gave the page opened from the Official Account. */
      wechatCode: z.string().min(1).max(256),
      /** The `state` WeChat handed back with it: the one /wechat/official/login set in this browser. */
      state: z.string().min(1).max(128),
    })
    .strict(),
])
const SessionSchema = z
  .object({ token: z.string(), expiresAt: z.string() })
  .openapi('MiniappSession')
const MeSchema = z
  .object({
    member: MemberSchema,
    programme: z.object({
      name: localized,
      currency: z.string(),
      tiers: z.array(
        z.object({
          code: z.string(),
          name: localized,
          threshold: z.number().int(),
          benefits: z.array(localized),
        }),
      ),
    }),
  })
  .openapi('MiniappMe')
// The merchant's texts come in the member's language (or the other, where only one was
// written): the page shows them as they are.
const MiniappCouponSchema = CouponSchema.extend({ rewardName: z.string() }).openapi('MiniappCoupon')
const MiniappRedemptionSchema = RedemptionSchema.extend({
  coupon: MiniappCouponSchema.nullable(),
}).openapi('MiniappRedemption')
export const MiniappRewardSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    kind: z.string(),
    pointsCost: z.number().int(),
    stock: z.number().int().nullable(),
    value: z.number().int().nullable(),
    imageUrl: z.string().nullable(),
    /** Why the member cannot redeem it now, if they cannot: the error a redemption would get. */
    blockedBy: z.enum(REWARD_REFUSAL_CODES).nullable(),
  })
  .openapi('MiniappReward')

/** A reward as a member reading `locale` sees it on their page; the console's preview too. */
export function memberReward(
  offer: RewardOffer,
  locale: string,
): z.infer<typeof MiniappRewardSchema> {
  return {
    id: offer.id,
    name: localize(offer.name, locale),
    description: offer.description && localize(offer.description, locale),
    kind: offer.kind,
    pointsCost: offer.pointsCost,
    stock: offer.stock,
    value: offer.value,
    imageUrl: offer.imageUrl,
    blockedBy: offer.refusal?.code ?? null,
  }
}
const ProfilePatch = z
  .object({
    displayName: z.string().trim().min(1).max(100).optional(),
    birthday: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
      .nullable()
      .optional(),
    marketingConsent: z.boolean().optional(),
    locale: z.enum(LOCALES).optional(),
  })
  .strict()

const MiniappLotterySchema = z
  .object({
    id: z.string(),
    title: z.string(),
    costPoints: z.number().int(),
    closesAt: z.string(),
    /** Nothing is left this member can win: shown, but not offered. */
    exhausted: z.boolean(),
    prizes: z.array(
      z.object({
        name: z.string(),
        kind: z.string(),
        probability: z.number(),
        stock: z.number().int().nullable(),
      }),
    ),
    freeLeftToday: z.number().int(),
    drawsLeftToday: z.number().int().nullable(),
    drawsLeft: z.number().int().nullable(),
  })
  .openapi('MiniappLottery')
const QuizStepSchema = z
  .object({
    quizId: z.string(),
    title: z.string(),
    index: z.number().int(),
    total: z.number().int(),
    question: z.object({ text: z.string(), choices: z.array(z.string()) }).nullable(),
    result: z
      .object({
        correct: z.number().int(),
        total: z.number().int(),
        pointsAwarded: z.number().int(),
        capped: z.boolean(),
      })
      .nullable(),
    stale: z.boolean().optional(),
    wasCorrect: z.boolean().optional(),
    rightChoice: z.string().nullable().optional(),
  })
  .openapi('QuizStep')
const QuizParams = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
})

const tags = ['mini-app']

const routes = {
  session: createRoute({
    method: 'post',
    path: '/session',
    tags,
    summary:
      'Sign in: Telegram initData, a WeChat link token or the Official Account’s web-login code, for a short-lived session',
    request: {
      body: { required: true, content: { 'application/json': { schema: SessionRequest } } },
    },
    responses: {
      200: json(SessionSchema, 'A session, sent as Authorization: Bearer <token>'),
      ...errorResponses(400, 401, 404),
    },
  }),
  me: createRoute({
    method: 'get',
    path: '/me',
    tags,
    summary: 'The signed-in member with points, tier and progress',
    responses: { 200: json(MeSchema, 'The member and the programme'), ...errorResponses(401) },
  }),
  updateMe: createRoute({
    method: 'patch',
    path: '/me',
    tags,
    summary: 'Edit name, birthday, marketing consent and language',
    request: {
      body: { required: true, content: { 'application/json': { schema: ProfilePatch } } },
    },
    responses: { 200: json(MemberSchema, 'The member'), ...errorResponses(400, 401) },
  }),
  ledger: createRoute({
    method: 'get',
    path: '/ledger',
    tags,
    summary: 'The member’s points history, newest first',
    request: {
      query: z.object({
        cursor: z.string().optional(),
        limit: z.coerce.number().int().min(1).max(50).optional(),
      }),
    },
    responses: {
      200: json(
        z.object({ items: z.array(LedgerEntrySchema), nextCursor: z.string().nullable() }),
        'One page',
      ),
      ...errorResponses(400, 401),
    },
  }),
  rewards: createRoute({
    method: 'get',
    path: '/rewards',
    tags,
    summary: 'Rewards the member can see, and whether they can redeem each now',
    responses: {
      200: json(z.object({ items: z.array(MiniappRewardSchema) }), 'Cheapest first'),
      ...errorResponses(401),
    },
  }),
  redeem: createRoute({
    method: 'post',
    path: '/redemptions',
    tags,
    summary: 'Redeem a reward for the signed-in member',
    request: {
      headers: IdempotencyKeyHeader,
      body: {
        required: true,
        content: { 'application/json': { schema: z.object({ rewardId: z.string().min(1) }) } },
      },
    },
    responses: {
      201: json(MiniappRedemptionSchema, 'The redemption with its coupon code'),
      200: json(MiniappRedemptionSchema, 'A retry: the first redemption'),
      ...errorResponses(400, 401, 404, 409),
    },
  }),
  coupons: createRoute({
    method: 'get',
    path: '/coupons',
    tags,
    summary: 'The member’s coupons and reward codes',
    responses: {
      200: json(z.object({ items: z.array(MiniappCouponSchema) }), 'Newest first'),
      ...errorResponses(401),
    },
  }),
  lotteries: createRoute({
    method: 'get',
    path: '/lotteries',
    tags,
    summary: 'Open lotteries with their published odds and the member’s draws left',
    responses: {
      200: json(z.object({ items: z.array(MiniappLotterySchema) }), 'Open lotteries'),
      ...errorResponses(401),
    },
  }),
  draw: createRoute({
    method: 'post',
    path: '/draws',
    tags,
    summary: 'Draw once',
    request: {
      headers: IdempotencyKeyHeader,
      body: {
        required: true,
        content: { 'application/json': { schema: z.object({ lotteryId: z.string().min(1) }) } },
      },
    },
    responses: {
      201: json(
        z.object({
          prize: z.object({
            name: z.string(),
            kind: z.string(),
            points: z.number().int().nullable(),
          }),
          couponCode: z.string().nullable(),
          balance: z.number().int(),
        }),
        'The prize',
      ),
      ...errorResponses(400, 401, 404, 409),
    },
  }),
  quizzes: createRoute({
    method: 'get',
    path: '/quizzes',
    tags,
    summary: 'Open quizzes the member can take',
    responses: {
      200: json(
        z.object({
          items: z.array(
            z.object({
              id: z.string(),
              title: z.string(),
              questionCount: z.number().int(),
              closesAt: z.string(),
            }),
          ),
        }),
        'Open quizzes',
      ),
      ...errorResponses(401),
    },
  }),
  beginQuiz: createRoute({
    method: 'post',
    path: '/quizzes/{id}/begin',
    tags,
    summary: 'Start or resume a quiz',
    request: { params: QuizParams },
    responses: { 200: json(QuizStepSchema, 'The next question'), ...errorResponses(401, 404, 409) },
  }),
  answerQuiz: createRoute({
    method: 'post',
    path: '/quizzes/{id}/answers',
    tags,
    summary: 'Answer question `index` with choice `choice` (both from 0)',
    request: {
      params: QuizParams,
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z.object({ index: z.number().int().min(0), choice: z.number().int().min(0) }),
          },
        },
      },
    },
    responses: {
      200: json(QuizStepSchema, 'Whether it was right, and the next question or the result'),
      ...errorResponses(400, 401, 404, 409),
    },
  }),
  open: createRoute({
    method: 'post',
    path: '/opens',
    tags,
    summary:
      'The page was opened from a campaign’s or a reminder’s link (counted once per member and message)',
    request: {
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z.union([
              z.object({ campaignId: z.string().min(1).max(100) }).strict(),
              z.object({ reminderId: z.number().int().min(1).max(2_147_483_647) }).strict(),
            ]),
          },
        },
      },
    },
    responses: {
      200: json(z.object({ ok: z.literal(true) }), 'Recorded'),
      ...errorResponses(400, 401),
    },
  }),
  code: createRoute({
    method: 'get',
    path: '/code',
    tags,
    summary: 'The member code and its QR code (SVG) for the counter',
    responses: {
      200: json(z.object({ code: z.string(), svg: z.string() }), 'Code and QR'),
      ...errorResponses(401),
    },
  }),
}

function couponIn(coupon: CouponView, locale: string) {
  return { ...coupon, rewardName: localize(coupon.rewardName, locale) }
}

/** The member's own API for the points page: everything answers for the session's member only. */
export function miniappRoutes(domain: Domain) {
  /**
   * The web login's code is taken only with the `state` this browser was given when the login
   * started (its cookie): a code from a login someone else started is refused before WeChat is
   * asked. The cookie is spent either way.
   */
  async function officialAccountSession(c: Context, code: string, state: string) {
    const expected = getCookie(c, OAUTH_STATE_COOKIE)
    deleteCookie(c, OAUTH_STATE_COOKIE, { path: '/api/miniapp/session' })
    if (!expected || !sameSignature(state, expected))
      throw new DomainError(
        'oauth_state_mismatch',
        '登录请求不是从这个浏览器发起的，或已过期，请从公众号菜单重新打开会员中心。This sign-in did not start in this browser or has expired; open the member page from the Official Account’s menu again.',
      )
    return domain.miniapp.sessionFromOfficialAccount(code)
  }

  const localeOf = async (memberId: string) =>
    (await domain.members.require({ id: memberId })).locale
  const app = new OpenAPIHono<MiniappEnv>({ defaultHook: validationHook })
  app.openapi(routes.session, async (c) => {
    const body = c.req.valid('json')
    const session =
      'initData' in body
        ? await domain.miniapp.sessionFromTelegram(body.initData)
        : 'wechatCode' in body
          ? await officialAccountSession(c, body.wechatCode, body.state)
          : await domain.miniapp.sessionFromLink(body.token)
    return c.json({ token: session.token, expiresAt: session.expiresAt }, 200)
  })
  return app
    .openapi(routes.me, async (c) => {
      const [member, { config }] = await Promise.all([
        domain.members.view(c.get('memberId')),
        domain.programme.current(),
      ])
      const tiers = config.tiers.map((tier) => ({
        code: tier.code,
        name: tier.name,
        threshold: tier.threshold,
        benefits: benefitLabels(tier),
      }))
      return c.json(
        { member, programme: { name: config.name, currency: config.currency, tiers } },
        200,
      )
    })
    .openapi(routes.updateMe, async (c) =>
      c.json(
        await domain.members.update(
          c.get('memberId'),
          c.req.valid('json'),
          `member:${c.get('memberId')}`,
        ),
        200,
      ),
    )
    .openapi(routes.ledger, async (c) =>
      c.json(await domain.ledger.history(c.get('memberId'), c.req.valid('query')), 200),
    )
    .openapi(routes.rewards, async (c) => {
      const memberId = c.get('memberId')
      const [offers, locale] = await Promise.all([
        domain.rewards.offersFor(memberId),
        localeOf(memberId),
      ])
      return c.json({ items: offers.map((offer) => memberReward(offer, locale)) }, 200)
    })
    .openapi(routes.redeem, async (c) => {
      const memberId = c.get('memberId')
      const result = await domain.rewards.redeem(memberId, c.req.valid('json').rewardId, {
        idempotencyKey: requireIdempotencyKey(c.req.valid('header')['idempotency-key']),
        actor: 'miniapp',
      })
      const localized = {
        ...result,
        coupon: result.coupon && couponIn(result.coupon, result.member.locale),
      }
      return result.replayed ? c.json(localized, 200) : c.json(localized, 201)
    })
    .openapi(routes.coupons, async (c) => {
      const memberId = c.get('memberId')
      const [coupons, locale] = await Promise.all([
        domain.rewards.couponsOf(memberId),
        localeOf(memberId),
      ])
      return c.json({ items: coupons.map((coupon) => couponIn(coupon, locale)) }, 200)
    })
    .openapi(routes.lotteries, async (c) => {
      const memberId = c.get('memberId')
      const [open, locale] = await Promise.all([
        domain.lotteries.list({ openOnly: true, memberId }),
        localeOf(memberId),
      ])
      const items = await Promise.all(
        open.map(async (l) => ({
          id: l.id,
          title: localize(l.title, locale),
          costPoints: l.costPoints,
          closesAt: l.closesAt,
          exhausted: l.exhausted,
          prizes: l.prizes.map(({ name, kind, probability, stock }) => ({
            name: localize(name, locale),
            kind,
            probability,
            stock,
          })),
          ...(await domain.lotteries.allowance(memberId, l.id)),
        })),
      )
      return c.json({ items }, 200)
    })
    .openapi(routes.draw, async (c) => {
      const memberId = c.get('memberId')
      const { prize, couponCode, balance } = await domain.lotteries.draw(
        memberId,
        c.req.valid('json').lotteryId,
        { idempotencyKey: requireIdempotencyKey(c.req.valid('header')['idempotency-key']) },
      )
      return c.json(
        {
          prize: {
            name: localize(prize.name, await localeOf(memberId)),
            kind: prize.kind,
            points: prize.points,
          },
          couponCode,
          balance,
        },
        201,
      )
    })
    .openapi(routes.quizzes, async (c) => {
      const memberId = c.get('memberId')
      const [quizzes, locale] = await Promise.all([
        domain.quizzes.openFor(memberId),
        localeOf(memberId),
      ])
      return c.json(
        {
          items: quizzes.map(({ id, title, questionCount, closesAt }) => ({
            id,
            title: localize(title, locale),
            questionCount,
            closesAt,
          })),
        },
        200,
      )
    })
    .openapi(routes.beginQuiz, async (c) => {
      const memberId = c.get('memberId')
      const step = await domain.quizzes.begin(memberId, c.req.valid('param').id)
      return c.json(localizeStep(step, await localeOf(memberId)), 200)
    })
    .openapi(routes.answerQuiz, async (c) => {
      const memberId = c.get('memberId')
      const { index, choice } = c.req.valid('json')
      const step = await domain.quizzes.answer(memberId, c.req.valid('param').id, index, choice)
      return c.json(localizeStep(step, await localeOf(memberId)), 200)
    })
    .openapi(routes.open, async (c) => {
      await domain.outbox.recordOpen(c.req.valid('json'), c.get('memberId'))
      return c.json({ ok: true as const }, 200)
    })
    .openapi(routes.code, async (c) => {
      const member = await domain.members.view(c.get('memberId'))
      const svg = await QRCode.toString(member.code, {
        type: 'svg',
        margin: 1,
        errorCorrectionLevel: 'M',
      })
      return c.json({ code: member.code, svg }, 200)
    })
}
