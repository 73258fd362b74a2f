import { describe, expect, it } from 'vitest'
import { prepared } from '../../db/prepared.ts'
import { available, databases, type TestDbHandle } from '../helpers/db.ts'

for (const database of databases) {
  describe.skipIf(!available(database))(`queries compiled once [${database.name}]`, () => {
    async function withDb(run: (store: TestDbHandle) => Promise<void>) {
      const store = await database.create()
      try {
        await run(store)
      } finally {
        await store.cleanup()
      }
    }

    it('answer what the same query built anew answers, for each new value, inside and outside a transaction', async () => {
      await withDb(async (store) => {
        const computedAt = new Date().toISOString()
        await store.db
          .insertInto('segmentSnapshots')
          .values([
            { day: '2026-12-01', dimension: 'value', class: 'high', members: 3, computedAt },
            { day: '2026-12-01', dimension: 'value', class: 'low', members: 5, computedAt },
            { day: '2026-12-02', dimension: 'value', class: 'high', members: 4, computedAt },
          ])
          .execute()
        let builds = 0
        const classesOn = prepared((db, p: { day: string; except: string; most: number }) => {
          builds++
          return db
            .selectFrom('segmentSnapshots')
            .select(['day', 'class', 'computedAt'])
            .where('day', '=', p.day)
            .where('class', '!=', p.except)
            .where('dimension', 'in', ['value', 'lifecycle'])
            .orderBy('class')
            .limit(p.most)
        })
        const anew = (day: string, except: string, most: number) =>
          store.db
            .selectFrom('segmentSnapshots')
            .select(['day', 'class', 'computedAt'])
            .where('day', '=', day)
            .where('class', '!=', except)
            .where('dimension', 'in', ['value', 'lifecycle'])
            .orderBy('class')
            .limit(most)
            .execute()
        for (const [day, except, most] of [
          ['2026-12-01', 'none', 10],
          ['2026-12-01', 'high', 10],
          ['2026-12-01', 'none', 1],
          ['2026-12-02', 'none', 10],
          ['2026-12-03', 'none', 10],
        ] as const) {
          const answer = await classesOn.all(store.db, { day, except, most })
          expect(answer).toEqual(await anew(day, except, most))
        }
        expect(
          await classesOn.first(store.db, { day: '2026-12-02', except: 'x', most: 5 }),
        ).toMatchObject({ day: '2026-12-02', class: 'high', computedAt })
        expect(
          await store.transaction((trx) =>
            classesOn.all(trx, { day: '2026-12-01', except: 'low', most: 5 }),
          ),
        ).toEqual(await anew('2026-12-01', 'low', 5))
        expect(builds).toBe(1)
      })
    })

    it('refuses a list, whose length would decide the shape, and a parameter not bound as one', async () => {
      await withDb(async (store) => {
        const byClasses = prepared((db, p: { classes: string[] }) =>
          db.selectFrom('segmentSnapshots').selectAll().where('class', 'in', p.classes),
        )
        await expect(byClasses.all(store.db, { classes: ['high'] })).rejects.toThrow(
          'prepared query: classes is a list, whose length decides the shape',
        )
        const unused = prepared((db, _p: { day: string }) =>
          db.selectFrom('segmentSnapshots').selectAll(),
        )
        await expect(unused.all(store.db, { day: '2026-12-01' })).rejects.toThrow(
          'prepared query: day not bound as parameters',
        )
      })
    })
  })
}
