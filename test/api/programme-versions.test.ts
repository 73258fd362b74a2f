import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ApiFixture, createApiFixture } from '../helpers/api.ts'
import { available, databases } from '../helpers/db.ts'

for (const db of databases) {
  describe.skipIf(!available(db))(
    `programme versions, restore and reminder settings [${db.name}${available(db) ? '' : ': skipped, TEST_DATABASE_URL not set'}]`,
    () => {
      let api: ApiFixture
      let manager: string
      beforeAll(async () => {
        api = await createApiFixture(db)
        const { code } = await api.domain.staff.createInvite('manager')
        const record = await api.domain.staff.acceptInvite(code, 'telegram', '660001', 'Mei')
        const link = await api.domain.staffSessions.createLink(record.id)
        manager = (
          await api.call('POST', '/api/console/session', { code: link.code }, { key: null })
        ).body.token as string
      })
      afterAll(async () => {
        await api?.store.cleanup()
      })
      const current = async () => (await api.call('GET', '/api/v1/programme')).body
      const withBonus = (config: { earning: object }, firstOrderBonus: number) => ({
        ...config,
        earning: { ...config.earning, firstOrderBonus },
      })

      it('a version is read alone, and its diff names each changed setting with old and new', async () => {
        const start = await current()
        const saved = await api.call(
          'PUT',
          `/api/v1/programme?basedOn=${start.version}`,
          withBonus(start.config, start.config.earning.firstOrderBonus + 50),
        )
        expect(saved.status).toBe(200)
        const one = await api.call('GET', `/api/v1/programme/versions/${saved.body.version}`)
        expect(one.status).toBe(200)
        expect(one.body.config.earning.firstOrderBonus).toBe(
          start.config.earning.firstOrderBonus + 50,
        )
        const diff = await api.call('GET', `/api/v1/programme/versions/${saved.body.version}/diff`)
        expect(diff.body).toEqual({
          version: saved.body.version,
          against: start.version,
          changes: [
            {
              path: 'earning.firstOrderBonus',
              before: start.config.earning.firstOrderBonus,
              after: start.config.earning.firstOrderBonus + 50,
            },
          ],
        })
        expect((await api.call('GET', '/api/v1/programme/versions/999')).status).toBe(404)
        expect((await api.call('GET', '/api/v1/programme/versions/x')).status).toBe(400)
      })

      it('a tier added is its own path; a preview of changes saves nothing', async () => {
        const start = await current()
        const tiers = [
          ...start.config.tiers,
          {
            code: 'legend',
            name: { 'zh-CN': '传奇', en: 'Legend' },
            threshold: start.config.tiers.at(-1).threshold + 1_000_000,
          },
        ]
        const preview = await api.call('POST', '/api/v1/programme/changes', {
          ...start.config,
          tiers,
        })
        expect(preview.status).toBe(200)
        expect(preview.body.basedOn).toBe(start.version)
        expect(preview.body.changes.map((c: { path: string }) => c.path)).toEqual([
          `tiers.${start.config.tiers.length}`,
        ])
        expect((await current()).version).toBe(start.version)
      })

      it('a save based on an older version is refused 409 programme_changed and saves nothing', async () => {
        const start = await current()
        await api.call(
          'PUT',
          `/api/v1/programme?basedOn=${start.version}`,
          withBonus(start.config, 7),
        )
        const stale = await api.call(
          'PUT',
          `/api/v1/programme?basedOn=${start.version}`,
          withBonus(start.config, 9),
        )
        expect(stale.status).toBe(409)
        expect(stale.body.error).toMatchObject({
          code: 'programme_changed',
          details: { current: start.version + 1, basedOn: start.version },
        })
        expect((await current()).config.earning.firstOrderBonus).toBe(7)
      })

      it('an invalid setting is refused naming its path, before anything is saved', async () => {
        const start = await current()
        for (const [config, field] of [
          [
            { ...start.config, caps: { ...start.config.caps, pointsPerOrder: 0 } },
            'caps.pointsPerOrder',
          ],
          [
            {
              ...start.config,
              tiers: start.config.tiers.map((t: Record<string, unknown>, i: number) =>
                i === 1 ? { ...t, threshold: -5 } : t,
              ),
            },
            'tiers.1.threshold',
          ],
          [{ ...start.config, quietHours: { start: '25:00', end: '08:00' } }, 'quietHours.start'],
        ] as const) {
          for (const path of ['/api/v1/programme', '/api/v1/programme/changes']) {
            const refused = await api.call(path.endsWith('changes') ? 'POST' : 'PUT', path, config)
            expect(refused.status).toBe(400)
            expect(refused.body.error.details.field).toBe(field)
            expect(refused.body.error.message).toContain(field)
          }
        }
        expect((await current()).version).toBe(start.version)
      })

      it('an owner restores an earlier version as a new one, audited; a manager may not', async () => {
        const start = await current()
        const earlier = start.version - 1
        const restored = await api.call(
          'POST',
          `/api/v1/programme/versions/${earlier}/restore?basedOn=${start.version}`,
        )
        expect(restored.status).toBe(200)
        expect(restored.body).toMatchObject({
          version: start.version + 1,
          note: `restored version ${earlier}`,
          createdBy: 'api:test admin',
        })
        const back = await api.call('GET', `/api/v1/programme/versions/${earlier}`)
        expect(restored.body.config).toEqual(back.body.config)
        const stale = await api.call(
          'POST',
          `/api/v1/programme/versions/${earlier}/restore?basedOn=${start.version}`,
        )
        expect(stale.status).toBe(409)
        const log = await api.call(
          'GET',
          '/api/v1/audit-log?operation=POST%20%2Fapi%2Fv1%2Fprogramme%2Fversions%2F%7Bversion%7D%2Frestore',
        )
        expect(log.body.items[0]).toMatchObject({
          targetId: String(earlier),
          before: { version: start.version },
          after: { version: start.version + 1 },
        })
        for (const [method, path] of [
          ['POST', `/api/v1/programme/versions/${earlier}/restore`],
          ['PUT', '/api/v1/programme'],
          ['POST', '/api/v1/programme/changes'],
        ] as const) {
          const refused = await api.call(method, path, start.config, { key: manager })
          expect(refused.status).toBe(403)
        }
        expect(
          (await api.call('GET', '/api/v1/programme/versions', undefined, { key: manager })).status,
        ).toBe(200)
      })

      it('a manager turns a reminder off and changes its timing, as a new programme version', async () => {
        const start = await current()
        const { templates, officialTemplates, ...settings } = start.config.reminders
        const saved = await api.call(
          'PUT',
          `/api/v1/reminders/settings?basedOn=${start.version}`,
          { ...settings, winBack: { ...settings.winBack, enabled: false }, sendAt: '11:30' },
          { key: manager },
        )
        expect(saved.status).toBe(200)
        expect(saved.body.version).toBe(start.version + 1)
        expect(saved.body.settings).toMatchObject({ sendAt: '11:30', winBack: { enabled: false } })
        expect(saved.body.settings.templates).toBeUndefined()
        const after = await current()
        expect(after.config.reminders).toMatchObject({ templates, officialTemplates })
        expect(after.config.name).toEqual(start.config.name)
        const diff = await api.call('GET', `/api/v1/programme/versions/${after.version}/diff`)
        expect(diff.body.changes.map((c: { path: string }) => c.path).sort()).toEqual([
          'reminders.sendAt',
          'reminders.winBack.enabled',
        ])
        const bad = await api.call(
          'PUT',
          '/api/v1/reminders/settings',
          { ...settings, pointsExpiring: { ...settings.pointsExpiring, daysBefore: 0 } },
          { key: manager },
        )
        expect(bad.status).toBe(400)
        expect(bad.body.error.details.field).toBe('pointsExpiring.daysBefore')
        const stale = await api.call(
          'PUT',
          `/api/v1/reminders/settings?basedOn=${start.version}`,
          settings,
          { key: manager },
        )
        expect(stale.status).toBe(409)
        expect((await current()).version).toBe(after.version)
        const pos = await api.call('PUT', '/api/v1/reminders/settings', settings, {
          key: api.posKey,
        })
        expect(pos.status).toBe(403)
      })

      it('a reminder text saved answers its programme version, and one based on an older version is refused', async () => {
        const start = await current()
        const text = { 'zh-CN': '{name}，回来看看吧', en: '{name}, come back' }
        const saved = await api.call(
          'PUT',
          `/api/v1/reminders/templates/win_back?basedOn=${start.version}`,
          { text },
          { key: manager },
        )
        expect(saved.status).toBe(200)
        expect(saved.body).toMatchObject({ kind: 'win_back', text, version: start.version + 1 })
        const stale = await api.call(
          'PUT',
          `/api/v1/reminders/templates/win_back?basedOn=${start.version}`,
          { text: null },
          { key: manager },
        )
        expect(stale.status).toBe(409)
        expect(stale.body.error.code).toBe('programme_changed')
        expect((await current()).config.reminders.templates.win_back).toEqual(text)
      })

      it('a reminder text is previewed for a sample member in both languages, its placeholders listed', async () => {
        const saved = await api.call(
          'POST',
          '/api/v1/reminders/templates/points_expiring/preview',
          {},
          { key: manager },
        )
        expect(saved.status).toBe(200)
        expect(saved.body.placeholders).toEqual([
          'name',
          'programme',
          'balance',
          'tier',
          'expiring',
          'date',
        ])
        expect(saved.body.rendered['zh-CN']).toMatch(/^王小明，你有300积分将于\d+月\d+日过期/)
        expect(saved.body.rendered.en).toMatch(/^Alex Wang, 300 of your points expire on /)
        expect(saved.body.unknown).toEqual([])
        const draft = await api.call(
          'POST',
          '/api/v1/reminders/templates/win_back/preview',
          { text: { 'zh-CN': '{name}，{balance}分 {coupon}', en: '{name}: {balance} {tier}' } },
          { key: manager },
        )
        expect(draft.body.rendered).toEqual({
          'zh-CN': '王小明，1280分',
          en: expect.stringMatching(/^Alex Wang: 1280 \S/),
        })
        expect(draft.body.unknown).toEqual(['coupon'])
        // A preview writes nothing, so the audit log does not keep it.
        const log = await api.call(
          'GET',
          '/api/v1/audit-log?operation=POST%20%2Fapi%2Fv1%2Freminders%2Ftemplates%2F%7Bkind%7D%2Fpreview',
        )
        expect(log.body.items).toEqual([])
        const pos = await api.call(
          'POST',
          '/api/v1/reminders/templates/win_back/preview',
          {},
          {
            key: api.posKey,
          },
        )
        expect(pos.status).toBe(403)
      })
    },
  )
}
