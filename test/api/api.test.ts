import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { available, databases } from '../helpers/db.ts'
import { type ApiFixture, createApiFixture } from '../helpers/api.ts'
import { expectLedgerConsistent } from '../helpers/invariants.ts'

for (const db of databases) {
  describe.skipIf(!available(db))(
    `merchant API [${db.name}${available(db) ? '' : ': skipped, TEST_DATABASE_URL not set'}]`,
    () => {
      let api: ApiFixture
      beforeAll(async () => {
        api = await createApiFixture(db)
      })
      afterAll(async () => {
        await api?.store.cleanup()
      })
      /** A fresh Idempotency-Key, as a till that sends one with every write. */
      const keyed = () => ({ headers: { 'idempotency-key': randomUUID() } })
      const grant = (memberId: string, points: number) =>
        api.call(
          'POST',
          `/api/v1/members/${memberId}/adjustments`,
          { points, reason: 'test' },
          keyed(),
        )
      const redeem = (memberId: string, rewardId: string) =>
        api.call('POST', `/api/v1/members/${memberId}/redemptions`, { rewardId }, keyed())
      let n = 0
      const newMember = async (extra: Record<string, unknown> = {}) => {
        const res = await api.call('POST', '/api/v1/members', {
          displayName: `Member ${++n}`,
          ...extra,
        })
        expect(res.status).toBe(201)
        return res.body
      }

      describe('members', () => {
        it('creates a member and finds it by id, phone, code, Telegram id and WeChat id', async () => {
          const created = await newMember({
            phone: '138 0013 8001',
            telegramId: '777001',
            wechatId: 'wxid_a1',
            marketingConsent: true,
          })
          expect(created).toMatchObject({
            phone: '+8613800138001',
            telegramId: '777001',
            wechatId: 'wxid_a1',
            marketingConsent: true,
            tier: { code: 'member' },
            points: { balance: 0, expiringSoon: 0 },
          })
          expect(created.code).toMatch(/^[2-9A-HJ-NP-Z]{8}$/)
          for (const query of [
            'phone=%2B8613800138001',
            'phone=13800138001',
            `code=${created.code}`,
            'telegramId=777001',
            'wechatId=wxid_a1',
          ]) {
            const found = await api.call('GET', `/api/v1/members?${query}`)
            expect(found.status).toBe(200)
            expect(found.body.items.map((m: { id: string }) => m.id)).toEqual([created.id])
          }
          expect((await api.call('GET', `/api/v1/members/${created.id}`)).body.id).toBe(created.id)
          expect((await api.call('GET', '/api/v1/members?phone=13900000000')).body.items).toEqual(
            [],
          )
        })

        it('refuses a second member with the same phone or Telegram id with 409 member_exists', async () => {
          await newMember({ phone: '13800138002', telegramId: '777002' })
          for (const body of [
            { displayName: 'x', phone: '+86 138-0013-8002' },
            { displayName: 'x', telegramId: '777002' },
          ]) {
            const res = await api.call('POST', '/api/v1/members', body)
            expect(res.status).toBe(409)
            expect(res.body.error.code).toBe('member_exists')
          }
        })

        it('updates a member, and only an admin key may', async () => {
          const m = await newMember()
          const pos = await api.call(
            'PATCH',
            `/api/v1/members/${m.id}`,
            { region: 'Shanghai' },
            { key: api.posKey },
          )
          expect(pos.status).toBe(403)
          expect(pos.body.error.code).toBe('forbidden')
          const res = await api.call('PATCH', `/api/v1/members/${m.id}`, {
            region: 'Shanghai',
            birthday: '1990-05-01',
          })
          expect(res.status).toBe(200)
          expect(res.body).toMatchObject({ region: 'Shanghai', birthday: '1990-05-01' })
        })

        it('refuses impossible and future birthdays, and corrects a set birthday only with a reason, recorded', async () => {
          for (const birthday of ['1990-02-30', '2030-01-01']) {
            const created = await api.call('POST', '/api/v1/members', {
              displayName: 'Bad date',
              birthday,
            })
            expect(created.status).toBe(400)
            expect(created.body.error.details.field).toBe('birthday')
          }
          const m = await newMember({ birthday: '1990-05-01' })
          const future = await api.call('PATCH', `/api/v1/members/${m.id}`, {
            birthday: '2030-01-01',
            reason: 'typo',
          })
          expect(future.status).toBe(400)
          expect(future.body.error.details.field).toBe('birthday')
          const noReason = await api.call('PATCH', `/api/v1/members/${m.id}`, {
            birthday: '1990-06-01',
          })
          expect(noReason.status).toBe(400)
          expect(noReason.body.error.details.field).toBe('reason')
          const corrected = await api.call('PATCH', `/api/v1/members/${m.id}`, {
            birthday: '1990-06-01',
            reason: 'ID card shows 1 June',
          })
          expect(corrected.status).toBe(200)
          expect(corrected.body.birthday).toBe('1990-06-01')
          const changes = await api.store.db
            .selectFrom('memberChanges')
            .select(['field', 'fromValue', 'toValue', 'reason', 'actor'])
            .where('memberId', '=', m.id)
            .execute()
          expect(changes).toEqual([
            {
              field: 'birthday',
              fromValue: '1990-05-01',
              toValue: '1990-06-01',
              reason: 'ID card shows 1 June',
              actor: expect.stringMatching(/^api_key:/),
            },
          ])
        })

        it('records the API key that linked a chat identity to a member', async () => {
          const m = await newMember()
          const res = await api.call('PATCH', `/api/v1/members/${m.id}`, { wechatId: `wx-${m.id}` })
          expect(res.status).toBe(200)
          const admin = (await api.domain.staff.authenticateApiKey(api.adminKey))!
          const identity = await api.store.db
            .selectFrom('memberIdentities')
            .select(['memberId', 'linkedBy'])
            .where('externalId', '=', `wx-${m.id}`)
            .executeTakeFirstOrThrow()
          expect(identity).toEqual({ memberId: m.id, linkedBy: `api_key:${admin.id}` })
        })
      })

      describe('orders and refunds', () => {
        it('earns points, replays the same order id, and refuses the same id with another body', async () => {
          const m = await newMember({ phone: '13800138003' })
          const body = {
            id: `ord-${n}`,
            member: { phone: '13800138003' },
            amount: 25_998,
            items: [{ sku: 'TEA-1', quantity: 2, unitPrice: 12_999 }],
          }
          const first = await api.call('POST', '/api/v1/orders', body)
          expect(first.status).toBe(201)
          expect(first.body).toMatchObject({
            pointsEarned: 259,
            member: { id: m.id, points: { balance: 259 } },
          })
          const replay = await api.call('POST', '/api/v1/orders', body)
          expect(replay.status).toBe(200)
          expect(replay.headers.get('idempotent-replayed')).toBe('true')
          expect(replay.body).toEqual(first.body)
          const mismatch = await api.call('POST', '/api/v1/orders', { ...body, amount: 1 })
          expect(mismatch.status).toBe(409)
          expect(mismatch.body.error.code).toBe('idempotency_mismatch')
          expect((await api.call('GET', `/api/v1/orders/${body.id}`)).body).toMatchObject({
            id: body.id,
            amount: 25_998,
            pointsEarned: 259,
          })
        })

        it('refunds part of an order, once per refund id, and answers 409 beyond the order', async () => {
          const m = await newMember()
          await api.call('POST', '/api/v1/orders', {
            id: `ord-r-${n}`,
            member: { id: m.id },
            amount: 10_000,
          })
          const refund = await api.call(
            'POST',
            `/api/v1/orders/ord-r-${n}/refunds`,
            { amount: 2_500 },
            { headers: { 'idempotency-key': 'rf-1' } },
          )
          expect(refund.status).toBe(201)
          expect(refund.body).toMatchObject({
            pointsReversed: 25,
            refundedAmount: 2_500,
            member: { points: { balance: 75 } },
          })
          const retry = await api.call(
            'POST',
            `/api/v1/orders/ord-r-${n}/refunds`,
            { amount: 2_500 },
            { headers: { 'idempotency-key': 'rf-1' } },
          )
          expect(retry.body.refundedAmount).toBe(2_500)
          const over = await api.call(
            'POST',
            `/api/v1/orders/ord-r-${n}/refunds`,
            {
              amount: 7_501,
            },
            keyed(),
          )
          expect(over.status).toBe(409)
          expect(over.body.error).toMatchObject({
            code: 'refund_exceeds_order',
            details: { refundable: 7_500 },
          })
        })

        it('two identical keyless refunds are refused with 400 idempotency_key_required and nothing is applied', async () => {
          const m = await newMember()
          const orderId = `ord-keyless-${n}`
          await api.call('POST', '/api/v1/orders', {
            id: orderId,
            member: { id: m.id },
            amount: 10_000,
          })
          for (const attempt of [1, 2]) {
            const res = await api.call('POST', `/api/v1/orders/${orderId}/refunds`, {
              amount: 2_500,
            })
            expect(res.status, `attempt ${attempt}`).toBe(400)
            expect(res.body.error.code).toBe('idempotency_key_required')
          }
          expect((await api.call('GET', `/api/v1/orders/${orderId}`)).body.refundedAmount).toBe(0)
          expect((await api.call('GET', `/api/v1/members/${m.id}`)).body.points.balance).toBe(100)
          const sameKey = { headers: { 'idempotency-key': `rf-keyless-${n}` } }
          for (const attempt of [1, 2]) {
            const res = await api.call(
              'POST',
              `/api/v1/orders/${orderId}/refunds`,
              { amount: 2_500 },
              sameKey,
            )
            expect(res.status, `attempt ${attempt}`).toBe(201)
          }
          expect((await api.call('GET', `/api/v1/orders/${orderId}`)).body.refundedAmount).toBe(
            2_500,
          )
          expect((await api.call('GET', `/api/v1/members/${m.id}`)).body.points.balance).toBe(75)
        })

        it('a keyless adjustment, redemption or lottery draw is refused with 400 idempotency_key_required before any write', async () => {
          const m = await newMember()
          const reward = await api.call('POST', '/api/v1/rewards', {
            name: 'cup',
            kind: 'gift',
            pointsCost: 1,
          })
          const lottery = await api.call('POST', '/api/v1/lotteries', {
            title: 'Keyless',
            costPoints: 0,
            freeDrawsPerDay: 5,
            opensAt: new Date(api.clock.now().getTime() - 60_000).toISOString(),
            closesAt: new Date(api.clock.now().getTime() + 86_400_000).toISOString(),
            prizes: [{ name: 'Bonus', kind: 'points', points: 5, weight: 1 }],
          })
          expect(lottery.status, JSON.stringify(lottery.body)).toBe(201)
          const before = (await api.call('GET', `/api/v1/members/${m.id}/ledger`)).body.items.length
          for (const [path, body] of [
            [`/api/v1/members/${m.id}/adjustments`, { points: 100, reason: 'keyless' }],
            [`/api/v1/members/${m.id}/redemptions`, { rewardId: reward.body.id }],
            [`/api/v1/members/${m.id}/draws`, { lotteryId: lottery.body.id }],
          ] as const) {
            const res = await api.call('POST', path, body)
            expect(res.status, path).toBe(400)
            expect(res.body.error.code, path).toBe('idempotency_key_required')
          }
          expect((await api.call('GET', `/api/v1/members/${m.id}/ledger`)).body.items).toHaveLength(
            before,
          )
          expect(
            (await api.call('GET', `/api/v1/lotteries/${lottery.body.id}/draws`)).body.items,
          ).toEqual([])
        })

        it('a till (pos key) records orders', async () => {
          const m = await newMember()
          const res = await api.call(
            'POST',
            '/api/v1/orders',
            { id: `ord-pos-${n}`, member: { code: m.code }, amount: 100 },
            { key: api.posKey },
          )
          expect(res.status).toBe(201)
        })
      })

      describe('what a till may claim, for orders and guest sales alike', () => {
        const minutes = (m: number) => new Date(api.clock.now().getTime() + m * 60_000)
        const days = (d: number) => minutes(d * 24 * 60)
        const sale = async (kind: 'order' | 'guest', body: Record<string, unknown>) => {
          const member = kind === 'order' ? { member: { id: (await newMember()).id } } : {}
          return api.call('POST', '/api/v1/orders', {
            id: `till-${kind}-${++n}`,
            ...member,
            ...body,
          })
        }

        it.each(['order', 'guest'] as const)(
          'a %s dated 10 minutes ahead is refused as order_in_future, 4 minutes ahead is accepted',
          async (kind) => {
            const ahead = await sale(kind, { amount: 100, placedAt: minutes(10).toISOString() })
            expect(ahead.status).toBe(400)
            expect(ahead.body.error).toMatchObject({
              code: 'order_in_future',
              details: { field: 'placedAt' },
            })
            const skewed = await sale(kind, { amount: 100, placedAt: minutes(4).toISOString() })
            expect(skewed.status).toBe(201)
          },
        )

        it.each(['order', 'guest'] as const)(
          'a %s 31 days old is refused as order_too_old pointing to the import, 29 days old is accepted',
          async (kind) => {
            const old = await sale(kind, { amount: 100, placedAt: days(-31).toISOString() })
            expect(old.status).toBe(400)
            expect(old.body.error).toMatchObject({
              code: 'order_too_old',
              details: { field: 'placedAt', backdatingDays: 30 },
            })
            expect(old.body.error.message).toContain('import')
            const recent = await sale(kind, { amount: 100, placedAt: days(-29).toISOString() })
            expect(recent.status).toBe(201)
          },
        )

        it('a programme with a 90-day back-dating window accepts an order 60 days old, and an old order can still be refunded', async () => {
          const refused = await sale('order', { amount: 1_000, placedAt: days(-60).toISOString() })
          expect(refused.body.error.code).toBe('order_too_old')
          const current = await api.call('GET', '/api/v1/programme')
          const none = await api.call('PUT', '/api/v1/programme', {
            ...current.body.config,
            orders: { backdatingDays: 0 },
          })
          expect(none.body.error.details.field).toBe('orders.backdatingDays')
          const longer = await api.call('PUT', '/api/v1/programme', {
            ...current.body.config,
            orders: { backdatingDays: 90 },
          })
          expect(longer.status).toBe(200)
          const old = await sale('order', { amount: 1_000, placedAt: days(-60).toISOString() })
          expect(old.status).toBe(201)
          await api.call('PUT', '/api/v1/programme', current.body.config)
          const refund = await api.call('POST', `/api/v1/orders/${old.body.orderId}/refunds`, {
            id: `rf-old-${n}`,
            amount: 1_000,
          })
          expect(refund.status).toBe(201)
        })

        it.each(['order', 'guest'] as const)(
          'a %s whose lines 100 + 200 − discount 50 + shipping 10 make 260 is accepted, 270 is refused naming both sums',
          async (kind) => {
            const items = [
              { sku: 'A', quantity: 1, unitPrice: 100 },
              { sku: 'B', quantity: 2, unitPrice: 100 },
            ]
            const body = { items, discount: 50, shipping: 10 }
            const wrong = await sale(kind, { ...body, amount: 270 })
            expect(wrong.status).toBe(400)
            expect(wrong.body.error).toMatchObject({
              code: 'order_lines_mismatch',
              details: { field: 'items', sum: 260, amount: 270 },
            })
            expect(wrong.body.error.message).toContain('260')
            expect(wrong.body.error.message).toContain('270')
            expect((await sale(kind, { ...body, amount: 260 })).status).toBe(201)
          },
        )
      })

      describe('ledger and adjustments', () => {
        it('pages a member’s ledger newest first with a cursor', async () => {
          const m = await newMember()
          for (let i = 1; i <= 5; i++) {
            await api.call(
              'POST',
              `/api/v1/members/${m.id}/adjustments`,
              {
                points: i,
                reason: `gift ${i}`,
              },
              keyed(),
            )
          }
          const page1 = await api.call('GET', `/api/v1/members/${m.id}/ledger?limit=3`)
          expect(page1.body.items.map((e: { points: number }) => e.points)).toEqual([5, 4, 3])
          expect(page1.body.items[0]).toMatchObject({
            kind: 'adjust',
            reason: 'manual',
            note: 'gift 5',
            balanceAfter: 15,
          })
          const page2 = await api.call(
            'GET',
            `/api/v1/members/${m.id}/ledger?limit=3&cursor=${page1.body.nextCursor}`,
          )
          expect(page2.body.items.map((e: { points: number }) => e.points)).toEqual([2, 1])
          expect(page2.body.nextCursor).toBeNull()
        })

        it('deducts with a reason, never below zero, once per idempotency key', async () => {
          const m = await newMember()
          await api.call(
            'POST',
            `/api/v1/members/${m.id}/adjustments`,
            {
              points: 50,
              reason: 'goodwill',
            },
            keyed(),
          )
          const headers = { 'idempotency-key': 'adj-1' }
          const first = await api.call(
            'POST',
            `/api/v1/members/${m.id}/adjustments`,
            { points: -30, reason: 'correction' },
            { headers },
          )
          const again = await api.call(
            'POST',
            `/api/v1/members/${m.id}/adjustments`,
            { points: -30, reason: 'correction' },
            { headers },
          )
          expect([first.status, again.status]).toEqual([201, 200])
          expect(again.body.member.points.balance).toBe(20)
          const tooMuch = await api.call(
            'POST',
            `/api/v1/members/${m.id}/adjustments`,
            {
              points: -21,
              reason: 'x',
            },
            keyed(),
          )
          expect(tooMuch.status).toBe(409)
          expect(tooMuch.body.error.code).toBe('insufficient_points')
          const pos = await api.call(
            'POST',
            `/api/v1/members/${m.id}/adjustments`,
            { points: 5, reason: 'x' },
            { key: api.posKey },
          )
          expect(pos.status).toBe(403)
        })
      })

      describe('rewards, redemptions and coupons', () => {
        it('creates a coupon reward, redeems it for a code, verifies and uses the code once', async () => {
          const reward = await api.call('POST', '/api/v1/rewards', {
            name: '¥10 off',
            kind: 'coupon',
            pointsCost: 100,
            stock: 3,
            value: 1_000,
            validDays: 30,
          })
          expect(reward.status).toBe(201)
          const m = await newMember()
          await grant(m.id, 150)
          const redemption = await redeem(m.id, reward.body.id)
          expect(redemption.status).toBe(201)
          expect(redemption.body.couponCode).toMatch(/^[2-9A-HJ-NP-Z]{10}$/)
          expect(redemption.body.member.points.balance).toBe(50)
          const code = redemption.body.couponCode
          expect(
            (await api.call('GET', `/api/v1/coupons/${code}`, undefined, { key: api.posKey })).body
              .status,
          ).toBe('issued')
          const used = await api.call(
            'POST',
            `/api/v1/coupons/${code.toLowerCase()}/use`,
            undefined,
            { key: api.posKey },
          )
          expect(used.status).toBe(200)
          expect(used.body.status).toBe('used')
          const twice = await api.call('POST', `/api/v1/coupons/${code}/use`, undefined, {
            key: api.posKey,
          })
          expect(twice.status).toBe(409)
          expect(twice.body.error.code).toBe('coupon_used')
          expect((await api.call('GET', '/api/v1/coupons/NOSUCHCODE')).status).toBe(404)
          expect(
            (await api.call('GET', `/api/v1/members/${m.id}/coupons`)).body.items,
          ).toHaveLength(1)
        })

        it('a coupon use retried with the same Idempotency-Key answers the first use; another key is refused', async () => {
          const reward = await api.call('POST', '/api/v1/rewards', {
            name: 'tea voucher',
            kind: 'coupon',
            pointsCost: 1,
            value: 500,
          })
          const m = await newMember()
          await grant(m.id, 10)
          const first = (await redeem(m.id, reward.body.id)).body.couponCode as string
          const second = (await redeem(m.id, reward.body.id)).body.couponCode as string
          const use = (code: string, key?: string) =>
            api.call('POST', `/api/v1/coupons/${code}/use`, undefined, {
              key: api.posKey,
              headers: key ? { 'idempotency-key': key } : {},
            })
          const taps = await Promise.all([use(first, 'tap-a'), use(first, 'tap-a')])
          expect(taps.map((r) => r.status)).toEqual([200, 200])
          expect(taps[1].body).toEqual(taps[0].body)
          expect(taps[0].body.status).toBe('used')
          expect((await use(first, 'tap-a')).body.usedAt).toBe(taps[0].body.usedAt)
          const other = await use(first, 'tap-b')
          expect(other.status).toBe(409)
          expect(other.body.error.code).toBe('coupon_used')
          expect((await use(first)).body.error.code).toBe('coupon_used')
          const reused = await use(second, 'tap-a')
          expect(reused.status).toBe(409)
          expect(reused.body.error.code).toBe('idempotency_mismatch')
          expect((await api.call('GET', `/api/v1/coupons/${second}`)).body.status).toBe('issued')
        })

        it('answers 409 insufficient_points and out_of_stock', async () => {
          const reward = await api.call('POST', '/api/v1/rewards', {
            name: 'scarf',
            kind: 'gift',
            pointsCost: 10,
            stock: 0,
          })
          const pricey = await api.call('POST', '/api/v1/rewards', {
            name: 'bike',
            kind: 'gift',
            pointsCost: 1_000_000,
          })
          const m = await newMember()
          await grant(m.id, 20)
          const out = await redeem(m.id, reward.body.id)
          expect(out.status).toBe(409)
          expect(out.body.error.code).toBe('out_of_stock')
          const short = await redeem(m.id, pricey.body.id)
          expect(short.status).toBe(409)
          expect(short.body.error).toMatchObject({
            code: 'insufficient_points',
            details: { balance: 20, required: 1_000_000 },
          })
        })

        it('lists the active rewards as one member sees them, each with why they cannot redeem it now', async () => {
          const cheap = await api.call('POST', '/api/v1/rewards', {
            name: { 'zh-CN': '贴纸', en: 'Sticker' },
            kind: 'gift',
            pointsCost: 5,
          })
          const dear = await api.call('POST', '/api/v1/rewards', {
            name: 'kettle',
            kind: 'gift',
            pointsCost: 500,
          })
          const retired = await api.call('POST', '/api/v1/rewards', {
            name: 'old mug',
            kind: 'gift',
            pointsCost: 1,
            active: false,
          })
          const m = await newMember()
          await grant(m.id, 50)
          const offers = await api.call('GET', `/api/v1/members/${m.id}/rewards`, undefined, {
            key: api.posKey,
          })
          expect(offers.status).toBe(200)
          const mine = new Map(
            (offers.body.items as { id: string; refusal: { code: string } | null }[]).map((r) => [
              r.id,
              r,
            ]),
          )
          expect(mine.get(cheap.body.id)).toMatchObject({
            name: { 'zh-CN': '贴纸', en: 'Sticker' },
            refusal: null,
          })
          expect(mine.get(dear.body.id)?.refusal).toMatchObject({ code: 'insufficient_points' })
          expect(mine.has(retired.body.id)).toBe(false)
          expect((await api.call('GET', '/api/v1/members/mem_nobody/rewards')).status).toBe(404)
        })

        it('a retried redemption with the same Idempotency-Key redeems once', async () => {
          const reward = await api.call('POST', '/api/v1/rewards', {
            name: 'pen',
            kind: 'gift',
            pointsCost: 10,
          })
          const m = await newMember()
          await grant(m.id, 100)
          const headers = { 'idempotency-key': 'tap-1' }
          const results = await Promise.all(
            [1, 2, 3].map(() =>
              api.call(
                'POST',
                `/api/v1/members/${m.id}/redemptions`,
                { rewardId: reward.body.id },
                { headers },
              ),
            ),
          )
          expect(new Set(results.map((r) => r.body.id)).size).toBe(1)
          expect((await api.call('GET', `/api/v1/members/${m.id}`)).body.points.balance).toBe(90)
        })

        it('200 concurrent redemptions of a reward with stock 5 award exactly 5 and every balance equals its ledger', async () => {
          const reward = await api.call('POST', '/api/v1/rewards', {
            name: 'limited',
            kind: 'coupon',
            pointsCost: 30,
            stock: 5,
            value: 500,
          })
          const members = await Promise.all(Array.from({ length: 50 }, () => newMember()))
          for (const m of members) await grant(m.id, 100)
          const attempts = Array.from({ length: 200 }, (_, i) => members[i % 50]!).map((m) =>
            redeem(m.id, reward.body.id),
          )
          const results = await Promise.all(attempts)
          const won = results.filter((r) => r.status === 201)
          expect(won).toHaveLength(5)
          expect(
            results
              .filter((r) => r.status === 409)
              .every((r) => ['out_of_stock', 'insufficient_points'].includes(r.body.error.code)),
          ).toBe(true)
          expect(results.filter((r) => r.status !== 201 && r.status !== 409)).toEqual([])
          expect(new Set(won.map((r) => r.body.couponCode)).size).toBe(5)
          expect((await api.call('GET', `/api/v1/rewards/${reward.body.id}`)).body).toMatchObject({
            stock: 0,
            issued: 5,
          })
          await expectLedgerConsistent(api.store.db)
        })

        it('a reward named in both languages is created and changed, and a plain-string name still works as both', async () => {
          const both = await api.call('POST', '/api/v1/rewards', {
            name: { 'zh-CN': '20元券', en: '¥20 voucher' },
            description: { 'zh-CN': '满100可用' },
            kind: 'coupon',
            pointsCost: 100,
            value: 2_000,
          })
          expect(both.status).toBe(201)
          expect(both.body).toMatchObject({
            name: { 'zh-CN': '20元券', en: '¥20 voucher' },
            description: { 'zh-CN': '满100可用', en: '' },
          })
          const renamed = await api.call('PATCH', `/api/v1/rewards/${both.body.id}`, {
            name: { 'zh-CN': '二十元券', en: '¥20 coupon' },
          })
          expect(renamed.body.name).toEqual({ 'zh-CN': '二十元券', en: '¥20 coupon' })
          expect(renamed.body.description).toEqual({ 'zh-CN': '满100可用', en: '' })
          const plain = await api.call('POST', '/api/v1/rewards', {
            name: '保温杯',
            description: '',
            kind: 'gift',
            pointsCost: 10,
          })
          expect(plain.status).toBe(201)
          expect(plain.body).toMatchObject({
            name: { 'zh-CN': '保温杯', en: '保温杯' },
            description: null,
          })
          expect((await api.call('GET', `/api/v1/rewards/${plain.body.id}`)).body.name).toEqual({
            'zh-CN': '保温杯',
            en: '保温杯',
          })
        })

        it('a name in one language is accepted; an empty name in both languages is refused with 400', async () => {
          const one = await api.call('POST', '/api/v1/rewards', {
            name: { en: 'Tea towel' },
            kind: 'gift',
            pointsCost: 10,
          })
          expect(one.status).toBe(201)
          expect(one.body.name).toEqual({ 'zh-CN': '', en: 'Tea towel' })
          for (const name of [{ 'zh-CN': '', en: '  ' }, {}, '']) {
            const empty = await api.call('POST', '/api/v1/rewards', {
              name,
              kind: 'gift',
              pointsCost: 10,
            })
            expect(empty.status).toBe(400)
            expect(empty.body.error.code).toBe('invalid_input')
          }
          const long = await api.call('POST', '/api/v1/rewards', {
            name: { 'zh-CN': '券', en: 'x'.repeat(201) },
            kind: 'gift',
            pointsCost: 10,
          })
          expect(long.status).toBe(400)
          const cleared = await api.call('PATCH', `/api/v1/rewards/${one.body.id}`, {
            name: { 'zh-CN': '', en: '' },
          })
          expect(cleared.status).toBe(400)
        })

        it('only admins change the catalogue; retiring keeps issued codes valid', async () => {
          const pos = await api.call(
            'POST',
            '/api/v1/rewards',
            { name: 'x', kind: 'gift', pointsCost: 1 },
            { key: api.posKey },
          )
          expect(pos.status).toBe(403)
          const reward = await api.call('POST', '/api/v1/rewards', {
            name: 'cup',
            kind: 'gift',
            pointsCost: 0,
          })
          const m = await newMember()
          const redemption = await redeem(m.id, reward.body.id)
          const patched = await api.call('PATCH', `/api/v1/rewards/${reward.body.id}`, {
            pointsCost: 5,
          })
          expect(patched.body.pointsCost).toBe(5)
          expect((await api.call('DELETE', `/api/v1/rewards/${reward.body.id}`)).body.active).toBe(
            false,
          )
          const again = await redeem(m.id, reward.body.id)
          expect(again.body.error.code).toBe('reward_inactive')
          expect(
            (await api.call('GET', `/api/v1/coupons/${redemption.body.couponCode}`)).body.status,
          ).toBe('issued')
          const list = await api.call('GET', '/api/v1/rewards?active=true')
          expect(list.body.items.some((r: { id: string }) => r.id === reward.body.id)).toBe(false)
        })
      })

      describe('programme', () => {
        it('reads the programme, replaces it as a new version, and keeps the history', async () => {
          const current = await api.call('GET', '/api/v1/programme')
          expect(current.body.config.tiers).toHaveLength(4)
          const next = {
            ...current.body.config,
            earning: { ...current.body.config.earning, firstOrderBonus: 88 },
          }
          const replaced = await api.call(
            'PUT',
            '/api/v1/programme?note=first%20order%20bonus',
            next,
          )
          expect(replaced.status).toBe(200)
          expect(replaced.body.version).toBe(current.body.version + 1)
          const versions = await api.call('GET', '/api/v1/programme/versions')
          expect(versions.body.items[0]).toMatchObject({
            version: replaced.body.version,
            note: 'first order bonus',
          })
          const m = await newMember()
          const order = await api.call('POST', '/api/v1/orders', {
            id: `ord-p-${n}`,
            member: { id: m.id },
            amount: 100,
          })
          expect(order.body.breakdown.firstOrderBonus).toBe(88)
          const ledger = await api.call('GET', `/api/v1/members/${m.id}/ledger`)
          expect(ledger.body.items.map((e: { reason: string }) => e.reason).sort()).toEqual([
            'first_order_bonus',
            'order',
          ])
          await api.call('PUT', '/api/v1/programme', current.body.config)
        })

        it('refuses an invalid programme naming the field, and a pos key', async () => {
          const current = await api.call('GET', '/api/v1/programme')
          const bad = await api.call('PUT', '/api/v1/programme', {
            ...current.body.config,
            timezone: 'Mars/Base',
          })
          expect(bad.status).toBe(400)
          expect(bad.body.error.details.field).toBe('timezone')
          expect(
            (await api.call('PUT', '/api/v1/programme', current.body.config, { key: api.posKey }))
              .status,
          ).toBe(403)
          expect((await api.call('GET', '/api/v1/programme')).body.version).toBe(
            current.body.version,
          )
        })
      })

      describe('authentication', () => {
        it('refuses a missing, malformed, unknown or revoked key with 401 JSON', async () => {
          const revoked = await api.domain.staff.createApiKey('old', 'admin')
          await api.domain.staff.revokeApiKey(revoked.record.id)
          for (const key of [null, 'jf_unknown', revoked.key]) {
            const res = await api.call('GET', '/api/v1/rewards', undefined, { key })
            expect(res.status).toBe(401)
            expect(res.body.error.code).toBe('unauthorized')
          }
          const basic = await api.call('GET', '/api/v1/rewards', undefined, {
            key: null,
            headers: { authorization: `Basic ${api.adminKey}` },
          })
          expect(basic.status).toBe(401)
        })

        it('serves /healthz and the OpenAPI document without a key', async () => {
          expect((await api.call('GET', '/healthz', undefined, { key: null })).body).toEqual({
            status: 'ok',
            database: db.name,
          })
          const doc = await api.call('GET', '/api/openapi.json', undefined, { key: null })
          expect(doc.status).toBe(200)
          expect(Object.keys(doc.body.paths)).toEqual(
            expect.arrayContaining([
              '/api/v1/members',
              '/api/v1/orders',
              '/api/v1/orders/{id}/refunds',
              '/api/v1/members/{id}/redemptions',
              '/api/v1/programme',
            ]),
          )
          expect(doc.body.components.schemas.Member).toBeDefined()
        })

        it('answers an unknown route with 404 JSON', async () => {
          const res = await api.call('GET', '/api/v1/nothing-here')
          expect(res.status).toBe(404)
          expect(res.body.error.code).toBe('not_found')
        })
      })
    },
  )
}
