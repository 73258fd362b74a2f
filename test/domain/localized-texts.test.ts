import { Migrator, sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { migrations } from '../../db/migrations/index.ts'
import { createDomain } from '../../src/domain/index.ts'
import { ManualClock } from '../../src/shared/clock.ts'
import { available, databases } from '../helpers/db.ts'

const MIGRATION = '0013-localized-texts'
const names = Object.keys(migrations).sort()
/** The migration just before this one, whichever it is. */
const BEFORE = names[names.indexOf(MIGRATION) - 1]!
const at = '2025-01-01T00:00:00.000Z'
const later = '2030-01-01T00:00:00.000Z'

for (const db of databases) {
  describe.skipIf(!available(db))(`the merchant's texts in two languages [${db.name}]`, () => {
    it('the migration turns an existing single-string reward, prize, quiz and survey into both languages, and back', async () => {
      const store = await db.create()
      try {
        const migrator = new Migrator({
          db: store.db,
          provider: { getMigrations: () => Promise.resolve(migrations) },
        })
        expect((await migrator.migrateTo(BEFORE)).error).toBeUndefined()
        // The old shape: one string per text, as every database holds it before the migration.
        await sql`insert into rewards (id, name, description, kind, points_cost, created_at, updated_at)
          values ('rwd_old', '20元券', '满100可用', 'coupon', 100, ${at}, ${at}),
                 ('rwd_plain', '保温杯', null, 'gift', 10, ${at}, ${at})`.execute(store.db)
        await sql`insert into lotteries (id, title, cost_points, free_draws_per_day, opens_at, closes_at, created_at)
          values ('lot_old', '幸运抽奖', 10, 1, ${at}, ${later}, ${at})`.execute(store.db)
        await sql`insert into lottery_prizes (id, lottery_id, position, name, kind, reward_id, weight)
          values ('prz_old', 'lot_old', 0, '20元券', 'reward', 'rwd_old', 1)`.execute(store.db)
        const questions = [{ text: '普洱茶属于哪一类？', choices: ['绿茶', '黑茶'], answer: 1 }]
        await sql`insert into quizzes (id, title, questions_json, reward_json, opens_at, closes_at, created_at)
          values ('quz_old', '茶知识', ${JSON.stringify(questions)},
                  ${JSON.stringify({ mode: 'per_correct', points: 5 })}, ${at}, ${later}, ${at})`.execute(
          store.db,
        )
        await sql`insert into surveys (id, title, question, reward_points, created_at)
          values ('svy_old', '到店体验', '你满意吗？', 5, ${at})`.execute(store.db)

        await store.migrate()
        const domain = createDomain({ store, clock: new ManualClock('2025-01-10T04:00:00Z') })
        await domain.programme.ensureSeeded()
        const both = (text: string) => ({ 'zh-CN': text, en: text })
        expect(await domain.rewards.get('rwd_old')).toMatchObject({
          name: both('20元券'),
          description: both('满100可用'),
        })
        expect(await domain.rewards.get('rwd_plain')).toMatchObject({
          name: both('保温杯'),
          description: null,
        })
        expect(await domain.lotteries.get('lot_old')).toMatchObject({
          title: both('幸运抽奖'),
          prizes: [{ name: both('20元券') }],
        })
        expect((await domain.quizzes.get('quz_old')).title).toEqual(both('茶知识'))
        const member = await domain.members.register({ displayName: 'Old timer' })
        expect((await domain.quizzes.begin(member.id, 'quz_old')).question).toEqual({
          text: both('普洱茶属于哪一类？'),
          choices: [both('绿茶'), both('黑茶')],
        })
        expect(await domain.surveys.get('svy_old')).toMatchObject({
          title: both('到店体验'),
          question: both('你满意吗？'),
        })

        // Down again: one string per text, the Chinese one, or the English one where only it is.
        await domain.rewards.update('rwd_plain', { name: { en: 'Flask' } })
        expect((await migrator.migrateTo(BEFORE)).error).toBeUndefined()
        const rewards = await sql<{
          id: string
          name: string
        }>`select id, name from rewards order by id`.execute(store.db)
        expect(rewards.rows).toEqual([
          { id: 'rwd_old', name: '20元券' },
          { id: 'rwd_plain', name: 'Flask' },
        ])
        const quiz = await sql<{
          questions: string
        }>`select questions_json as questions from quizzes`.execute(store.db)
        expect(JSON.parse(quiz.rows[0]!.questions)).toEqual(questions)
      } finally {
        await store.cleanup()
      }
    })
  })
}
