import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ApiFixture, createApiFixture } from '../helpers/api.ts'
import { available, databases } from '../helpers/db.ts'

for (const db of databases) {
  describe.skipIf(!available(db))(
    `segments API [${db.name}${available(db) ? '' : ': skipped, TEST_DATABASE_URL not set'}]`,
    () => {
      let api: ApiFixture
      const member: Record<string, string> = {}
      beforeAll(async () => {
        api = await createApiFixture(db)
        for (const [name, consent] of [
          ['Ana', true],
          ['Bo', true],
          ['Cai', false],
        ] as const) {
          const created = await api.call('POST', '/api/v1/members', {
            displayName: name,
            marketingConsent: consent,
          })
          member[name] = created.body.id
        }
        await api.call('POST', '/api/v1/orders', {
          id: 'A-1',
          member: { id: member.Ana },
          amount: 9_900,
        })
      })
      afterAll(async () => {
        await api?.store.cleanup()
      })

      it('previews the size of a filter and a sample of its members before sending, for managers only', async () => {
        expect((await api.call('POST', '/api/v1/segments/recompute')).body).toMatchObject({
          members: 3,
        })
        // The sample names members: a till's key may not list them by any filter it likes.
        const till = await api.call(
          'POST',
          '/api/v1/segments/preview',
          { filter: {} },
          { key: api.posKey },
        )
        expect(till.status).toBe(403)
        const all = await api.call('POST', '/api/v1/segments/preview', { filter: {} })
        expect(all.status).toBe(200)
        expect(all.body).toMatchObject({ size: 2, computedAt: api.clock.now().toISOString() })
        // The sample is the members themselves, so the composer sees whom the filter reaches.
        expect(all.body.sample.map((m: { id: string }) => m.id)).toEqual(
          [member.Ana, member.Bo].sort(),
        )
        const buyers = await api.call('POST', '/api/v1/segments/preview', {
          filter: { lifecycle: ['first_time'], optedIn: false },
        })
        expect(buyers.body).toMatchObject({
          size: 1,
          sample: [
            {
              id: member.Ana,
              displayName: 'Ana',
              lifecycle: 'first_time',
              marketingConsent: true,
              lastPurchaseAt: expect.any(String),
            },
          ],
        })
      })

      it('refuses an invalid filter with 400 naming the field', async () => {
        const field = async (filter: unknown) => {
          const response = await api.call('POST', '/api/v1/segments/preview', { filter })
          return `${response.status} ${response.body.error.code} ${response.body.error.details.field}`
        }
        expect(await field({ lifecycle: ['sleeping'] })).toBe(
          '400 invalid_input filter.lifecycle.0',
        )
        expect(await field({ rfm: { r: { min: 4, max: 2 } } })).toBe(
          '400 invalid_input filter.rfm.r.max',
        )
        expect(await field({ tiers: ['platinum'] })).toBe('400 invalid_input filter.tiers.0')
        expect(await field({ lastPurchaseBefore: 'soon' })).toBe(
          '400 invalid_input filter.lastPurchaseBefore',
        )
        const saved = await api.call('POST', '/api/v1/segments', {
          name: 'x',
          filter: { abc: ['D'] },
        })
        expect([saved.status, saved.body.error.details.field]).toEqual([400, 'filter.abc.0'])
      })

      it('saves, lists, shows and deletes segments with their size; writes need an admin key', async () => {
        const body = { name: 'Buyers', filter: { lifecycle: ['first_time'] } }
        expect((await api.call('POST', '/api/v1/segments', body, { key: api.posKey })).status).toBe(
          403,
        )
        const created = await api.call('POST', '/api/v1/segments', body)
        expect(created.status).toBe(201)
        expect(created.body).toMatchObject({ name: 'Buyers', size: 1, filter: { optedIn: true } })
        const id = created.body.id
        const list = await api.call('GET', '/api/v1/segments', undefined, { key: api.posKey })
        expect(list.body.items.map((s: { id: string; size: number }) => [s.id, s.size])).toEqual([
          [id, 1],
        ])
        expect((await api.call('GET', `/api/v1/segments/${id}`)).body.size).toBe(1)
        expect(
          (await api.call('DELETE', `/api/v1/segments/${id}`, undefined, { key: api.posKey }))
            .status,
        ).toBe(403)
        expect(
          (await api.call('POST', '/api/v1/segments/recompute', undefined, { key: api.posKey }))
            .status,
        ).toBe(403)
        expect((await api.call('DELETE', `/api/v1/segments/${id}`)).status).toBe(200)
        expect((await api.call('GET', `/api/v1/segments/${id}`)).status).toBe(404)
      })

      it("lists a saved segment's members a page at a time and exports them as CSV; a till key may not", async () => {
        const created = await api.call('POST', '/api/v1/segments', {
          name: 'Subscribed',
          filter: {},
        })
        const id = created.body.id
        const path = `/api/v1/segments/${id}/members`
        expect((await api.call('GET', path, undefined, { key: api.posKey })).status).toBe(403)
        const first = await api.call('GET', `${path}?limit=1`)
        expect(first.status).toBe(200)
        expect(first.body.items).toHaveLength(1)
        expect(first.body.nextCursor).toBe(first.body.items[0].id)
        const second = await api.call('GET', `${path}?limit=1&cursor=${first.body.nextCursor}`)
        expect(second.body).toMatchObject({ items: [expect.any(Object)], nextCursor: null })
        const listed = [...first.body.items, ...second.body.items]
        expect(listed.map((m: { displayName: string }) => m.displayName).sort()).toEqual([
          'Ana',
          'Bo',
        ])
        expect(listed.find((m: { id: string }) => m.id === member.Ana)).toMatchObject({
          marketingConsent: true,
          points: expect.any(Number),
          tier: expect.any(String),
        })
        const csv = await api.app.request(`/api/v1/exports/members?segment=${id}`, {
          headers: { authorization: `Bearer ${api.adminKey}` },
        })
        expect(csv.status).toBe(200)
        const text = await csv.text()
        expect(text).toContain(',Ana,')
        expect(text).toContain(',Bo,')
        expect(text).not.toContain(',Cai,')
        expect((await api.call('GET', '/api/v1/segments/seg_nope/members')).status).toBe(404)
        const unknown = await api.call('GET', '/api/v1/exports/members?segment=seg_nope')
        expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } })
        const ledger = await api.call('GET', `/api/v1/exports/ledger?segment=${id}`)
        expect(ledger).toMatchObject({ status: 400, body: { error: { code: 'invalid_input' } } })
        await api.call('DELETE', `/api/v1/segments/${id}`)
      })

      it('tags members (admin), and a tag filter selects them', async () => {
        const path = `/api/v1/members/${member.Bo}/tags`
        expect((await api.call('POST', path, { tags: ['vip'] }, { key: api.posKey })).status).toBe(
          403,
        )
        const added = await api.call('POST', path, { tags: ['vip', '茶友', 'vip'] })
        expect(added.body).toEqual({ memberId: member.Bo, tags: ['vip', '茶友'] })
        expect((await api.call('POST', path, { tags: ['a/b'] })).body.error.details.field).toBe(
          'tags.0',
        )
        const preview = () =>
          api.call('POST', '/api/v1/segments/preview', { filter: { tags: ['茶友'] } })
        expect((await preview()).body.size).toBe(1)
        const removeUrl = `${path}/${encodeURIComponent('茶友')}`
        expect((await api.call('DELETE', removeUrl, undefined, { key: api.posKey })).status).toBe(
          403,
        )
        expect((await api.call('DELETE', removeUrl)).body.tags).toEqual(['vip'])
        expect((await preview()).body.size).toBe(0)
        expect((await api.call('GET', path, undefined, { key: api.posKey })).body.tags).toEqual([
          'vip',
        ])
        expect(
          (await api.call('POST', '/api/v1/members/nobody/tags', { tags: ['x'] })).status,
        ).toBe(404)
      })

      it('refuses a tag with a slash or any control character, and the document says so', async () => {
        const path = `/api/v1/members/${member.Bo}/tags`
        for (const tag of ['a/b', 'a\u0000b', 'a\u001fb', 'a\u007fb', 'a\u0085b', 'a\u009fb']) {
          const res = await api.call('POST', path, { tags: [tag] })
          expect([res.status, res.body.error?.details.field], JSON.stringify(tag)).toEqual([
            400,
            'tags.0',
          ])
        }
        expect((await api.call('POST', path, { tags: ['a\u00a0b'] })).status).toBe(200)
        const document = (await api.call('GET', '/api/openapi.json')).body
        const tags =
          document.paths['/api/v1/members/{id}/tags'].post.requestBody.content['application/json']
            .schema.properties.tags.items
        const pattern = new RegExp(tags.pattern, 'u')
        expect(['vip', '茶友', 'a\u00a0b'].every((tag) => pattern.test(tag))).toBe(true)
        expect(['a/b', 'a\u0000b', 'a\u0085b'].some((tag) => pattern.test(tag))).toBe(false)
      })

      it('documents the segment routes in the OpenAPI document', async () => {
        const doc = await api.call('GET', '/api/openapi.json')
        expect(Object.keys(doc.body.paths)).toEqual(
          expect.arrayContaining([
            '/api/v1/segments',
            '/api/v1/segments/{id}',
            '/api/v1/segments/preview',
            '/api/v1/segments/recompute',
            '/api/v1/members/{id}/tags',
            '/api/v1/members/{id}/tags/{tag}',
          ]),
        )
      })
    },
  )
}
