import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ApiFixture, createApiFixture } from '../helpers/api.ts'
import { available, databases } from '../helpers/db.ts'

for (const db of databases) {
  describe.skipIf(!available(db))(
    `interactive marketing API [${db.name}${available(db) ? '' : ': skipped, TEST_DATABASE_URL not set'}]`,
    () => {
      let api: ApiFixture
      beforeAll(async () => {
        api = await createApiFixture(db)
      })
      afterAll(async () => {
        await api?.store.cleanup()
      })
      const window = () => ({
        opensAt: new Date(api.clock.now().getTime() - 60_000).toISOString(),
        closesAt: new Date(api.clock.now().getTime() + 86_400_000).toISOString(),
      })
      const quiz = () => ({
        title: 'Tea quiz',
        questions: [{ text: 'Fermented?', choices: ['Green', 'Pu-erh'], answer: 1 }],
        reward: { mode: 'per_correct', points: 10 },
        ...window(),
      })

      it('creates quizzes (admin only), refuses a bad one naming the field, and reports results', async () => {
        expect(
          (await api.call('POST', '/api/v1/quizzes', quiz(), { key: api.posKey })).status,
        ).toBe(403)
        const bad = await api.call('POST', '/api/v1/quizzes', {
          ...quiz(),
          questions: [{ text: 'x', choices: ['a', 'b'], answer: 5 }],
        })
        expect(bad.status).toBe(400)
        expect(bad.body.error.details.field).toBe('questions.0.answer')
        const late = await api.call('POST', '/api/v1/quizzes', {
          ...quiz(),
          closesAt: '2000-01-01T00:00:00Z',
        })
        expect(late.body.error.details.field).toBe('closesAt')
        const created = await api.call('POST', '/api/v1/quizzes', quiz())
        expect(created.status).toBe(201)
        const member = (await api.call('POST', '/api/v1/members', { displayName: 'Q' })).body
        await api.domain.quizzes.begin(member.id, created.body.id)
        await api.domain.quizzes.answer(member.id, created.body.id, 0, 1)
        const results = await api.call('GET', `/api/v1/quizzes/${created.body.id}/results`)
        expect(results.body).toMatchObject({
          completed: 1,
          pointsAwarded: 10,
          leaderboard: [{ rank: 1, memberId: member.id, correct: 1 }],
        })
        expect((await api.call('GET', '/api/v1/quizzes/nope')).status).toBe(404)
      })

      it('quizzes, lotteries and surveys take their texts in both languages, or one string as both', async () => {
        const zhEn = (zh: string, en: string) => ({ 'zh-CN': zh, en })
        const created = await api.call('POST', '/api/v1/quizzes', {
          ...quiz(),
          title: zhEn('茶知识', 'Tea quiz'),
          questions: [
            {
              text: zhEn('普洱是发酵茶吗？', 'Is Pu-erh fermented?'),
              choices: [zhEn('是', 'Yes'), 'No'],
              answer: 0,
            },
          ],
        })
        expect(created.status).toBe(201)
        expect(created.body.title).toEqual(zhEn('茶知识', 'Tea quiz'))
        const member = (await api.call('POST', '/api/v1/members', { displayName: 'Bi' })).body
        expect((await api.domain.quizzes.begin(member.id, created.body.id)).question).toEqual({
          text: zhEn('普洱是发酵茶吗？', 'Is Pu-erh fermented?'),
          choices: [zhEn('是', 'Yes'), zhEn('No', 'No')],
        })
        const blank = await api.call('POST', '/api/v1/quizzes', {
          ...quiz(),
          questions: [{ text: { 'zh-CN': ' ', en: '' }, choices: ['a', 'b'], answer: 0 }],
        })
        expect(blank.status).toBe(400)
        expect(blank.body.error.details.field).toMatch(/^questions\.0\.text/)

        const lottery = await api.call('POST', '/api/v1/lotteries', {
          title: zhEn('幸运抽奖', 'Lucky draw'),
          costPoints: 0,
          freeDrawsPerDay: 1,
          ...window(),
          prizes: [{ name: zhEn('50积分', '50 points'), kind: 'points', points: 50, weight: 1 }],
        })
        expect(lottery.status).toBe(201)
        expect(lottery.body).toMatchObject({
          title: zhEn('幸运抽奖', 'Lucky draw'),
          prizes: [{ name: zhEn('50积分', '50 points') }],
        })
        const drawn = await api.call(
          'POST',
          `/api/v1/members/${member.id}/draws`,
          { lotteryId: lottery.body.id },
          { headers: { 'idempotency-key': randomUUID() } },
        )
        expect(drawn.body.prize.name).toEqual(zhEn('50积分', '50 points'))
        const winners = await api.call('GET', `/api/v1/lotteries/${lottery.body.id}/draws`)
        expect(winners.body.items).toMatchObject([{ prize: zhEn('50积分', '50 points') }])

        const survey = await api.call('POST', '/api/v1/surveys', {
          title: '到店体验',
          question: zhEn('你满意吗？', 'Were you happy?'),
        })
        expect(survey.body).toMatchObject({
          title: zhEn('到店体验', '到店体验'),
          question: zhEn('你满意吗？', 'Were you happy?'),
        })
      })

      it('creates a lottery with published odds, draws for a member once per key, lists and fulfils winners, the draw and the fulfilment from a till (pos key)', async () => {
        const gift = (
          await api.call('POST', '/api/v1/rewards', {
            name: 'Tote bag',
            kind: 'gift',
            pointsCost: 0,
          })
        ).body
        const lottery = await api.call('POST', '/api/v1/lotteries', {
          title: 'Lucky draw',
          costPoints: 10,
          freeDrawsPerDay: 1,
          ...window(),
          prizes: [
            { name: 'Tote bag', kind: 'reward', rewardId: gift.id, weight: 1, stock: 3 },
            { name: 'Bonus', kind: 'points', points: 5, weight: 3 },
          ],
        })
        expect(lottery.status).toBe(201)
        expect(lottery.body.prizes.map((p: { probability: number }) => p.probability)).toEqual([
          0.25, 0.75,
        ])
        const member = (await api.call('POST', '/api/v1/members', { displayName: 'L' })).body
        const kiosk = { key: api.posKey, headers: { 'idempotency-key': 'kiosk-1' } }
        const first = await api.call(
          'POST',
          `/api/v1/members/${member.id}/draws`,
          { lotteryId: lottery.body.id },
          kiosk,
        )
        const retry = await api.call(
          'POST',
          `/api/v1/members/${member.id}/draws`,
          { lotteryId: lottery.body.id },
          kiosk,
        )
        expect([first.status, retry.status]).toEqual([201, 200])
        expect(retry.body.drawId).toBe(first.body.drawId)
        const second = await api.call(
          'POST',
          `/api/v1/members/${member.id}/draws`,
          {
            lotteryId: lottery.body.id,
          },
          { headers: { 'idempotency-key': randomUUID() } },
        )
        expect(second.status).toBe(409)
        expect(second.body.error.code).toBe('insufficient_points')
        const draws = await api.call('GET', `/api/v1/lotteries/${lottery.body.id}/draws`)
        expect(draws.body.items).toHaveLength(1)
        expect(draws.body.items[0]).toMatchObject({
          memberId: member.id,
          roll: expect.any(Number),
          totalWeight: 4,
        })
        const fulfil = await api.call(
          'POST',
          `/api/v1/lottery-draws/${draws.body.items[0].id}/fulfil`,
          undefined,
          { key: api.posKey },
        )
        expect(fulfil.status).toBe(200)
        expect(
          (await api.call('POST', `/api/v1/lottery-draws/${draws.body.items[0].id}/fulfil`)).body
            .error.code,
        ).toBe('already_done')
        const bad = await api.call('POST', '/api/v1/lotteries', {
          title: 'x',
          costPoints: 0,
          ...window(),
          prizes: [{ name: 'p', kind: 'points', weight: 1 }],
        })
        expect(bad.status).toBe(400)
      })

      it('lists a lottery whose prizes are all gone as exhausted, and refuses a draw on it', async () => {
        const gift = (
          await api.call('POST', '/api/v1/rewards', {
            name: 'Last mug',
            kind: 'gift',
            pointsCost: 0,
            stock: 1,
          })
        ).body
        const lottery = (
          await api.call('POST', '/api/v1/lotteries', {
            title: 'Mug draw',
            costPoints: 0,
            freeDrawsPerDay: 1,
            ...window(),
            prizes: [{ name: 'Mug', kind: 'reward', rewardId: gift.id, weight: 1 }],
          })
        ).body
        expect(lottery.exhausted).toBe(false)
        const member = (await api.call('POST', '/api/v1/members', { displayName: 'M' })).body
        await api.call(
          'POST',
          `/api/v1/members/${member.id}/redemptions`,
          { rewardId: gift.id },
          { headers: { 'idempotency-key': randomUUID() } },
        )
        const listed = (await api.call('GET', '/api/v1/lotteries')).body.items.find(
          (l: { id: string }) => l.id === lottery.id,
        )
        expect(listed).toMatchObject({ exhausted: true, prizes: [{ probability: 0 }] })
        const refused = await api.call(
          'POST',
          `/api/v1/members/${member.id}/draws`,
          {
            lotteryId: lottery.id,
          },
          { headers: { 'idempotency-key': randomUUID() } },
        )
        expect(refused.status).toBe(409)
        expect(refused.body.error.code).toBe('lottery_exhausted')
      })

      it('creates a survey, records answers once, and summarises them', async () => {
        const survey = await api.call('POST', '/api/v1/surveys', {
          title: 'Visit',
          question: 'How satisfied are you?',
          rewardPoints: 3,
        })
        expect(survey.status).toBe(201)
        const member = (await api.call('POST', '/api/v1/members', { displayName: 'S' })).body
        const answer = await api.call('POST', `/api/v1/members/${member.id}/survey-responses`, {
          surveyId: survey.body.id,
          score: 6,
          comment: 'nice',
        })
        expect(answer).toMatchObject({ status: 201, body: { pointsAwarded: 3 } })
        const again = await api.call('POST', `/api/v1/members/${member.id}/survey-responses`, {
          surveyId: survey.body.id,
          score: 6,
        })
        expect(again.body.error.code).toBe('already_done')
        const outOfScale = await api.call('POST', `/api/v1/members/${member.id}/survey-responses`, {
          surveyId: survey.body.id,
          score: 8,
        })
        expect(outOfScale.body.error.details.field).toBe('score')
        const summary = await api.call('GET', `/api/v1/surveys/${survey.body.id}/summary`)
        expect(summary.body).toMatchObject({
          responses: 1,
          average: 6,
          distribution: expect.arrayContaining([{ score: 6, responses: 1 }]),
        })
      })
    },
  )
}
