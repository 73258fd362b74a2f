import { afterAll, beforeAll, expect, it } from 'vitest'
import { describe } from 'vitest'
import { type ApiFixture, createApiFixture } from '../helpers/api.ts'
import { available, databases } from '../helpers/db.ts'

const FILE = [
  'external_id,name,phone,tags,points',
  'S-1,Amy,13800138100,vip,40',
  'S-2,Ben,not-a-phone,,',
  'S-3,Cat,13800138102,,',
].join('\n')

for (const database of databases) {
  describe.skipIf(!available(database))(
    `CSV import and export over the API [${database.name}]`,
    () => {
      let api: ApiFixture
      beforeAll(async () => {
        api = await createApiFixture(database)
      })
      afterAll(async () => {
        await api?.store.cleanup()
      })
      const upload = (body: string, query = '', type = 'text/csv') =>
        api.app.request(`/api/v1/members/import${query}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${api.adminKey}`, 'content-type': type },
          body,
        })

      it('a dry run over the API reports line 3 and writes nothing', async () => {
        const response = await upload(FILE, '?dryRun=true')
        expect(response.status).toBe(200)
        const report = await response.json()
        expect(report).toMatchObject({ dryRun: true, rows: 3, created: 2, failed: 1 })
        expect(report.errors).toMatchObject([{ line: 3, column: 'phone', code: 'invalid_value' }])
        expect((await api.call('GET', '/api/v1/members?externalId=S-1')).body.items).toEqual([])
      })

      it('imports the good rows; the same upload again changes nothing', async () => {
        const first = await (await upload(FILE)).json()
        expect(first).toMatchObject({ dryRun: false, created: 2, failed: 1 })
        const amy = (await api.call('GET', '/api/v1/members?externalId=S-1')).body.items[0]
        expect(amy).toMatchObject({ displayName: 'Amy', points: { balance: 40 } })
        expect((await api.call('GET', `/api/v1/members/${amy.id}/tags`)).body.tags).toEqual(['vip'])
        const second = await (await upload(FILE)).json()
        expect(second).toMatchObject({ created: 0, unchanged: 2, failed: 1 })
      })

      it('refuses JSON where a CSV file is expected, and a pos key', async () => {
        const json = await upload('{"a":1}', '', 'application/json')
        expect(json.status).toBe(415)
        expect((await json.json()).error.code).toBe('unsupported_media_type')
        const pos = await api.call('GET', '/api/v1/exports/ledger', undefined, { key: api.posKey })
        expect(pos.status).toBe(403)
      })

      it('streams the members export as a CSV download that imports back', async () => {
        const response = await api.app.request('/api/v1/exports/members', {
          headers: { authorization: `Bearer ${api.adminKey}` },
        })
        expect(response.status).toBe(200)
        expect(response.headers.get('content-type')).toContain('text/csv')
        expect(response.headers.get('content-disposition')).toMatch(
          /attachment; filename="members-/,
        )
        const text = await response.text()
        expect(text).toContain("S-1,Amy,'+8613800138100")
        const again = await (await upload(text)).json()
        expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 2, failed: 0 })
      })

      it('filters the ledger export by time and refuses a bad bound', async () => {
        const all = await api.call('GET', '/api/v1/exports/ledger')
        expect(all.body).toContain('opening_balance')
        const later = await api.call('GET', '/api/v1/exports/ledger?from=2030-01-01T00:00:00Z')
        expect(later.body.trim().split('\r\n')).toHaveLength(1)
        const bad = await api.call('GET', '/api/v1/exports/ledger?from=yesterday')
        expect(bad.status).toBe(400)
        expect(bad.body.error.code).toBe('invalid_input')
      })
    },
  )
}
