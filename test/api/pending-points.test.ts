import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { available, databases } from '../helpers/db.ts'
import { type ApiFixture, createApiFixture } from '../helpers/api.ts'
import { programmeWith } from '../helpers/domain.ts'

for (const db of databases) {
  describe.skipIf(!available(db))(
    `pending points API [${db.name}${available(db) ? '' : ': skipped, TEST_DATABASE_URL not set'}]`,
    () => {
      let api: ApiFixture
      beforeAll(async () => {
        api = await createApiFixture(db)
        await api.domain.programme.replace(
          programmeWith({ caps: { pointsPerOrder: 1_000, pointsPerMemberPerDay: 1_000_000 } }),
        )
      })
      afterAll(async () => {
        await api?.store.cleanup()
      })
      let n = 0
      async function bigOrder() {
        const member = await api.call('POST', '/api/v1/members', { displayName: `会员${++n}` })
        const order = await api.call(
          'POST',
          '/api/v1/orders',
          { id: `big-${n}`, member: { id: member.body.id }, amount: 500_000 },
          { key: api.posKey },
        )
        expect(order.status).toBe(201)
        return { memberId: member.body.id as string, order: order.body }
      }

      it('the order API says the points are pending, and the member shows them apart from the balance', async () => {
        const { memberId, order } = await bigOrder()
        expect(order.pointsEarned).toBe(0)
        expect(order.pending).toMatchObject({ points: 5_000, cap: 'per_order', limit: 1_000 })
        const member = await api.call('GET', `/api/v1/members/${memberId}`, undefined, {
          key: api.posKey,
        })
        expect(member.body.points).toMatchObject({ balance: 0, pending: 5_000 })
      })

      it('admin keys list pending points and approve them once, the key named as the author', async () => {
        const { memberId, order } = await bigOrder()
        const list = await api.call('GET', '/api/v1/points/pending')
        expect(list.status).toBe(200)
        expect(
          list.body.items.find((p: { id: string }) => p.id === order.pending.id),
        ).toMatchObject({
          orderId: order.orderId,
          memberId,
          amount: 500_000,
          points: 5_000,
          cap: 'per_order',
        })
        const path = `/api/v1/points/pending/${order.pending.id}/approve`
        const first = await api.call('POST', path)
        expect(first.status).toBe(201)
        expect(first.body.pending).toMatchObject({
          status: 'approved',
          decidedBy: 'api:test admin',
        })
        expect(first.body.member.points).toMatchObject({ balance: 5_000, pending: 0 })
        const again = await api.call('POST', path)
        expect(again.status).toBe(200)
        expect(again.body.replayed).toBe(true)
        const ledger = await api.call('GET', `/api/v1/members/${memberId}/ledger`)
        expect(ledger.body.items).toHaveLength(1)
        expect(ledger.body.items[0]).toMatchObject({ points: 5_000, reason: 'points_approved' })
        const rejected = await api.call('POST', `/api/v1/points/pending/${order.pending.id}/reject`)
        expect(rejected.status).toBe(409)
        expect(rejected.body.error.code).toBe('pending_points_decided')
      })

      it('rejecting through the API drops the points; pos keys may neither list nor decide', async () => {
        const { memberId, order } = await bigOrder()
        for (const [method, path] of [
          ['GET', '/api/v1/points/pending'],
          ['POST', `/api/v1/points/pending/${order.pending.id}/approve`],
          ['POST', `/api/v1/points/pending/${order.pending.id}/reject`],
        ] as const) {
          const refused = await api.call(method, path, undefined, { key: api.posKey })
          expect(refused.status).toBe(403)
        }
        const rejected = await api.call('POST', `/api/v1/points/pending/${order.pending.id}/reject`)
        expect(rejected.status).toBe(201)
        expect(rejected.body.member.points).toMatchObject({ balance: 0, pending: 0 })
        const ledger = await api.call('GET', `/api/v1/members/${memberId}/ledger`)
        expect(ledger.body.items[0]).toMatchObject({ points: 0, reason: 'points_rejected' })
        const unknown = await api.call('POST', '/api/v1/points/pending/pnd_nope/approve')
        expect(unknown.status).toBe(404)
        expect(unknown.body.error.code).toBe('not_found')
      })

      it('the programme validates its caps and shows their defaults', async () => {
        const current = await api.call('GET', '/api/v1/programme')
        const { caps, ...rest } = current.body.config
        expect(caps).toEqual({ pointsPerOrder: 1_000, pointsPerMemberPerDay: 1_000_000 })
        for (const bad of [{ pointsPerOrder: 0 }, { pointsPerMemberPerDay: 1.5 }]) {
          const refused = await api.call('PUT', '/api/v1/programme', {
            ...rest,
            caps: { ...caps, ...bad },
          })
          expect(refused.status).toBe(400)
          expect(refused.body.error.details.field).toBe(`caps.${Object.keys(bad)[0]}`)
        }
        const defaults = await api.call('PUT', '/api/v1/programme', rest)
        expect(defaults.status).toBe(200)
        expect((await api.call('GET', '/api/v1/programme')).body.config.caps).toEqual({
          pointsPerOrder: 100_000,
          pointsPerMemberPerDay: 200_000,
        })
        await api.call('PUT', '/api/v1/programme', current.body.config)
      })

      it('the OpenAPI document describes the review routes', async () => {
        const doc = await api.call('GET', '/api/openapi.json', undefined, { key: null })
        expect(Object.keys(doc.body.paths)).toEqual(
          expect.arrayContaining([
            '/api/v1/points/pending',
            '/api/v1/points/pending/{id}/approve',
            '/api/v1/points/pending/{id}/reject',
          ]),
        )
      })
    },
  )
}
