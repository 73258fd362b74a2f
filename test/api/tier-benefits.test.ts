import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultProgramme } from '../../db/seed/default-programme.ts'
import { type ApiFixture, createApiFixture } from '../helpers/api.ts'
import { available, databases } from '../helpers/db.ts'
import { programmeWith } from '../helpers/domain.ts'

const GOLD_BENEFITS = [
  { kind: 'discount', basisPoints: 1_000 },
  { kind: 'member_prices', prices: { 'TEA-1': 4_500 } },
  { kind: 'free_shipping' },
  // A label alone, as programmes saved before benefits were data wrote every benefit.
  { 'zh-CN': '专属客服', en: 'Priority service' },
]

/** Bo's order at gold: two teas at the member price, a cup, 10% off part of it, free delivery. */
const GOLD_ORDER = {
  id: 'B-1',
  amount: 18_000,
  items: [
    { sku: 'TEA-1', quantity: 2, unitPrice: 4_500 },
    { sku: 'CUP', quantity: 1, unitPrice: 10_000 },
  ],
  discount: 1_000,
  benefits: [
    { kind: 'discount', amount: 1_000 },
    { kind: 'member_price', sku: 'TEA-1', amount: 1_000 },
    { kind: 'free_shipping', amount: 800 },
  ],
}

