import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ApiFixture, createApiFixture } from '../helpers/api.ts'
import { available, databases } from '../helpers/db.ts'

/** Reads RFC 4180 CSV without line breaks inside fields: quoted fields may hold commas and "". */
function rows(csv: string): string[][] {
  return csv
    .replace(/^\uFEFF/, '')
    .trimEnd()
    .split('\r\n')
    .flatMap((block) => block.split('\n'))
    .map((line) => {
      const fields: string[] = []
      let field = ''
      let quoted = false
      for (let i = 0; i < line.length; i++) {
        const char = line[i]!
        if (quoted && char === '"' && line[i + 1] === '"') field += line[++i]
        else if (char === '"') quoted = !quoted
        else if (char === ',' && !quoted) {
          fields.push(field)
          field = ''
        } else field += char
      }
      return [...fields, field]
    })
}

for (const db of databases) {
  describe.skipIf(!available(db))(
    `reports API [${db.name}${available(db) ? '' : ': skipped, TEST_DATABASE_URL not set'}]`,
    () => {
      let api: ApiFixture
      let campaignId = ''
      beforeAll(async () => {
        api = await createApiFixture(db)
        // 10 Jan 2025, 12:00 in Shanghai: two members, one buys twice, a guest buys once.
        const ids: string[] = []
        for (const displayName of ['Ana', 'Bo']) {
          const created = await api.call('POST', '/api/v1/members', {
            displayName,
            marketingConsent: true,
            telegramId: String(5_000 + ids.length),
          })
          ids.push(created.body.id)
        }
        await api.call('POST', '/api/v1/members/' + ids[0] + '/tags', { tags: ['vip'] })
        const campaign = await api.call('POST', '/api/v1/campaigns', {
          name: 'New year, new tea',
          message: { text: 'Tea!' },
          segment: { tags: ['vip'] },
          cost: 5_000,
        })
        campaignId = campaign.body.id
        await api.domain.campaigns.dispatchDue()
        for (const row of await api.domain.outbox.claim('w', ['telegram'], 10))
          await api.domain.outbox.settle('w', row, { status: 'sent' })
        await api.call('POST', '/api/v1/orders', {
          id: 'A-1',
          member: { id: ids[0] },
          amount: 12_000,
        })
        await api.call('POST', '/api/v1/orders', {
          id: 'A-2',
          member: { id: ids[0] },
          amount: 3_000,
        })
      })
      afterAll(async () => {
        await api?.store.cleanup()
      })

      it('records an order without a member as a guest sale: no points, idempotent, refundable', async () => {
        const sale = await api.call('POST', '/api/v1/orders', { id: 'T-1', amount: 5_000 })
        expect(sale.status).toBe(201)
        expect(sale.body).toMatchObject({ orderId: 'T-1', guest: true, pointsEarned: 0 })
        const again = await api.call('POST', '/api/v1/orders', { id: 'T-1', amount: 5_000 })
        expect(again.status).toBe(200)
        expect(again.headers.get('Idempotent-Replayed')).toBe('true')
        const other = await api.call('POST', '/api/v1/orders', { id: 'T-1', amount: 6_000 })
        expect(other.status).toBe(409)
        expect(other.body.error.code).toBe('idempotency_mismatch')
        const paid = await api.call('POST', '/api/v1/orders', {
          id: 'T-2',
          amount: 100,
          pointsRedeemed: 10,
        })
        expect(paid.status).toBe(400)
        expect(paid.body.error).toMatchObject({
          code: 'invalid_input',
          details: { field: 'pointsRedeemed' },
        })
        const refund = await api.call(
          'POST',
          '/api/v1/orders/T-1/refunds',
          {
            id: 'TR-1',
            amount: 1_000,
          },
          { headers: { 'idempotency-key': randomUUID() } },
        )
        expect(refund.status).toBe(201)
        expect(refund.body).toMatchObject({ orderId: 'T-1', guest: true, refundedAmount: 1_000 })
      })

      it('answers the programme report as JSON to an admin key', async () => {
        const response = await api.call('GET', '/api/v1/reports/programme')
        expect(response.status).toBe(200)
        expect(response.body.period).toMatchObject({ fromDay: '2024-12-12', toDay: '2025-01-11' })
        expect(response.body.members).toEqual({ atStart: 0, atEnd: 2, new: 2, newMemberRate: null })
        // ¥150 by Ana, ¥50 − ¥10 by a guest: 15,000 ÷ 19,000.
        expect(response.body.sales).toEqual({
          memberSales: 15_000,
          guestSales: 4_000,
          memberOrders: 2,
          guestOrders: 1,
          memberShare: 78.95,
        })
        expect(response.body.points).toMatchObject({ issued: 150, outstanding: 150 })
        expect(response.body).toEqual(await api.domain.reports.programme())
      })

      it('answers the same figures as CSV, by ?format=csv or Accept: text/csv', async () => {
        const byQuery = await api.call('GET', '/api/v1/reports/programme?format=csv')
        expect(byQuery.status).toBe(200)
        expect(byQuery.headers.get('content-type')).toContain('text/csv')
        expect(byQuery.headers.get('content-disposition')).toBe(
          'attachment; filename="programme-2024-12-12-2025-01-11.csv"',
        )
        const table = rows(byQuery.body)
        expect(table[0]).toEqual(['metric', 'value'])
        const metric = (name: string) => table.find((row) => row[0] === name)?.[1]
        expect(metric('members.atEnd')).toBe('2')
        expect(metric('sales.memberShare')).toBe('78.95')
        expect(metric('members.newMemberRate')).toBe('')
        expect(metric('satisfaction.distribution.7.responses')).toBe('0')
        expect(metric('segments.lifecycle.first_time.atEnd')).toBe('')
        const byAccept = await api.call('GET', '/api/v1/reports/programme', undefined, {
          headers: { accept: 'text/csv' },
        })
        expect(byAccept.body).toBe(byQuery.body)
      })

      it('gives the weekly series and the campaigns side by side, as JSON and CSV', async () => {
        const weekly = await api.call('GET', '/api/v1/reports/weekly?from=2025-01-06&to=2025-01-13')
        expect(weekly.body.items).toEqual([
          expect.objectContaining({
            week: '2025-01-06',
            newMembers: 2,
            members: 2,
            memberOrders: 2,
            memberSales: 15_000,
            guestSales: 4_000,
          }),
        ])
        const weeklyCsv = rows(
          (await api.call('GET', '/api/v1/reports/weekly?from=2025-01-06&to=2025-01-13&format=csv'))
            .body,
        )
        expect(weeklyCsv).toEqual([
          [
            'week',
            'from',
            'to',
            'newMembers',
            'members',
            'memberOrders',
            'memberSales',
            'guestSales',
          ],
          [
            '2025-01-06',
            '2025-01-05T16:00:00.000Z',
            '2025-01-12T16:00:00.000Z',
            '2',
            '2',
            '2',
            '15000',
            '4000',
          ],
        ])
        const campaigns = await api.call('GET', '/api/v1/reports/campaigns')
        expect(campaigns.body.items).toEqual([
          {
            source: 'campaign',
            id: campaignId,
            name: 'New year, new tea',
            sent: 1,
            uncertain: 0,
            held: 0,
            expired: 0,
            opened: 0,
            converted: 1,
            orders: 2,
            sales: 15_000,
            cost: 5_000,
            roi: 300,
            holdout: null,
          },
        ])
        const campaignsCsv = await api.call('GET', '/api/v1/reports/campaigns?format=csv')
        expect(rows(campaignsCsv.body)).toEqual([
          [
            'source',
            'id',
            'name',
            'sent',
            'uncertain',
            'held',
            'expired',
            'opened',
            'converted',
            'orders',
            'sales',
            'cost',
            'roi',
            'heldOut',
            'messagedConversion',
            'heldOutConversion',
            'uplift',
            'upliftLow',
            'upliftHigh',
            'incrementalSales',
            'verdict',
          ],
          [
            'campaign',
            campaignId,
            'New year, new tea',
            '1',
            '0',
            '0',
            '0',
            '0',
            '1',
            '2',
            '15000',
            '5000',
            '300',
            ...Array<string>(8).fill(''),
          ],
        ])
        expect(campaignsCsv.body).toContain('"New year, new tea"')
      })

      it('counts a delivered-but-uncertain campaign message as its own figure, in JSON and CSV', async () => {
        const campaign = await api.call('POST', '/api/v1/campaigns', {
          name: 'Unsure',
          message: { text: 'Tea?' },
          segment: { tags: ['vip'] },
        })
        await api.domain.campaigns.dispatchDue()
        // The worker dies mid-request: the platform may have the message, so it is not resent.
        for (const row of await api.domain.outbox.claim('w', ['telegram'], 10))
          await api.domain.outbox.begin('w', row)
        api.clock.advance(120_000)
        await api.domain.outbox.claim('w', ['telegram'], 10)
        const report = await api.call('GET', '/api/v1/reports/campaigns')
        expect(
          report.body.items.find((i: { id: string }) => i.id === campaign.body.id),
        ).toMatchObject({ sent: 0, uncertain: 1 })
        const csv = rows((await api.call('GET', '/api/v1/reports/campaigns?format=csv')).body)
        const uncertain = csv[0]!.indexOf('uncertain')
        expect(uncertain).toBeGreaterThan(0)
        expect(csv.find((row) => row[1] === campaign.body.id)![uncertain]).toBe('1')
      })

      it('counts a campaign’s messages held by a channel that is down, then those that expired, in JSON and CSV', async () => {
        const campaign = await api.call('POST', '/api/v1/campaigns', {
          name: 'Outage',
          message: { text: 'Tea?' },
          segment: { tags: ['vip'] },
        })
        await api.domain.channelHealth.report('telegram', 'down', 'Bad Gateway')
        try {
          await api.domain.campaigns.dispatchDue()
          const item = async () =>
            (await api.call('GET', '/api/v1/reports/campaigns')).body.items.find(
              (i: { id: string }) => i.id === campaign.body.id,
            )
          expect(await item()).toMatchObject({ sent: 0, held: 1, expired: 0 })
          api.clock.advance(25 * 3_600_000)
          await api.domain.outbox.claim('w', ['telegram'], 10)
          expect(await item()).toMatchObject({ sent: 0, held: 0, expired: 1 })
          const csv = rows((await api.call('GET', '/api/v1/reports/campaigns?format=csv')).body)
          const row = csv.find((r) => r[1] === campaign.body.id)!
          expect([row[csv[0]!.indexOf('held')], row[csv[0]!.indexOf('expired')]]).toEqual([
            '0',
            '1',
          ])
        } finally {
          await api.domain.channelHealth.report('telegram', 'up')
        }
      })

      it('shows a campaign’s comparison with its held-out members beside its results, in JSON and CSV', async () => {
        const campaign = await api.call('POST', '/api/v1/campaigns', {
          name: 'Half held out',
          message: { text: 'Tea?' },
          segment: {},
          holdoutPercent: 50,
          holdoutSeed: 7,
        })
        await api.domain.campaigns.dispatchDue()
        for (const row of await api.domain.outbox.claim('w', ['telegram'], 10))
          await api.domain.outbox.settle('w', row, { status: 'sent' })
        const stats = (await api.domain.campaigns.get(campaign.body.id)).stats
        expect(stats.holdout).toMatchObject({
          messaged: { members: 1 },
          heldOut: { members: 1 },
          verdict: 'too_small',
        })
        const report = await api.call('GET', '/api/v1/reports/campaigns')
        expect(
          report.body.items.find((i: { id: string }) => i.id === campaign.body.id),
        ).toMatchObject({ sent: 1, holdout: stats.holdout })
        const csv = rows((await api.call('GET', '/api/v1/reports/campaigns?format=csv')).body)
        const row = csv.find((r) => r[1] === campaign.body.id)!
        const column = (name: string) => row[csv[0]!.indexOf(name)]
        expect(column('heldOut')).toBe('1')
        expect(column('heldOutConversion')).toBe(String(stats.holdout!.heldOut.conversion))
        expect(column('verdict')).toBe('too_small')
      })

      it('keeps one snapshot of the segment sizes a day, the last recompute’s, and gives them day by day as JSON and CSV', async () => {
        const lifecycleOf = (items: { day: string; dimension: string; members: number }[]) => {
          const byDay: Record<string, number> = {}
          for (const item of items)
            if (item.dimension === 'lifecycle')
              byDay[item.day] = (byDay[item.day] ?? 0) + item.members
          return byDay
        }
        // Earlier tests move the clock on; these days are after theirs, and it goes back after.
        const before = api.clock.now()
        try {
          api.clock.set('2025-02-10T04:00:00Z')
          await api.domain.segments.recompute()
          api.clock.set('2025-02-11T04:00:00Z')
          await api.call('POST', '/api/v1/members', { displayName: 'Cy' })
          await api.domain.segments.recompute()
          // A second recompute the same day replaces that day's snapshot: no second set of rows.
          await api.call('POST', '/api/v1/members', { displayName: 'Di' })
          await api.domain.segments.recompute()

          const path = '/api/v1/reports/segments?from=2025-02-09&to=2025-02-12'
          const response = await api.call('GET', path)
          expect(response.status).toBe(200)
          expect(response.body.period).toMatchObject({ fromDay: '2025-02-09', toDay: '2025-02-12' })
          const sizes = lifecycleOf(response.body.items)
          expect(Object.keys(sizes)).toEqual(['2025-02-10', '2025-02-11'])
          expect(sizes['2025-02-11']).toBe(sizes['2025-02-10']! + 2)
          const keys = response.body.items.map(
            (row: { day: string; dimension: string; class: string }) =>
              `${row.day} ${row.dimension} ${row.class}`,
          )
          expect(new Set(keys).size).toBe(keys.length)
          expect(keys).toEqual([...keys].sort())

          const csv = await api.call('GET', `${path}&format=csv`)
          expect(csv.headers.get('content-disposition')).toBe(
            'attachment; filename="segments-2025-02-09-2025-02-12.csv"',
          )
          const table = rows(csv.body)
          expect(table[0]).toEqual(['day', 'dimension', 'class', 'members'])
          expect(table.slice(1)).toEqual(
            response.body.items.map((row: Record<string, unknown>) =>
              [row.day, row.dimension, row.class, row.members].map(String),
            ),
          )
          const pos = await api.call('GET', path, undefined, { key: api.posKey })
          expect(pos.status).toBe(403)
        } finally {
          api.clock.set(before)
        }
      })

      it('needs an admin key', async () => {
        const pos = await api.call('GET', '/api/v1/reports/programme', undefined, {
          key: api.posKey,
        })
        expect(pos.status).toBe(403)
        expect(pos.body.error.code).toBe('forbidden')
        const none = await api.call('GET', '/api/v1/reports/weekly', undefined, { key: null })
        expect(none.status).toBe(401)
      })

      it.each([
        ['/api/v1/reports/programme?from=2025-13-01', 'from'],
        ['/api/v1/reports/programme?from=last%20week', 'from'],
        ['/api/v1/reports/weekly?from=2025-01-05&to=2025-01-01', 'to'],
        ['/api/v1/reports/campaigns?from=2018-01-01', 'from'],
        ['/api/v1/reports/programme?format=xlsx', 'format'],
      ])('refuses %s with invalid_input naming %s', async (path, field) => {
        const response = await api.call('GET', path)
        expect(response.status).toBe(400)
        expect(response.body.error).toMatchObject({ code: 'invalid_input', details: { field } })
        expect(response.body.error.message).toMatch(new RegExp(`^${field}: `))
      })

      it('documents the reports in the OpenAPI document', async () => {
        const doc = await api.call('GET', '/api/openapi.json', undefined, { key: null })
        for (const path of ['programme', 'weekly', 'campaigns', 'segments'])
          expect(
            Object.keys(doc.body.paths[`/api/v1/reports/${path}`].get.responses[200].content),
          ).toEqual(['application/json', 'text/csv'])
      })
    },
  )
}
