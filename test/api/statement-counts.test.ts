import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { available, databases } from '../helpers/db.ts'
import { type ApiFixture, createApiFixture } from '../helpers/api.ts'
import { StatementRecorder, isWrite } from '../helpers/statements.ts'

/**
 * What a request costs the database, counted: the counts do not move with the machine's load,
 * as timings do, so they are what pins the work of the two hot paths (issue #15). PostgreSQL
 * counts one statement more per request: the rate limit is counted in the database there. Two
 * of an order's statements record its webhook events (its ledger entry's and its own), written
 * with the change even when nobody subscribes: one INSERT … SELECT each.
 */
const limits = {
  sqlite: { order: 21, lookUp: 7 },
  postgres: { order: 22, lookUp: 8 },
}

const on = (table: string) => (statement: string) =>
  new RegExp(`(from|into|update) "${table}"`, 'i').test(statement)

for (const db of databases) {
  describe.skipIf(!available(db))(`statements per request [${db.name}]`, () => {
    const recorder = new StatementRecorder()
    let api: ApiFixture
    let memberId: string
    let seq = 0
    const order = () =>
      recorder.during(() =>
        api.call('POST', '/api/v1/orders', {
          id: `counted-${++seq}`,
          member: { id: memberId },
          amount: 2500,
        }),
      )
    beforeAll(async () => {
      api = await createApiFixture(db, { onStatement: recorder.onStatement })
      memberId = (await api.call('POST', '/api/v1/members', { displayName: 'Counted' })).body.id
      // The member's first order pays a bonus; the counts are of an everyday order.
      expect((await order()).result.status).toBe(201)
    })
    afterAll(async () => api?.store.cleanup())

    it(`an order runs at most ${limits[db.name].order} statements, in one transaction`, async () => {
      const { result, statements } = await order()
      expect(result.status).toBe(201)
      expect(statements.length).toBeLessThanOrEqual(limits[db.name].order)
      expect(statements.filter((s) => /^\s*begin\b/i.test(s))).toHaveLength(1)
      expect(statements.filter((s) => /^\s*commit\b/i.test(s))).toHaveLength(1)
    })

    it('an order reads the programme once, the member row once and sums the tier window once', async () => {
      const { statements } = await order()
      expect(statements.filter(on('programme_versions'))).toHaveLength(1)
      expect(statements.filter((s) => /from "members"/i.test(s))).toHaveLength(1)
      expect(statements.filter((s) => /sum\("amount" - "refunded_amount"\)/.test(s))).toHaveLength(
        1,
      )
    })

    it('an order writes its row once with its points and once more with its answer', async () => {
      const { statements } = await order()
      expect(statements.filter((s) => /^insert into "orders"/i.test(s))).toHaveLength(1)
      expect(statements.filter((s) => /^update "orders"/i.test(s))).toEqual([
        expect.stringMatching(/^update "orders" set "response_json" = /),
      ])
    })

    it(`a balance look-up runs at most ${limits[db.name].lookUp} statements and writes nothing`, async () => {
      const { result, statements } = await recorder.during(() =>
        api.call('GET', `/api/v1/members/${memberId}`),
      )
      expect(result.status).toBe(200)
      expect(result.body.points.balance).toBeGreaterThan(0)
      expect(statements.length).toBeLessThanOrEqual(limits[db.name].lookUp)
      expect(statements.filter((s) => isWrite(s) && !on('rate_limits')(s))).toEqual([])
    })

    it('a balance look-up reads the member row and the programme once each', async () => {
      const { statements } = await recorder.during(() =>
        api.call('GET', `/api/v1/members/${memberId}`),
      )
      expect(statements.filter((s) => /from "members"/i.test(s))).toHaveLength(1)
      expect(statements.filter(on('programme_versions'))).toHaveLength(1)
    })
  })
}