for (const db of databases) {
  describe.skipIf(!available(db))(
    `tier benefits at the till [${db.name}${available(db) ? '' : ': skipped, TEST_DATABASE_URL not set'}]`,
    () => {
      let api: ApiFixture
      let ana = ''
      let bo = ''
      const benefitRows = async (orderId: string) =>
        api.store.db
          .selectFrom('orderBenefits')
          .selectAll()
          .where('orderId', '=', orderId)
          .orderBy('position')
          .execute()

      beforeAll(async () => {
        api = await createApiFixture(db)
        await api.domain.programme.replace(
          programmeWith({
            tiers: [
              {
                code: 'member',
                name: { 'zh-CN': '普通会员', en: 'Member' },
                threshold: 0,
                benefits: [{ kind: 'other', label: { 'zh-CN': '生日礼', en: 'Birthday gift' } }],
              },
              {
                code: 'gold',
                name: { 'zh-CN': '金卡会员', en: 'Gold' },
                threshold: 10_000,
                benefits: GOLD_BENEFITS,
              },
            ],
          }),
        )
        for (const [i, displayName] of ['Ana', 'Bo'].entries()) {
          const created = await api.call('POST', '/api/v1/members', {
            displayName,
            marketingConsent: false,
            telegramId: String(7_000 + i),
          })
          if (i === 0) ana = created.body.id
          else bo = created.body.id
        }
        // Bo's first order reaches gold; it earns, and claims, at the tier before it.
        const first = await api.call('POST', '/api/v1/orders', {
          id: 'B-0',
          member: { id: bo },
          amount: 20_000,
        })
        expect(first.body).toMatchObject({ tierBefore: 'member', tierAfter: 'gold', benefits: [] })
      })
      afterAll(async () => {
        await api?.store.cleanup()
      })

      it('a member of the first tier gets its perks only: no discount, member price or free shipping', async () => {
        const response = await api.call('GET', `/api/v1/members/${ana}/benefits`, undefined, {
          key: api.posKey,
        })
        expect(response.status).toBe(200)
        expect(response.body).toEqual({
          memberId: ana,
          tier: { code: 'member', name: { 'zh-CN': '普通会员', en: 'Member' } },
          currency: 'CNY',
          discount: null,
          memberPrices: [],
          freeShipping: false,
          others: [{ 'zh-CN': '生日礼', en: 'Birthday gift' }],
          labels: [{ 'zh-CN': '生日礼', en: 'Birthday gift' }],
        })
      })

      it('a gold member gets the discount, member prices, free shipping and the other perks, in both languages', async () => {
        const response = await api.call('GET', `/api/v1/members/${bo}/benefits`, undefined, {
          key: api.posKey,
        })
        expect(response.status).toBe(200)
        expect(response.body).toEqual({
          memberId: bo,
          tier: { code: 'gold', name: { 'zh-CN': '金卡会员', en: 'Gold' } },
          currency: 'CNY',
          discount: {
            basisPoints: 1_000,
            label: { 'zh-CN': '会员9折', en: '10% member discount' },
          },
          memberPrices: [{ sku: 'TEA-1', price: 4_500 }],
          freeShipping: true,
          others: [{ 'zh-CN': '专属客服', en: 'Priority service' }],
          labels: [
            { 'zh-CN': '会员9折', en: '10% member discount' },
            { 'zh-CN': '1件商品享会员价', en: 'Member prices on 1 product' },
            { 'zh-CN': '免运费', en: 'Free shipping' },
            { 'zh-CN': '专属客服', en: 'Priority service' },
          ],
        })
        // The member view and the chat read the same words.
        const member = await api.call('GET', `/api/v1/members/${bo}`)
        expect(member.body.tier.benefits).toEqual(response.body.labels)
      })

      it('the benefits are read by staff only, and for a member who exists', async () => {
        const anonymous = await api.call('GET', `/api/v1/members/${bo}/benefits`, undefined, {
          key: null,
        })
        expect(anonymous.status).toBe(401)
        const unknown = await api.call('GET', '/api/v1/members/nobody/benefits')
        expect(unknown.status).toBe(404)
        expect(unknown.body.error.code).toBe('member_not_found')
      })

      it('an order with the benefits its tier grants is recorded with them and reported by tier', async () => {
        const response = await api.call(
          'POST',
          '/api/v1/orders',
          { ...GOLD_ORDER, member: { id: bo } },
          { key: api.posKey },
        )
        expect(response.status).toBe(201)
        expect(response.body).toMatchObject({
          tierBefore: 'gold',
          benefits: GOLD_ORDER.benefits,
        })
        expect(await benefitRows('B-1')).toEqual([
          expect.objectContaining({ tierCode: 'gold', kind: 'discount', sku: null, amount: 1_000 }),
          expect.objectContaining({ kind: 'member_price', sku: 'TEA-1', amount: 1_000 }),
          expect.objectContaining({ kind: 'free_shipping', sku: null, amount: 800 }),
        ])
        const recorded = await api.call('GET', '/api/v1/orders/B-1')
        expect(recorded.body).toMatchObject({ tierCode: 'gold', benefits: GOLD_ORDER.benefits })
        await api.call('POST', '/api/v1/orders', { id: 'A-1', member: { id: ana }, amount: 5_000 })

        const report = await api.call('GET', '/api/v1/reports/tiers')
        expect(report.status).toBe(200)
        expect(report.body.currency).toBe('CNY')
        expect(report.body.items).toEqual([
          {
            tierCode: 'member',
            name: { 'zh-CN': '普通会员', en: 'Member' },
            orders: 2,
            sales: 25_000,
            cost: { discount: 0, member_price: 0, free_shipping: 0, total: 0 },
            costShare: 0,
          },
          {
            tierCode: 'gold',
            name: { 'zh-CN': '金卡会员', en: 'Gold' },
            orders: 1,
            sales: 18_000,
            cost: { discount: 1_000, member_price: 1_000, free_shipping: 800, total: 2_800 },
            costShare: 15.56,
          },
        ])

        // Half of it goes back: sales and what the benefits cost both lose half.
        const refund = await api.call('POST', '/api/v1/orders/B-1/refunds', {
          id: 'B-1-R',
          amount: 9_000,
        })
        expect(refund.status).toBe(201)
        const after = await api.call('GET', '/api/v1/reports/tiers?format=csv')
        expect(after.status).toBe(200)
        expect(after.body).toContain('gold,金卡会员,Gold,1,9000,500,500,400,1400,15.56')
        const denied = await api.call('GET', '/api/v1/reports/tiers', undefined, {
          key: api.posKey,
        })
        expect(denied.status).toBe(403)
      })

      it("an order claiming a discount the member's tier does not grant is refused and records nothing", async () => {
        const before = await api.call('GET', `/api/v1/members/${ana}`)
        const response = await api.call('POST', '/api/v1/orders', {
          id: 'A-X',
          member: { id: ana },
          amount: 9_000,
          benefits: [{ kind: 'discount', amount: 1_000 }],
        })
        expect(response.status).toBe(409)
        expect(response.body.error).toMatchObject({
          code: 'benefit_not_granted',
          details: { field: 'benefits', kind: 'discount', reason: 'not_in_tier', tier: 'member' },
        })
        expect((await api.call('GET', '/api/v1/orders/A-X')).status).toBe(404)
        expect(await benefitRows('A-X')).toEqual([])
        const after = await api.call('GET', `/api/v1/members/${ana}`)
        expect(after.body.points).toEqual(before.body.points)
      })

      it('an order whose last benefit goes beyond the tier is refused whole, its valid benefits too', async () => {
        const overRate = await api.call('POST', '/api/v1/orders', {
          id: 'B-X',
          member: { id: bo },
          amount: 5_000,
          items: [{ sku: 'CUP', quantity: 1, unitPrice: 10_000 }],
          discount: 5_000,
          benefits: [{ kind: 'discount', amount: 5_000 }],
        })
        expect(overRate.status).toBe(409)
        expect(overRate.body.error.details).toMatchObject({ reason: 'over_rate', allowed: 1_000 })
        const noSuchPrice = await api.call('POST', '/api/v1/orders', {
          id: 'B-X',
          member: { id: bo },
          amount: 9_000,
          items: [{ sku: 'CUP', quantity: 1, unitPrice: 10_000 }],
          discount: 1_000,
          benefits: [
            { kind: 'discount', amount: 900 },
            { kind: 'member_price', sku: 'CUP', amount: 100 },
          ],
        })
        expect(noSuchPrice.status).toBe(409)
        expect(noSuchPrice.body.error.details).toMatchObject({
          kind: 'member_price',
          sku: 'CUP',
          reason: 'not_in_tier',
        })
        const shippingCharged = await api.call('POST', '/api/v1/orders', {
          id: 'B-X',
          member: { id: bo },
          amount: 9_500,
          shipping: 500,
          benefits: [{ kind: 'free_shipping', amount: 500 }],
        })
        expect(shippingCharged.body.error.details).toMatchObject({ reason: 'shipping_charged' })
        expect((await api.call('GET', '/api/v1/orders/B-X')).status).toBe(404)
        expect(await benefitRows('B-X')).toEqual([])
        const guest = await api.call('POST', '/api/v1/orders', {
          id: 'G-X',
          amount: 1_000,
          benefits: [{ kind: 'discount', amount: 100 }],
        })
        expect(guest.status).toBe(409)
        expect(guest.body.error.details).toMatchObject({ reason: 'guest' })
      })

      it('a replay with the same benefits answers the first order; other benefits under its id are refused', async () => {
        const first = await api.call('POST', '/api/v1/orders', {
          ...GOLD_ORDER,
          id: 'B-2',
          member: { id: bo },
        })
        expect(first.status).toBe(201)
        const again = await api.call('POST', '/api/v1/orders', {
          ...GOLD_ORDER,
          id: 'B-2',
          member: { id: bo },
        })
        expect(again.status).toBe(200)
        expect(again.headers.get('Idempotent-Replayed')).toBe('true')
        expect(again.body).toEqual(first.body)
        const other = await api.call('POST', '/api/v1/orders', {
          ...GOLD_ORDER,
          id: 'B-2',
          member: { id: bo },
          benefits: [{ kind: 'discount', amount: 1_000 }],
        })
        expect(other.status).toBe(409)
        expect(other.body.error.code).toBe('idempotency_mismatch')
        expect(await benefitRows('B-2')).toHaveLength(3)
      })

      it('a programme version stored with label-only benefits still reads, each label a perk', async () => {
        const old = structuredClone(defaultProgramme) as unknown as {
          tiers: { code: string; benefits: unknown[] }[]
        }
        old.tiers = old.tiers.slice(0, 1)
        old.tiers[0]!.benefits = [{ 'zh-CN': '免运费', en: 'Free shipping' }]
        const latest = await api.domain.programme.current()
        await api.store.db
          .insertInto('programmeVersions')
          .values({
            version: latest.version + 1,
            config: JSON.stringify(old),
            note: 'as saved before benefits were data',
            createdBy: null,
            createdAt: new Date('2025-01-10T04:00:00Z').toISOString(),
          })
          .execute()
        const programme = await api.call('GET', '/api/v1/programme')
        expect(programme.status).toBe(200)
        expect(programme.body.config.tiers[0].benefits).toEqual([
          { kind: 'other', label: { 'zh-CN': '免运费', en: 'Free shipping' } },
        ])
        const benefits = await api.call('GET', `/api/v1/members/${ana}/benefits`)
        expect(benefits.body).toMatchObject({
          freeShipping: false,
          others: [{ 'zh-CN': '免运费', en: 'Free shipping' }],
        })
      })
    },
  )
}
