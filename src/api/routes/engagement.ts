import { createRoute, z } from '@hono/zod-openapi'
import type { Domain } from '../../domain/index.ts'
import { draftOddsSchema, lotteryInputSchema } from '../../domain/interactions/lotteries.service.ts'
import { quizInputSchema } from '../../domain/interactions/quizzes.service.ts'
import { surveyAnswerSchema, surveyInputSchema } from '../../domain/interactions/surveys.service.ts'
import { newRouter } from '../router.ts'
import { actorOf } from '../middleware/api-key.ts'
import {
  IdempotencyKeyHeader,
  errorResponses,
  json,
  localized,
  requireIdempotencyKey,
} from '../schemas.ts'

const IdParams = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
})

const QuizSchema = z
  .object({
    id: z.string(),
    title: localized,
    questionCount: z.number().int(),
    reward: z.union([
      z.object({ mode: z.literal('per_correct'), points: z.number().int() }),
      z.object({ mode: z.literal('pass'), threshold: z.number().int(), points: z.number().int() }),
    ]),
    minTierCode: z.string().nullable(),
    opensAt: z.string(),
    closesAt: z.string(),
    active: z.boolean(),
    createdAt: z.string(),
  })
  .openapi('Quiz')
/** Staff's quiz, to edit: its questions with the right answers, which members never receive. */
const QuizDetailSchema = QuizSchema.extend({
  questions: z.array(
    z.object({
      text: localized,
      choices: z.array(localized),
      answer: z.number().int().openapi({ description: 'The right choice, from 0' }),
    }),
  ),
}).openapi('QuizDetail')
const QuizResultsSchema = z
  .object({
    quiz: QuizSchema,
    started: z.number().int(),
    completed: z.number().int(),
    averageCorrect: z.number(),
    pointsAwarded: z.number().int(),
    distribution: z.array(z.object({ correct: z.number().int(), members: z.number().int() })),
    leaderboard: z.array(
      z.object({
        rank: z.number().int(),
        memberId: z.string(),
        displayName: z.string(),
        code: z.string(),
        correct: z.number().int(),
        completedAt: z.string(),
      }),
    ),
  })
  .openapi('QuizResults')
const LotterySchema = z
  .object({
    id: z.string(),
    title: localized,
    costPoints: z.number().int(),
    freeDrawsPerDay: z.number().int(),
    maxDrawsPerMember: z.number().int().nullable(),
    maxDrawsPerDay: z.number().int().nullable(),
    opensAt: z.string(),
    closesAt: z.string(),
    active: z.boolean(),
    exhausted: z.boolean().openapi({
      description: 'No prize is left to give: the lottery is not offered and draws are refused',
    }),
    prizes: z.array(
      z.object({
        id: z.string(),
        name: localized,
        kind: z.string(),
        points: z.number().int().nullable(),
        rewardId: z.string().nullable(),
        weight: z.number().int(),
        stock: z.number().int().nullable(),
        won: z.number().int(),
        probability: z
          .number()
          .openapi({ description: 'The published chance of this prize on the next draw' }),
      }),
    ),
  })
  .openapi('Lottery')
const DrawSchema = z
  .object({
    drawId: z.string(),
    prize: z.object({
      id: z.string(),
      name: localized,
      kind: z.string(),
      points: z.number().int().nullable(),
    }),
    couponCode: z.string().nullable(),
    paidWith: z.enum(['free', 'chance', 'points']),
    pointsPaid: z.number().int(),
    balance: z.number().int(),
    replayed: z.boolean(),
  })
  .openapi('Draw')
const DrawRecordSchema = z
  .object({
    id: z.string(),
    createdAt: z.string(),
    roll: z.number().int(),
    totalWeight: z.number().int(),
    pointsPaid: z.number().int(),
    fulfilledAt: z.string().nullable(),
    prize: localized,
    kind: z.string(),
    memberId: z.string(),
    displayName: z.string(),
    memberCode: z.string(),
    phone: z.string().nullable(),
    couponCode: z.string().nullable(),
    couponStatus: z.string().nullable(),
  })
  .openapi('DrawRecord')
