import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ApiFixture, createApiFixture } from '../helpers/api.ts'
import { available, databases } from '../helpers/db.ts'

for (const db of databases) {
  describe.skipIf(!available(db))(
    `reminders API [${db.name}${available(db) ? '' : ': skipped, TEST_DATABASE_URL not set'}]`,
    () => {
      let api: ApiFixture
      beforeAll(async () => {
        api = await createApiFixture(db)
      })
      afterAll(async () => {
        await api?.store.cleanup()
      })

      it('a product gets a usage cycle, and an order of it plans a reminder', async () => {
        const put = await api.call('PUT', '/api/v1/products/SOAP-60', {
          name: { 'zh-CN': '手工皂', en: 'Handmade soap' },
          usageCycleDays: 60,
        })
        expect(put.status).toBe(200)
        expect(put.body).toMatchObject({ sku: 'SOAP-60', usageCycleDays: 60 })
        const bad = await api.call('PUT', '/api/v1/products/SOAP-1', {
          name: { 'zh-CN': '皂' },
          usageCycleDays: 0,
        })
        expect(bad.status).toBe(400)
        expect(bad.body.error.code).toBe('invalid_input')
        const pos = await api.call(
          'PUT',
          '/api/v1/products/SOAP-60',
          { name: { 'zh-CN': '皂', en: 'Soap' } },
          { key: api.posKey },
        )
        expect(pos.status).toBe(403)
        const member = await api.call('POST', '/api/v1/members', {
          displayName: 'Wen',
          telegramId: '880001',
          marketingConsent: true,
        })
        await api.call('POST', '/api/v1/orders', {
          id: 'API-1',
          member: { id: member.body.id },
          amount: 3_000,
          items: [{ sku: 'SOAP-60', quantity: 1, unitPrice: 3_000 }],
        })
        const list = await api.call('GET', `/api/v1/reminders?memberId=${member.body.id}`)
        expect(list.status).toBe(200)
        expect(list.body.items).toEqual([
          expect.objectContaining({
            kind: 'usage_cycle',
            status: 'scheduled',
            subject: expect.objectContaining({ sku: 'SOAP-60', orderId: 'API-1' }),
          }),
        ])
      })

      it('the shop reports a shipment once; a retry is answered, an unknown order is 404', async () => {
        const first = await api.call(
          'POST',
          '/api/v1/orders/API-1/events',
          { type: 'shipped', carrier: 'SF', trackingNumber: 'SF42' },
          { key: api.posKey },
        )
        expect(first.status).toBe(201)
        expect(first.body).toMatchObject({ type: 'shipped', trackingNumber: 'SF42' })
        const retry = await api.call('POST', '/api/v1/orders/API-1/events', {
          type: 'shipped',
          carrier: 'SF',
          trackingNumber: 'SF42',
        })
        expect(retry.status).toBe(200)
        expect(retry.headers.get('idempotent-replayed')).toBe('true')
        const unknown = await api.call('POST', '/api/v1/orders/NOPE/events', { type: 'delivered' })
        expect([unknown.status, unknown.body.error.code]).toEqual([404, 'order_not_found'])
        const wrong = await api.call('POST', '/api/v1/orders/API-1/events', { type: 'lost' })
        expect([wrong.status, wrong.body.error.code]).toEqual([400, 'invalid_input'])
        const shipped = await api.call('GET', '/api/v1/reminders?kind=order_shipped')
        expect(shipped.body.items).toHaveLength(1)
      })

      it('templates are listed with their placeholders and edited per kind (admin)', async () => {
        const list = await api.call('GET', '/api/v1/reminders/templates')
        const winBack = list.body.items.find((t: { kind: string }) => t.kind === 'win_back')
        expect(winBack).toMatchObject({ purpose: 'marketing', edited: false })
        expect(winBack.placeholders).toEqual(
          expect.arrayContaining(['name', 'days', 'offer', 'balance']),
        )
        const unknown = await api.call('PUT', '/api/v1/reminders/templates/win_back', {
          text: { 'zh-CN': '{name} {discount}', en: 'hi' },
        })
        expect(unknown.status).toBe(400)
        expect(unknown.body.error.message).toContain('{discount}')
        const set = await api.call('PUT', '/api/v1/reminders/templates/win_back', {
          text: { 'zh-CN': '{name}，想您了', en: 'Missed you, {name}' },
        })
        expect(set.status).toBe(200)
        expect(set.body).toMatchObject({ edited: true, text: { en: 'Missed you, {name}' } })
        const versions = await api.call('GET', '/api/v1/programme/versions')
        expect(versions.body.items[0].note).toBe('reminder template win_back')
        const reset = await api.call('PUT', '/api/v1/reminders/templates/win_back', { text: null })
        expect(reset.body.edited).toBe(false)
        const pos = await api.call(
          'PUT',
          '/api/v1/reminders/templates/win_back',
          { text: null },
          { key: api.posKey },
        )
        expect(pos.status).toBe(403)
      })

      it('stats per kind need an admin key and name bad dates', async () => {
        const stats = await api.call('GET', '/api/v1/reminders/stats')
        expect(stats.status).toBe(200)
        expect(stats.body.items.map((s: { kind: string }) => s.kind)).toContain('usage_cycle')
        const bad = await api.call('GET', '/api/v1/reminders/stats?from=yesterday')
        expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_input'])
        const pos = await api.call('GET', '/api/v1/reminders/stats', undefined, {
          key: api.posKey,
        })
        expect(pos.status).toBe(403)
      })

      it('stats count the reminders created in the period asked, its days the merchant’s', async () => {
        const { config } = await api.domain.programme.current()
        // 17:00 UTC: already the next day for a merchant east of UTC (Asia/Shanghai).
        const next = new Date(api.clock.now())
        next.setUTCHours(17, 0, 0, 0)
        if (next <= api.clock.now()) next.setUTCDate(next.getUTCDate() + 1)
        api.clock.set(next)
        const day = (offset: number) =>
          new Intl.DateTimeFormat('en-CA', { timeZone: config.timezone }).format(
            new Date(next.getTime() + offset * 86_400_000),
          )
        const shipped = async (query: string) => {
          const stats = await api.call('GET', `/api/v1/reminders/stats?${query}`)
          expect(stats.status).toBe(200)
          const row = stats.body.items.find((s: { kind: string }) => s.kind === 'order_shipped')
          return { period: stats.body.period, count: row.scheduled + row.queued + row.sent }
        }
        const yesterday = `from=${day(-1)}&to=${day(0)}`
        const before = {
          today: await shipped(`from=${day(0)}`),
          yesterday: await shipped(yesterday),
        }
        const member = await api.call('POST', '/api/v1/members', {
          displayName: 'Lan',
          telegramId: '880077',
        })
        await api.call('POST', '/api/v1/orders', {
          id: 'API-P',
          member: { id: member.body.id },
          amount: 1_000,
        })
        await api.call('POST', '/api/v1/orders/API-P/events', { type: 'shipped' })
        const today = await shipped(`from=${day(0)}`)
        expect(today.count).toBe(before.today.count + 1)
        expect(today.period).toMatchObject({
          fromDay: day(0),
          toDay: day(1),
          timezone: config.timezone,
        })
        expect((await shipped(yesterday)).count).toBe(before.yesterday.count)
        // Without a period, the last 30 days, as the reports.
        expect((await shipped('')).period.fromDay).toBe(day(-29))
        const future = await api.call('GET', `/api/v1/reminders/stats?from=${day(1)}&to=${day(2)}`)
        expect([future.status, future.body.error.details.field]).toEqual([400, 'from'])
      })
    },
  )
}
