import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { available, databases } from '../helpers/db.ts'
import { type ApiFixture, createApiFixture } from '../helpers/api.ts'

/**
 * Every endpoint answers bad input with 400 (or 404 for an unknown id), a stable code, a
 * message naming the field, and writes nothing.
 */
for (const db of databases) {
  describe.skipIf(!available(db))(
    `invalid input to every endpoint [${db.name}${available(db) ? '' : ': skipped, TEST_DATABASE_URL not set'}]`,
    () => {
      let api: ApiFixture
      let memberId: string
      let rewardId: string
      const orderId = 'ord-invalid-base'
      beforeAll(async () => {
        api = await createApiFixture(db)
        memberId = (await api.call('POST', '/api/v1/members', { displayName: 'Base' })).body.id
        rewardId = (
          await api.call('POST', '/api/v1/rewards', { name: 'r', kind: 'gift', pointsCost: 1 })
        ).body.id
        await api.call('POST', '/api/v1/orders', {
          id: orderId,
          member: { id: memberId },
          amount: 1_000,
        })
      })
      afterAll(async () => {
        await api?.store.cleanup()
      })

      const counts = async () => {
        const tables = [
          'members',
          'orders',
          'refunds',
          'ledgerEntries',
          'rewards',
          'redemptions',
          'coupons',
          'programmeVersions',
          'guestSales',
        ] as const
        const result: Record<string, number> = {}
        for (const table of tables) {
          const row = await api.store.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
          result[table] = Number(row.n)
        }
        return result
      }

      const cases: [string, string, string, () => string, unknown][] = (
        [
          ['POST', 'members', () => '/api/v1/members', {}, 'displayName'],
          ['POST', 'members', () => '/api/v1/members', { displayName: 'x', phone: '12' }, 'phone'],
          [
            'POST',
            'members',
            () => '/api/v1/members',
            { displayName: 'x', phone: 'not a phone' },
            'phone',
          ],
          [
            'POST',
            'members',
            () => '/api/v1/members',
            { displayName: 'x', birthday: '1990-13' },
            'birthday',
          ],
          [
            'POST',
            'members',
            () => '/api/v1/members',
            { displayName: 'x', telegramId: 'abc' },
            'telegramId',
          ],
          [
            'POST',
            'members',
            () => '/api/v1/members',
            { displayName: 'x', marketingConsent: 'yes' },
            'marketingConsent',
          ],
          ['GET', 'members', () => '/api/v1/members', undefined, 'query'],
          ['GET', 'members', () => '/api/v1/members?phone=1&code=2', undefined, 'query'],
          [
            'PATCH',
            'members/{id}',
            () => `/api/v1/members/${memberId}`,
            { gender: 'robot' },
            'gender',
          ],
          [
            'PATCH',
            'members/{id}',
            () => `/api/v1/members/${memberId}`,
            { tierFloorCode: 'platinum' },
            'tierFloorCode',
          ],
          [
            'GET',
            'members/{id}/ledger',
            () => `/api/v1/members/${memberId}/ledger?limit=0`,
            undefined,
            'limit',
          ],
          [
            'GET',
            'members/{id}/ledger',
            () => `/api/v1/members/${memberId}/ledger?cursor=abc`,
            undefined,
            'cursor',
          ],
          [
            'POST',
            'members/{id}/adjustments',
            () => `/api/v1/members/${memberId}/adjustments`,
            { points: 0, reason: 'x' },
            'points',
          ],
          [
            'POST',
            'members/{id}/adjustments',
            () => `/api/v1/members/${memberId}/adjustments`,
            { points: 1.5, reason: 'x' },
            'points',
          ],
          [
            'POST',
            'members/{id}/adjustments',
            () => `/api/v1/members/${memberId}/adjustments`,
            { points: 10 },
            'reason',
          ],
          ['POST', 'orders', () => '/api/v1/orders', { member: { id: 'x' }, amount: 1 }, 'id'],
          [
            'POST',
            'orders',
            () => '/api/v1/orders',
            { id: 'o-bad-1', member: { id: 'x' }, amount: 12.5 },
            'amount',
          ],
          [
            'POST',
            'orders',
            () => '/api/v1/orders',
            { id: 'o-bad-2', member: { id: 'x' }, amount: -1 },
            'amount',
          ],
          [
            'POST',
            'orders',
            () => '/api/v1/orders',
            { id: 'o-bad-3', member: {}, amount: 1 },
            'member',
          ],
          [
            'POST',
            'orders',
            () => '/api/v1/orders',
            { id: 'o-bad-4', member: { id: 'x' }, amount: '100' },
            'amount',
          ],
          [
            'POST',
            'orders',
            () => '/api/v1/orders',
            { id: 'o-bad-5', member: { id: 'x' }, amount: 1, placedAt: 'yesterday' },
            'placedAt',
          ],
          [
            'POST',
            'orders',
            () => '/api/v1/orders',
            {
              id: 'o-bad-6',
              member: { id: 'x' },
              amount: 1,
              items: [{ sku: 'A', quantity: 0, unitPrice: 1 }],
            },
            'items.0.quantity',
          ],
          [
            'POST',
            'orders',
            () => '/api/v1/orders',
            { id: 'o-bad-7', member: { code: 'ANYONE' }, amount: 1, currency: 'USD' },
            'currency',
          ],
          [
            'POST',
            'orders',
            () => '/api/v1/orders',
            {
              id: 'o-bad-8',
              member: { code: 'ANYONE' },
              amount: 100,
              items: [{ sku: 'A', quantity: 1, unitPrice: 100 }],
              discount: 101,
              shipping: 101,
            },
            'discount',
          ],
          [
            'POST',
            'orders',
            () => '/api/v1/orders',
            { id: 'o-bad-9', amount: 100, shipping: 101 },
            'shipping',
          ],
          [
            'POST',
            'orders',
            () => '/api/v1/orders',
            { id: 'o-bad-10', member: { code: 'ANYONE' }, amount: 1, discount: -1 },
            'discount',
          ],
          [
            'POST',
            'orders/{id}/refunds',
            () => `/api/v1/orders/${orderId}/refunds`,
            { amount: 0 },
            'amount',
          ],
          ['POST', 'orders/{id}/refunds', () => `/api/v1/orders/${orderId}/refunds`, {}, 'amount'],
          [
            'POST',
            'rewards',
            () => '/api/v1/rewards',
            { name: 'x', kind: 'spaceship', pointsCost: 1 },
            'kind',
          ],
          [
            'POST',
            'rewards',
            () => '/api/v1/rewards',
            { name: 'x', kind: 'gift', pointsCost: -5 },
            'pointsCost',
          ],
          [
            'POST',
            'rewards',
            () => '/api/v1/rewards',
            { name: 'x', kind: 'tier_upgrade', pointsCost: 5 },
            'tierCode',
          ],
          [
            'POST',
            'rewards',
            () => '/api/v1/rewards',
            { name: 'x', kind: 'gift', pointsCost: 5, minTierCode: 'nope' },
            'minTierCode',
          ],
          ['PATCH', 'rewards/{id}', () => `/api/v1/rewards/${rewardId}`, { stock: -1 }, 'stock'],
          ['GET', 'rewards', () => '/api/v1/rewards?active=maybe', undefined, 'active'],
          [
            'POST',
            'members/{id}/redemptions',
            () => `/api/v1/members/${memberId}/redemptions`,
            {},
            'rewardId',
          ],
          ['PUT', 'programme', () => '/api/v1/programme', { name: 'x' }, 'name'],
        ] as const
      ).map(([method, label, path, body, field]) => [method, label, field, path, body])

      it.each(cases)(
        '%s /%s with a bad %s answers 400 naming it and writes nothing',
        async (method, _label, field, path, body) => {
          const before = await counts()
          const res = await api.call(method, path(), body)
          expect(res.status).toBe(400)
          expect(res.body.error.code).toBe('invalid_input')
          expect(res.body.error.details.field).toBe(field)
          expect(res.body.error.message).toContain(field)
          expect(await counts()).toEqual(before)
        },
      )

      it.each([
        ['order_in_future', 'placedAt', { placedAt: '2999-01-01T00:00:00Z' }],
        ['order_too_old', 'placedAt', { placedAt: '2024-01-01T00:00:00Z' }],
        [
          'order_lines_mismatch',
          'items',
          { items: [{ sku: 'A', quantity: 1, unitPrice: 99 }], discount: 1, shipping: 1 },
        ],
      ] as const)(
        'a sale the till may not claim answers 400 %s naming %s and writes nothing',
        async (code, field, claim) => {
          const before = await counts()
          for (const member of [{ member: { id: memberId } }, {}]) {
            const res = await api.call('POST', '/api/v1/orders', {
              id: `o-claim-${code}`,
              ...member,
              amount: 100,
              ...claim,
            })
            expect(res.status).toBe(400)
            expect(res.body.error).toMatchObject({ code, details: { field } })
            expect(res.body.error.message).toContain(field === 'items' ? '99' : 'placed')
          }
          expect(await counts()).toEqual(before)
        },
      )

      const window = () => ({
        opensAt: new Date(api.clock.now().getTime() - 60_000).toISOString(),
        closesAt: new Date(api.clock.now().getTime() + 86_400_000).toISOString(),
      })
      const lottery = (extra: Record<string, unknown>, prize: Record<string, unknown> = {}) => ({
        title: 'x',
        costPoints: 1,
        ...window(),
        prizes: [{ name: 'p', kind: 'points', points: 1, weight: 1, ...prize }],
        ...extra,
      })
      it.each([
        [
          'a reward',
          'stock',
          '/api/v1/rewards',
          () => ({ name: 'x', kind: 'gift', pointsCost: 1 }),
        ],
        [
          'a reward',
          'perMemberLimit',
          '/api/v1/rewards',
          () => ({ name: 'x', kind: 'gift', pointsCost: 1 }),
        ],
        ['a lottery', 'maxDrawsPerMember', '/api/v1/lotteries', () => lottery({})],
        ['a lottery', 'maxDrawsPerDay', '/api/v1/lotteries', () => lottery({})],
      ] as const)(
        '%s with a %s of 2^31, more than the database counts, is refused with 400 naming it',
        async (_what, field, path, body) => {
          const before = await counts()
          const res = await api.call('POST', path, { ...body(), [field]: 2 ** 31 })
          expect([res.status, res.body.error.code, res.body.error.details.field]).toEqual([
            400,
            'invalid_input',
            field,
          ])
          expect(await counts()).toEqual(before)
        },
      )

      it('a reward patched to a stock of 2^31 is refused with 400 naming stock', async () => {
        const res = await api.call('PATCH', `/api/v1/rewards/${rewardId}`, { stock: 2 ** 31 })
        expect([res.status, res.body.error.details.field]).toEqual([400, 'stock'])
      })

      it('a lottery prize with a stock of 2^31 is refused with 400 naming it', async () => {
        const res = await api.call('POST', '/api/v1/lotteries', lottery({}, { stock: 2 ** 31 }))
        expect([res.status, res.body.error.details.field]).toEqual([400, 'prizes.0.stock'])
      })

      it.each([
        [
          'POST',
          '/api/v1/rewards',
          'name.en',
          { name: { 'zh-CN': '礼品', en: 'a\u0000b' }, kind: 'gift', pointsCost: 1 },
        ],
        ['POST', '/api/v1/orders', 'id', { id: 'o-nul\u0000', amount: 1 }],
        ['POST', '/api/v1/segments', 'name', { name: 'a\u0000', filter: {} }],
        ['GET', '/api/v1/members?phone=%00', 'phone', undefined],
        ['GET', '/api/v1/orders/o%00', 'id', undefined],
      ] as const)(
        'text with a NUL character (U+0000) is refused: %s %s answers 400 naming %s',
        async (method, path, field, body) => {
          const before = await counts()
          const res = await api.call(method, path, body)
          expect([res.status, res.body.error?.code, res.body.error?.details?.field]).toEqual([
            400,
            'invalid_input',
            field,
          ])
          expect(await counts()).toEqual(before)
        },
      )

      it.each([
        '/api/v1/members',
        '/api/v1/orders',
        '/api/v1/rewards',
        `/api/v1/orders/${orderId}/refunds`,
      ])('malformed JSON to %s is a 400 with a JSON error body', async (path) => {
        const res = await api.call('POST', path, '{"displayName": ')
        expect(res.status).toBe(400)
        expect(res.body.error.code).toBe('invalid_input')
      })

      it('a body that is not JSON at all is a 415 saying to send JSON', async () => {
        const response = await api.app.request('/api/v1/orders', {
          method: 'POST',
          headers: { authorization: `Bearer ${api.adminKey}`, 'content-type': 'text/plain' },
          body: 'id=1',
        })
        expect(response.status).toBe(415)
        expect(((await response.json()) as { error: unknown }).error).toMatchObject({
          code: 'unsupported_media_type',
          message: expect.stringContaining('application/json'),
        })
      })

      const unknownTargets: [string, () => string, string][] = [
        ['GET', () => '/api/v1/members/mem_missing', 'member_not_found'],
        ['PATCH', () => '/api/v1/members/mem_missing', 'member_not_found'],
        ['GET', () => '/api/v1/members/mem_missing/ledger', 'member_not_found'],
        ['POST', () => '/api/v1/members/mem_missing/adjustments', 'member_not_found'],
        ['POST', () => '/api/v1/members/mem_missing/redemptions', 'member_not_found'],
        ['GET', () => '/api/v1/members/mem_missing/coupons', 'member_not_found'],
        ['GET', () => '/api/v1/orders/nope', 'order_not_found'],
        ['POST', () => '/api/v1/orders/nope/refunds', 'order_not_found'],
        ['GET', () => '/api/v1/rewards/nope', 'reward_not_found'],
        ['PATCH', () => '/api/v1/rewards/nope', 'reward_not_found'],
        ['DELETE', () => '/api/v1/rewards/nope', 'reward_not_found'],
        ['POST', () => `/api/v1/members/${memberId}/redemptions`, 'reward_not_found'],
        ['GET', () => '/api/v1/coupons/NOPE', 'coupon_not_found'],
        ['POST', () => '/api/v1/coupons/NOPE/use', 'coupon_not_found'],
      ]
      it.each(unknownTargets)(
        '%s %s of something unknown is a 404 %s',
        async (method, path, code) => {
          const bodies: Record<string, unknown> = {
            PATCH: { region: 'x' },
            POST: path().endsWith('adjustments')
              ? { points: 1, reason: 'x' }
              : path().endsWith('refunds')
                ? { amount: 1 }
                : path().endsWith('redemptions')
                  ? { rewardId: 'nope' }
                  : undefined,
          }
          const res = await api.call(method, path(), bodies[method], {
            headers: { 'idempotency-key': randomUUID() },
          })
          expect(res.status).toBe(404)
          expect(res.body.error.code).toBe(code)
        },
      )

      it('an order for an unknown member is a 404 and is not recorded', async () => {
        const res = await api.call('POST', '/api/v1/orders', {
          id: 'o-ghost',
          member: { phone: '13900000099' },
          amount: 100,
        })
        expect(res.status).toBe(404)
        expect(res.body.error.code).toBe('member_not_found')
        expect((await api.call('GET', '/api/v1/orders/o-ghost')).status).toBe(404)
      })
    },
  )
}
