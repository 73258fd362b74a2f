import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ApiFixture, createApiFixture } from '../helpers/api.ts'
import { available, databases } from '../helpers/db.ts'

for (const db of databases) {
  describe.skipIf(!available(db))(
    `campaigns API [${db.name}${available(db) ? '' : ': skipped, TEST_DATABASE_URL not set'}]`,
    () => {
      let api: ApiFixture
      beforeAll(async () => {
        api = await createApiFixture(db)
      })
      afterAll(async () => {
        await api?.store.cleanup()
      })

      it('creates a campaign for a segment, starts it, and reports its status and results', async () => {
        for (const [i, region] of ['Shanghai', 'Shanghai', 'Beijing'].entries()) {
          const res = await api.call('POST', '/api/v1/members', {
            displayName: `C${i}`,
            telegramId: String(700_000 + i),
            marketingConsent: true,
            region,
          })
          expect(res.status).toBe(201)
        }
        await api.call('POST', '/api/v1/members', {
          displayName: 'No consent',
          telegramId: '700100',
          region: 'Shanghai',
        })
        const created = await api.call('POST', '/api/v1/campaigns', {
          name: 'Shanghai opening',
          message: {
            text: '新店开业！',
            buttons: [{ label: '查看', url: 'https://shop.example/new' }],
          },
          segment: { regions: ['Shanghai'] },
          cost: 5_000,
        })
        expect(created.status).toBe(201)
        expect(created.body).toMatchObject({
          id: expect.stringMatching(/^cmp_/),
          status: 'scheduled',
        })
        await api.domain.campaigns.dispatchDue()
        const view = await api.call('GET', `/api/v1/campaigns/${created.body.id}`)
        expect(view.body).toMatchObject({
          status: 'sending',
          stats: { targeted: 2, sent: 0, pending: 2, cost: 5_000, roi: 0 },
        })
        expect(
          (await api.call('GET', '/api/v1/campaigns')).body.items.map((c: { id: string }) => c.id),
        ).toContain(created.body.id)
      })

      it('sends each member the text of their language, the other where one is left out; one string is both', async () => {
        const ids: Record<string, string> = {}
        for (const [name, locale] of [
          ['Wen', 'zh-CN'],
          ['Emma', 'en'],
        ] as const) {
          const res = await api.call('POST', '/api/v1/members', {
            displayName: name,
            telegramId: String(710_000 + Object.keys(ids).length),
            marketingConsent: true,
            region: 'Hangzhou',
            locale,
          })
          ids[name] = res.body.id
        }
        const sent = async (text: unknown) => {
          const created = await api.call('POST', '/api/v1/campaigns', {
            name: 'Hangzhou',
            message: { text },
            segment: { regions: ['Hangzhou'] },
          })
          expect(created.status).toBe(201)
          await api.domain.campaigns.dispatchDue()
          const rows = await api.store.db
            .selectFrom('outbox')
            .select(['memberId', 'payloadJson'])
            .where('campaignId', '=', created.body.id)
            .execute()
          const texts = Object.fromEntries(
            rows.map((r) => [r.memberId, (JSON.parse(r.payloadJson) as { text: string }).text]),
          )
          return { view: created.body, wen: texts[ids.Wen!], emma: texts[ids.Emma!] }
        }
        const both = await sent({ 'zh-CN': '西湖店开业', en: 'West Lake shop opens' })
        expect(both.view.message.text).toEqual({
          'zh-CN': '西湖店开业',
          en: 'West Lake shop opens',
        })
        expect([both.wen, both.emma]).toEqual(['西湖店开业', 'West Lake shop opens'])
        const chineseOnly = await sent({ 'zh-CN': '只有中文' })
        expect([chineseOnly.wen, chineseOnly.emma]).toEqual(['只有中文', '只有中文'])
        // A client of before the two languages sends one string: both languages read it.
        const one = await sent('同一句')
        expect(one.view.message.text).toEqual({ 'zh-CN': '同一句', en: '同一句' })
        expect([one.wen, one.emma]).toEqual(['同一句', '同一句'])
      })

      it('sends a preview to the calling manager’s own chat through the outbox, in their language; an API key has no chat', async () => {
        const { domain } = api
        const { code: invite } = await domain.staff.createInvite('manager')
        const manager = await domain.staff.acceptInvite(invite, 'telegram', '720001', 'Mia')
        await domain.members.register({ displayName: 'Mia', telegramId: '720001', locale: 'en' })
        const { code } = await domain.staffSessions.createLink(manager.id)
        const session = await api.call('POST', '/api/console/session', { code }, { key: null })
        const token = session.body.token as string
        const message = {
          text: { 'zh-CN': '周末双倍积分', en: 'Double points this weekend' },
          buttons: [{ label: 'Shop', url: 'https://shop.example/' }],
        }
        const sent = await api.call(
          'POST',
          '/api/v1/campaigns/preview',
          { message },
          { key: token },
        )
        expect(sent.status).toBe(200)
        expect(sent.body).toEqual({ queued: true })
        const rows = await api.store.db
          .selectFrom('outbox')
          .select(['staffId', 'recipient', 'payloadJson', 'campaignId'])
          .where('staffId', '=', manager.id)
          .execute()
        expect(rows).toHaveLength(1)
        expect(rows[0]).toMatchObject({ recipient: '720001', campaignId: null })
        expect(JSON.parse(rows[0]!.payloadJson)).toEqual({
          text: 'Double points this weekend',
          buttons: message.buttons,
        })

        const bad = await api.call(
          'POST',
          '/api/v1/campaigns/preview',
          { message: { text: {} } },
          { key: token },
        )
        expect(`${bad.status} ${bad.body.error.details.field}`).toBe('400 message.text')
        const byKey = await api.call('POST', '/api/v1/campaigns/preview', { message })
        expect(byKey.status).toBe(403)
      })

      it('pauses, resumes and cancels; a finished or cancelled campaign cannot change again', async () => {
        const created = await api.call('POST', '/api/v1/campaigns', {
          name: 'Later',
          message: { text: 'soon' },
          segment: {},
          sendAt: new Date(api.clock.now().getTime() + 3_600_000).toISOString(),
        })
        const id = created.body.id
        expect((await api.call('POST', `/api/v1/campaigns/${id}/pause`)).body.status).toBe('paused')
        expect((await api.call('POST', `/api/v1/campaigns/${id}/resume`)).body.status).toBe(
          'scheduled',
        )
        expect((await api.call('POST', `/api/v1/campaigns/${id}/cancel`)).body.status).toBe(
          'cancelled',
        )
        const again = await api.call('POST', `/api/v1/campaigns/${id}/resume`)
        expect(again.status).toBe(409)
        expect((await api.call('POST', '/api/v1/campaigns/cmp_nope/pause')).status).toBe(404)
      })

      it('refuses a bad campaign naming the field, and a pos key', async () => {
        const noText = await api.call('POST', '/api/v1/campaigns', {
          name: 'x',
          message: { text: '' },
        })
        expect(noText.body.error.details.field).toBe('message.text')
        const badSegment = await api.call('POST', '/api/v1/campaigns', {
          name: 'x',
          message: { text: 'hi' },
          segment: { lifecycle: ['immortal'] },
        })
        expect(badSegment.status).toBe(400)
        expect(badSegment.body.error.details.field).toMatch(/^segment/)
        const badUrl = await api.call('POST', '/api/v1/campaigns', {
          name: 'x',
          message: { text: 'hi', buttons: [{ label: 'a', url: 'not a url' }] },
        })
        expect(badUrl.body.error.details.field).toBe('message.buttons.0.url')
        expect(
          (
            await api.call(
              'POST',
              '/api/v1/campaigns',
              { name: 'x', message: { text: 'hi' } },
              { key: api.posKey },
            )
          ).status,
        ).toBe(403)
      })
    },
  )
}