const SurveySchema = z
  .object({
    id: z.string(),
    title: localized,
    question: localized,
    rewardPoints: z.number().int(),
    active: z.boolean(),
    createdAt: z.string(),
  })
  .openapi('Survey')
const SurveySummarySchema = z
  .object({
    survey: SurveySchema,
    responses: z.number().int(),
    average: z.number().nullable(),
    satisfied: z.number().nullable(),
    distribution: z.array(z.object({ score: z.number().int(), responses: z.number().int() })),
    trend: z.array(
      z.object({ week: z.string(), responses: z.number().int(), average: z.number().nullable() }),
    ),
    comments: z.array(
      z.object({ score: z.number().int(), comment: z.string(), createdAt: z.string() }),
    ),
  })
  .openapi('SurveySummary')

const tags = ['interactive marketing']
const routes = {
  createQuiz: createRoute({
    method: 'post',
    path: '/quizzes',
    tags,
    summary: 'Create a quiz',
    request: {
      body: { required: true, content: { 'application/json': { schema: quizInputSchema } } },
    },
    responses: { 201: json(QuizDetailSchema, 'The quiz'), ...errorResponses(400, 401, 403) },
  }),
  updateQuiz: createRoute({
    method: 'put',
    path: '/quizzes/{id}',
    tags,
    summary: 'Change a quiz until it starts',
    request: {
      params: IdParams,
      body: { required: true, content: { 'application/json': { schema: quizInputSchema } } },
    },
    responses: {
      200: json(QuizDetailSchema, 'The quiz'),
      ...errorResponses(400, 401, 403, 404, 409),
    },
  }),
  listQuizzes: createRoute({
    method: 'get',
    path: '/quizzes',
    tags,
    summary: 'All quizzes, newest first',
    responses: {
      200: json(z.object({ items: z.array(QuizSchema) }), 'Quizzes'),
      ...errorResponses(401),
    },
  }),
  getQuiz: createRoute({
    method: 'get',
    path: '/quizzes/{id}',
    tags,
    summary: 'A quiz with its questions and right answers',
    request: { params: IdParams },
    responses: { 200: json(QuizDetailSchema, 'The quiz'), ...errorResponses(401, 403, 404) },
  }),
  startQuiz: createRoute({
    method: 'post',
    path: '/quizzes/{id}/start',
    tags,
    summary: 'Open a quiz now',
    request: { params: IdParams },
    responses: { 200: json(QuizSchema, 'The open quiz'), ...errorResponses(401, 403, 404, 409) },
  }),
  quizResults: createRoute({
    method: 'get',
    path: '/quizzes/{id}/results',
    tags,
    summary: 'Results and leaderboard',
    request: { params: IdParams },
    responses: { 200: json(QuizResultsSchema, 'Results'), ...errorResponses(401, 404) },
  }),
  createLottery: createRoute({
    method: 'post',
    path: '/lotteries',
    tags,
    summary: 'Create a lottery with its prizes',
    request: {
      body: { required: true, content: { 'application/json': { schema: lotteryInputSchema } } },
    },
    responses: {
      201: json(LotterySchema, 'The lottery with its published odds'),
      ...errorResponses(400, 401, 403),
    },
  }),
  updateLottery: createRoute({
    method: 'put',
    path: '/lotteries/{id}',
    tags,
    summary: 'Change a lottery and its prizes until it starts',
    request: {
      params: IdParams,
      body: { required: true, content: { 'application/json': { schema: lotteryInputSchema } } },
    },
    responses: {
      200: json(LotterySchema, 'The lottery with its published odds'),
      ...errorResponses(400, 401, 403, 404, 409),
    },
  }),
  draftOdds: createRoute({
    method: 'post',
    path: '/lotteries/odds',
    tags,
    summary: 'The published odds of prizes being written, before the lottery is saved',
    request: {
      body: { required: true, content: { 'application/json': { schema: draftOddsSchema } } },
    },
    responses: {
      200: json(
        z
          .object({
            exhausted: z.boolean(),
            probabilities: z.array(z.number()).openapi({ description: 'In the order sent' }),
          })
          .openapi('DraftOdds'),
        'Each prize’s chance',
      ),
      ...errorResponses(400, 401, 403),
    },
  }),
  listLotteries: createRoute({
    method: 'get',
    path: '/lotteries',
    tags,
    summary: 'All lotteries',
    responses: {
      200: json(z.object({ items: z.array(LotterySchema) }), 'Lotteries'),
      ...errorResponses(401),
    },
  }),
  getLottery: createRoute({
    method: 'get',
    path: '/lotteries/{id}',
    tags,
    summary: 'A lottery, its prizes, stock and odds',
    request: { params: IdParams },
    responses: { 200: json(LotterySchema, 'The lottery'), ...errorResponses(401, 404) },
  }),
  lotteryDraws: createRoute({
    method: 'get',
    path: '/lotteries/{id}/draws',
    tags,
    summary: 'Draws with their rolls, or only the winners',
    request: {
      params: IdParams,
      query: z.object({ winners: z.enum(['true', 'false']).optional() }),
    },
    responses: {
      200: json(z.object({ items: z.array(DrawRecordSchema) }), 'Newest first'),
      ...errorResponses(400, 401, 404),
    },
  }),
  fulfil: createRoute({
    method: 'post',
    path: '/lottery-draws/{id}/fulfil',
    tags,
    summary: 'Mark a won gift as handed over or shipped',
    request: { params: IdParams },
    responses: {
      200: json(z.object({ ok: z.literal(true) }), 'Fulfilled'),
      ...errorResponses(401, 404, 409),
    },
  }),
  draw: createRoute({
    method: 'post',
    path: '/members/{id}/draws',
    tags,
    summary: 'Draw for a member (e.g. at a counter kiosk)',
    request: {
      params: IdParams,
      headers: IdempotencyKeyHeader,
      body: {
        required: true,
        content: { 'application/json': { schema: z.object({ lotteryId: z.string().min(1) }) } },
      },
    },
    responses: {
      201: json(DrawSchema, 'The draw'),
      200: json(DrawSchema, 'A retry: the first draw'),
      ...errorResponses(400, 401, 404, 409),
    },
  }),
  createSurvey: createRoute({
    method: 'post',
    path: '/surveys',
    tags,
    summary: 'Create a satisfaction survey',
    request: {
      body: { required: true, content: { 'application/json': { schema: surveyInputSchema } } },
    },
    responses: { 201: json(SurveySchema, 'The survey'), ...errorResponses(400, 401, 403) },
  }),
  updateSurvey: createRoute({
    method: 'put',
    path: '/surveys/{id}',
    tags,
    summary: 'Change a survey until members are asked it',
    description:
      'A survey is asked from the moment it is active, so only a draft (`active: false`) that nobody answered can change; after that 409 `already_started`. The terms are replaced whole, as on creation: leaving out `active` makes it active.',
    request: {
      params: IdParams,
      body: { required: true, content: { 'application/json': { schema: surveyInputSchema } } },
    },
    responses: {
      200: json(SurveySchema, 'The survey'),
      ...errorResponses(400, 401, 403, 404, 409),
    },
  }),
  listSurveys: createRoute({
    method: 'get',
    path: '/surveys',
    tags,
    summary: 'All surveys',
    responses: {
      200: json(z.object({ items: z.array(SurveySchema) }), 'Surveys'),
      ...errorResponses(401),
    },
  }),
  surveySummary: createRoute({
    method: 'get',
    path: '/surveys/{id}/summary',
    tags,
    summary: 'Distribution, average and weekly trend',
    request: { params: IdParams },
    responses: { 200: json(SurveySummarySchema, 'Summary'), ...errorResponses(401, 404) },
  }),
  respond: createRoute({
    method: 'post',
    path: '/members/{id}/survey-responses',
    tags,
    summary: 'Record a member’s answer (e.g. from a shop’s own form)',
    request: {
      params: IdParams,
      body: {
        required: true,
        content: {
          'application/json': {
            schema: surveyAnswerSchema.extend({ surveyId: z.string().min(1) }),
          },
        },
      },
    },
    responses: {
      201: json(
        z.object({
          pointsAwarded: z.number().int(),
          capped: z.boolean(),
          balance: z.number().int(),
        }),
        'Recorded',
      ),
      ...errorResponses(400, 401, 404, 409),
    },
  }),
}

