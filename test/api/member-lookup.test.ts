import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ApiFixture, createApiFixture } from '../helpers/api.ts'
import { programmeWith } from '../helpers/domain.ts'
import { available, databases } from '../helpers/db.ts'

for (const db of databases) {
  describe.skipIf(!available(db))(
    `the console's member search, profile and attention lists [${db.name}${available(db) ? '' : ': skipped, TEST_DATABASE_URL not set'}]`,
    () => {
      let api: ApiFixture
      beforeAll(async () => {
        api = await createApiFixture(db)
      })
      afterAll(async () => {
        await api?.store.cleanup()
      })
      const asTill = (path: string) => api.call('GET', path, undefined, { key: api.posKey })
      const join = async (displayName: string, extra: Record<string, unknown> = {}) => {
        const res = await api.call('POST', '/api/v1/members', { displayName, ...extra })
        expect(res.status).toBe(201)
        api.clock.advance(1_000)
        return res.body as { id: string; code: string }
      }

      it('searches active members by part of a name in any case and by a tag, newest first, at most the limit', async () => {
        const anna = await join('Anna Li')
        const hanna = await join('HANNA 王')
        const other = await join('Bob')
        const wildcard = await join('100%_off')
        await api.call('POST', `/api/v1/members/${anna.id}/tags`, { tags: ['vip'] })
        await api.call('POST', `/api/v1/members/${other.id}/tags`, { tags: ['vip'] })

        const names = async (query: string) =>
          ((await asTill(`/api/v1/members?${query}`)).body.items as { id: string }[]).map(
            (m) => m.id,
          )
        expect(await names('name=anna')).toEqual([hanna.id, anna.id])
        expect(await names(`name=${encodeURIComponent('王')}`)).toEqual([hanna.id])
        expect(await names('tag=vip')).toEqual([other.id, anna.id])
        expect(await names('name=ann&tag=vip')).toEqual([anna.id])
        expect(await names('name=ann&limit=1')).toEqual([hanna.id])
        // What staff type is looked for as it is: % and _ are not wildcards.
        expect(await names(`name=${encodeURIComponent('%_')}`)).toEqual([wildcard.id])
        expect(await names(`code=${anna.code}`)).toEqual([anna.id])

        const both = await asTill(`/api/v1/members?code=${anna.code}&name=anna`)
        expect(both.status).toBe(400)
        expect(both.body.error.code).toBe('invalid_input')
        expect((await asTill('/api/v1/members?limit=50&name=a')).status).toBe(400)
        expect((await asTill(`/api/v1/members?name=${'a'.repeat(101)}`)).status).toBe(400)
      })

      it("a member's profile lists their orders, the latest first, and their identities with who linked them and the records merged in", async () => {
        const member = await join('Chen', { telegramId: '900001' })
        const second = await join('Chen on WeChat', { wechatId: 'wxid_chen' })
        for (const [id, amount] of [
          ['o-1', 1_000],
          ['o-2', 2_500],
        ] as const) {
          const order = await api.call(
            'POST',
            '/api/v1/orders',
            { id, member: { id: member.id }, amount },
            { key: api.posKey },
          )
          expect(order.status).toBe(201)
          api.clock.advance(60_000)
        }
        const orders = await asTill(`/api/v1/members/${member.id}/orders`)
        expect(orders.status).toBe(200)
        expect(orders.body.items.map((o: { id: string }) => o.id)).toEqual(['o-2', 'o-1'])
        expect(orders.body.items[0]).toMatchObject({ amount: 2_500, memberId: member.id })

        await api.domain.members.merge(second.id, member.id, 'staff:stf_test')
        const linked = await asTill(`/api/v1/members/${member.id}/identities`)
        expect(linked.status).toBe(200)
        expect(linked.body.identities).toEqual([
          expect.objectContaining({ channel: 'telegram', externalId: '900001', linkedBy: null }),
          expect.objectContaining({
            channel: 'wechat',
            externalId: 'wxid_chen',
            linkedBy: 'staff:stf_test',
          }),
        ])
        expect(linked.body.merges).toEqual([
          expect.objectContaining({ fromMemberId: second.id, points: 0, by: 'staff:stf_test' }),
        ])
        expect((await asTill('/api/v1/members/nobody/identities')).status).toBe(404)
        expect((await asTill('/api/v1/members/nobody/orders')).status).toBe(404)
      })

      it('lists what needs attention: points held for review, rewards running out and won gifts not handed over', async () => {
        const empty = await asTill('/api/v1/attention')
        expect(empty.status).toBe(200)
        expect(empty.body).toEqual({
          pendingPoints: { count: 0, points: 0, oldestAt: null },
          lowStock: [],
          prizesToFulfil: { count: 0, items: [] },
        })

        await api.domain.programme.replace(
          programmeWith({ caps: { pointsPerOrder: 1_000, pointsPerMemberPerDay: 1_000_000 } }),
        )
        const big = await join('Big spender')
        await api.call(
          'POST',
          '/api/v1/orders',
          { id: 'big-1', member: { id: big.id }, amount: 500_000 },
          { key: api.posKey },
        )
        const reward = (name: string, stock: number | null) =>
          api.domain.rewards.create({ name, kind: 'gift', pointsCost: 0, stock })
        const scarce = await reward('Last mugs', 5)
        await reward('Plenty of tea', 100)
        await reward('Unlimited water', null)
        const gift = await reward('Cake', 50)
        const lottery = await api.domain.lotteries.create({
          title: 'Spring draw',
          costPoints: 0,
          freeDrawsPerDay: 5,
          opensAt: new Date(api.clock.now().getTime() - 60_000).toISOString(),
          closesAt: new Date(api.clock.now().getTime() + 86_400_000).toISOString(),
          prizes: [{ name: 'Cake', kind: 'reward', rewardId: gift.id, weight: 1 }],
        })
        const winner = await join('Lucky')
        const first = await api.domain.lotteries.draw(winner.id, lottery.id)
        await api.domain.lotteries.draw(winner.id, lottery.id)
        await api.domain.lotteries.fulfil(first.drawId, 'staff:stf_test')

        const now = await asTill('/api/v1/attention')
        expect(now.body.pendingPoints).toMatchObject({ count: 1, points: 5_000 })
        expect(now.body.lowStock).toEqual([
          { id: scarce.id, name: { 'zh-CN': 'Last mugs', en: 'Last mugs' }, stock: 5, issued: 0 },
        ])
        expect(now.body.prizesToFulfil.count).toBe(1)
        expect(now.body.prizesToFulfil.items[0]).toMatchObject({
          lotteryId: lottery.id,
          memberId: winner.id,
          prize: { en: 'Cake' },
        })
        expect(now.body.prizesToFulfil.items[0].drawId).not.toBe(first.drawId)
      })
    },
  )
}
