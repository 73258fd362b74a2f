import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ApiFixture, createApiFixture } from '../helpers/api.ts'
import { available, databases } from '../helpers/db.ts'

const HOUR = 3_600_000

for (const db of databases) {
  describe.skipIf(!available(db))(
    `editing quizzes, lotteries and surveys before they start [${db.name}${available(db) ? '' : ': skipped, TEST_DATABASE_URL not set'}]`,
    () => {
      let api: ApiFixture
      beforeAll(async () => {
        api = await createApiFixture(db)
      })
      afterAll(async () => {
        await api?.store.cleanup()
      })
      /** A window opening `from` hours from now (negative: already open). */
      const window = (from: number) => ({
        opensAt: new Date(api.clock.now().getTime() + from * HOUR).toISOString(),
        closesAt: new Date(api.clock.now().getTime() + (from + 48) * HOUR).toISOString(),
      })
      const zhEn = (zh: string, en: string) => ({ 'zh-CN': zh, en })
      const quiz = (from: number) => ({
        title: zhEn('茶知识', 'Tea quiz'),
        questions: [
          {
            text: zhEn('普洱是发酵茶吗？', 'Is Pu-erh fermented?'),
            choices: [zhEn('是', 'Yes'), zhEn('不是', 'No')],
            answer: 0,
          },
        ],
        reward: { mode: 'per_correct', points: 10 },
        ...window(from),
      })
      const lottery = (from: number, weights: number[]) => ({
        title: zhEn('春季抽奖', 'Spring draw'),
        costPoints: 50,
        ...window(from),
        prizes: weights.map((weight, i) => ({
          name: zhEn(`奖品${i}`, `Prize ${i}`),
          kind: 'points',
          points: 10 * (i + 1),
          weight,
        })),
      })

      it('computes a draft’s published odds by the rule of a saved lottery, for managers only', async () => {
        const soldOut = await api.domain.rewards.create({
          name: 'Mug',
          kind: 'gift',
          pointsCost: 100,
          stock: 0,
        })
        const draft = {
          prizes: [
            { weight: 1 },
            { weight: 3, stock: null },
            { weight: 4, rewardId: soldOut.id },
            { weight: 2, stock: 0 },
            { weight: 0 },
          ],
        }
        const odds = await api.call('POST', '/api/v1/lotteries/odds', draft)
        expect(odds.status).toBe(200)
        // The mug nobody can be given and the prize with no stock have no chance.
        expect(odds.body).toEqual({ exhausted: false, probabilities: [0.25, 0.75, 0, 0, 0] })
        expect(
          (await api.call('POST', '/api/v1/lotteries/odds', draft, { key: api.posKey })).status,
        ).toBe(403)
        const bad = await api.call('POST', '/api/v1/lotteries/odds', { prizes: [{ weight: -1 }] })
        expect(bad.status).toBe(400)
        expect(bad.body.error.details.field).toBe('prizes.0.weight')
        expect(
          (await api.call('POST', '/api/v1/lotteries/odds', { prizes: [{ weight: 2, stock: 0 }] }))
            .body,
        ).toEqual({ exhausted: true, probabilities: [0] })

        // Saved, the same prizes publish the same odds.
        const saved = await api.call('POST', '/api/v1/lotteries', {
          ...lottery(1, [1, 3]),
          prizes: [
            ...lottery(1, [1, 3]).prizes,
            { name: 'Mug', kind: 'reward', rewardId: soldOut.id, weight: 4 },
          ],
        })
        expect(saved.status).toBe(201)
        expect(saved.body.prizes.map((p: { probability: number }) => p.probability)).toEqual([
          0.25, 0.75, 0,
        ])
        // A draft asks nothing to be kept: the audit log does not fill with every keystroke.
        const logged = await api.domain.audit.list({
          operation: 'POST /api/v1/lotteries/odds',
          limit: 10,
        })
        expect(logged.items).toEqual([])
        // The lottery's own creation is logged, as every manager's write is.
        const creations = await api.domain.audit.list({ targetId: saved.body.id, limit: 10 })
        expect(creations.items.map((e) => e.operation)).toEqual(['POST /api/v1/lotteries'])
      })

      it('changes a quiz until it starts, then refuses with already_started', async () => {
        const created = await api.call('POST', '/api/v1/quizzes', quiz(2))
        expect(created.status).toBe(201)
        const id = created.body.id as string
        const changed = await api.call('PUT', `/api/v1/quizzes/${id}`, {
          ...quiz(3),
          questions: [
            ...quiz(3).questions,
            {
              text: zhEn('龙井是绿茶吗？', 'Is Longjing green?'),
              choices: ['Yes', 'No'],
              answer: 0,
            },
          ],
          reward: { mode: 'pass', threshold: 2, points: 30 },
        })
        expect(changed.status).toBe(200)
        expect(changed.body).toMatchObject({
          id,
          questionCount: 2,
          reward: { mode: 'pass', threshold: 2, points: 30 },
          questions: [{ answer: 0 }, { text: zhEn('龙井是绿茶吗？', 'Is Longjing green?') }],
        })
        // The whole input is checked as on create: a threshold above the questions is refused.
        const bad = await api.call('PUT', `/api/v1/quizzes/${id}`, {
          ...quiz(3),
          reward: { mode: 'pass', threshold: 5, points: 30 },
        })
        expect(bad.status).toBe(400)
        expect(bad.body.error.details.field).toBe('reward.threshold')
        expect(
          (await api.call('PUT', `/api/v1/quizzes/${id}`, quiz(3), { key: api.posKey })).status,
        ).toBe(403)
        expect((await api.call('PUT', '/api/v1/quizzes/quz_none', quiz(3))).status).toBe(404)

        expect((await api.call('POST', `/api/v1/quizzes/${id}/start`)).status).toBe(200)
        const late = await api.call('PUT', `/api/v1/quizzes/${id}`, quiz(3))
        expect(late.status).toBe(409)
        expect(late.body.error.code).toBe('already_started')
        expect((await api.call('GET', `/api/v1/quizzes/${id}`)).body.questionCount).toBe(2)

        // One whose window has opened by itself has started too.
        const scheduled = (await api.call('POST', '/api/v1/quizzes', quiz(1))).body
        api.clock.advance(1 * HOUR + 1)
        expect((await api.call('PUT', `/api/v1/quizzes/${scheduled.id}`, quiz(5))).status).toBe(409)
      })

      it('changes a lottery and its prizes until its window opens, then refuses with already_started', async () => {
        const created = await api.call('POST', '/api/v1/lotteries', lottery(2, [1, 1]))
        const id = created.body.id as string
        const changed = await api.call('PUT', `/api/v1/lotteries/${id}`, {
          ...lottery(3, [1, 1, 2]),
          costPoints: 80,
          freeDrawsPerDay: 1,
        })
        expect(changed.status).toBe(200)
        expect(changed.body).toMatchObject({ id, costPoints: 80, freeDrawsPerDay: 1 })
        expect(changed.body.prizes.map((p: { probability: number }) => p.probability)).toEqual([
          0.25, 0.25, 0.5,
        ])
        expect(
          (await api.call('PUT', `/api/v1/lotteries/${id}`, lottery(3, [1]), { key: api.posKey }))
            .status,
        ).toBe(403)

        api.clock.advance(3 * HOUR + 1)
        const late = await api.call('PUT', `/api/v1/lotteries/${id}`, lottery(1, [5]))
        expect(late.status).toBe(409)
        expect(late.body.error.code).toBe('already_started')
        expect((await api.call('GET', `/api/v1/lotteries/${id}`)).body.prizes).toHaveLength(3)
      })

      it('changes a draft survey until it is made active, then refuses with already_started', async () => {
        const survey = (active: boolean) => ({
          title: zhEn('门店体验', 'Shop visit'),
          question: zhEn('您对门店满意吗？', 'How was the shop?'),
          rewardPoints: 5,
          active,
        })
        const draft = (await api.call('POST', '/api/v1/surveys', survey(false))).body
        const changed = await api.call('PUT', `/api/v1/surveys/${draft.id}`, {
          ...survey(false),
          question: zhEn('您对店员满意吗？', 'How were our staff?'),
          rewardPoints: 20,
        })
        expect(changed.status).toBe(200)
        expect(changed.body).toMatchObject({
          id: draft.id,
          question: zhEn('您对店员满意吗？', 'How were our staff?'),
          rewardPoints: 20,
          active: false,
        })
        // Checked whole as on creation, the refused field named and nothing of the change kept.
        const bad = await api.call('PUT', `/api/v1/surveys/${draft.id}`, {
          ...survey(false),
          title: zhEn('新标题', 'New title'),
          rewardPoints: -1,
        })
        expect([bad.status, bad.body.error.details.field]).toEqual([400, 'rewardPoints'])
        expect(
          (await api.call('PUT', `/api/v1/surveys/${draft.id}`, survey(false), { key: api.posKey }))
            .status,
        ).toBe(403)
        expect((await api.call('PUT', '/api/v1/surveys/svy_none', survey(false))).status).toBe(404)
        const listed = (await api.call('GET', '/api/v1/surveys')).body.items
        expect(listed.find((s: { id: string }) => s.id === draft.id).title).toEqual(
          zhEn('门店体验', 'Shop visit'),
        )

        // Made active, it is asked on demand and after orders: its last change.
        expect((await api.call('PUT', `/api/v1/surveys/${draft.id}`, survey(true))).status).toBe(
          200,
        )
        const late = await api.call('PUT', `/api/v1/surveys/${draft.id}`, survey(false))
        expect([late.status, late.body.error.code]).toEqual([409, 'already_started'])
        const live = (await api.call('POST', '/api/v1/surveys', survey(true))).body
        expect((await api.call('PUT', `/api/v1/surveys/${live.id}`, survey(true))).status).toBe(409)
      })

      it('gives staff a quiz’s right answers and members never', async () => {
        const created = (await api.call('POST', '/api/v1/quizzes', quiz(-1))).body
        const staffView = await api.call('GET', `/api/v1/quizzes/${created.id}`)
        expect(staffView.body.questions).toEqual(quiz(-1).questions)
        // A till's key (or a clerk, who may also take the quiz as a member) reads no answers.
        const till = await api.call('GET', `/api/v1/quizzes/${created.id}`, undefined, {
          key: api.posKey,
        })
        expect(till.status).toBe(403)
        // The staff list stays the short shape, without the questions.
        const listed = (await api.call('GET', '/api/v1/quizzes')).body.items
        expect(listed.find((q: { id: string }) => q.id === created.id)).not.toHaveProperty(
          'questions',
        )

        const member = (await api.call('POST', '/api/v1/members', { displayName: 'Ai' })).body
        const { token } = await api.domain.miniapp.createLink(member.id)
        const session = (await api.call('POST', '/api/miniapp/session', { token }, { key: null }))
          .body.token as string
        const open = await api.call('GET', '/api/miniapp/quizzes', undefined, { key: session })
        expect(open.status).toBe(200)
        const begun = await api.call(
          'POST',
          `/api/miniapp/quizzes/${created.id}/begin`,
          undefined,
          {
            key: session,
          },
        )
        expect(begun.status).toBe(200)
        for (const answer of [open.body, begun.body]) {
          expect(JSON.stringify(answer)).not.toMatch(/"answer"|"questions"/)
        }
        expect(begun.body.question.choices).toHaveLength(2)
        // A member's session is refused the staff's shape outright.
        expect(
          (await api.call('GET', `/api/v1/quizzes/${created.id}`, undefined, { key: session }))
            .status,
        ).toBe(401)
      })
    },
  )
}