export function engagementRoutes(domain: Domain) {
  return newRouter()
    .openapi(routes.createQuiz, async (c) =>
      c.json(await domain.quizzes.create(c.req.valid('json')), 201),
    )
    .openapi(routes.updateQuiz, async (c) =>
      c.json(await domain.quizzes.update(c.req.valid('param').id, c.req.valid('json')), 200),
    )
    .openapi(routes.listQuizzes, async (c) => c.json({ items: await domain.quizzes.list() }, 200))
    .openapi(routes.getQuiz, async (c) =>
      c.json(await domain.quizzes.detail(c.req.valid('param').id), 200),
    )
    .openapi(routes.startQuiz, async (c) =>
      c.json(await domain.quizzes.start(c.req.valid('param').id), 200),
    )
    .openapi(routes.quizResults, async (c) =>
      c.json(await domain.quizzes.results(c.req.valid('param').id), 200),
    )
    .openapi(routes.createLottery, async (c) =>
      c.json(await domain.lotteries.create(c.req.valid('json')), 201),
    )
    .openapi(routes.updateLottery, async (c) =>
      c.json(await domain.lotteries.update(c.req.valid('param').id, c.req.valid('json')), 200),
    )
    .openapi(routes.draftOdds, async (c) =>
      c.json(await domain.lotteries.draftOdds(c.req.valid('json')), 200),
    )
    .openapi(routes.listLotteries, async (c) =>
      c.json({ items: await domain.lotteries.list() }, 200),
    )
    .openapi(routes.getLottery, async (c) =>
      c.json(await domain.lotteries.get(c.req.valid('param').id), 200),
    )
    .openapi(routes.lotteryDraws, async (c) => {
      const { id } = c.req.valid('param')
      await domain.lotteries.get(id)
      return c.json(
        {
          items: await domain.lotteries.draws(id, {
            winnersOnly: c.req.valid('query').winners === 'true',
          }),
        },
        200,
      )
    })
    .openapi(routes.fulfil, async (c) => {
      await domain.lotteries.fulfil(c.req.valid('param').id, actorOf(c.get('caller')))
      return c.json({ ok: true as const }, 200)
    })
    .openapi(routes.draw, async (c) => {
      const idempotencyKey = requireIdempotencyKey(c.req.valid('header')['idempotency-key'])
      const member = await domain.members.require({ id: c.req.valid('param').id })
      const result = await domain.lotteries.draw(member.id, c.req.valid('json').lotteryId, {
        idempotencyKey,
      })
      return result.replayed ? c.json(result, 200) : c.json(result, 201)
    })
    .openapi(routes.createSurvey, async (c) =>
      c.json(await domain.surveys.create(c.req.valid('json')), 201),
    )
    .openapi(routes.updateSurvey, async (c) =>
      c.json(await domain.surveys.update(c.req.valid('param').id, c.req.valid('json')), 200),
    )
    .openapi(routes.listSurveys, async (c) => c.json({ items: await domain.surveys.list() }, 200))
    .openapi(routes.surveySummary, async (c) =>
      c.json(await domain.surveys.summary(c.req.valid('param').id), 200),
    )
    .openapi(routes.respond, async (c) => {
      const member = await domain.members.require({ id: c.req.valid('param').id })
      const { surveyId, ...answer } = c.req.valid('json')
      return c.json(await domain.surveys.respond(member.id, surveyId, answer), 201)
    })
}
