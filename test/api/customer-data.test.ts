import type { AddressInfo } from 'node:net'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { setTimeout } from 'node:timers/promises'
import { type ServerType, serve } from '@hono/node-server'
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
      /** The report of an import that writes, once its job is done. */
      const imported = async (body: string) => {
        const response = await upload(body)
        expect(response.status).toBe(202)
        await api.domain.importJobs.idle()
        return (await api.call('GET', `${response.headers.get('location')}?report=full`)).body
          .report
      }

      it('a dry run over the API reports line 3 and writes nothing', async () => {
        const response = await upload(FILE, '?dryRun=true')
        expect(response.status).toBe(200)
        const report = await response.json()
        expect(report).toMatchObject({ dryRun: true, rows: 3, created: 2, failed: 1 })
        expect(report.errors).toMatchObject([{ line: 3, column: 'phone', code: 'invalid_value' }])
        expect((await api.call('GET', '/api/v1/members?externalId=S-1')).body.items).toEqual([])
      })

      it('imports the good rows; the same upload again changes nothing', async () => {
        const first = await imported(FILE)
        expect(first).toMatchObject({ dryRun: false, created: 2, failed: 1 })
        const amy = (await api.call('GET', '/api/v1/members?externalId=S-1')).body.items[0]
        expect(amy).toMatchObject({ displayName: 'Amy', points: { balance: 40 } })
        expect((await api.call('GET', `/api/v1/members/${amy.id}/tags`)).body.tags).toEqual(['vip'])
        const second = await imported(FILE)
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
        const again = await imported(text)
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

      it('shows a member’s Official Account openid in the member view and the export, which imports back', async () => {
        const created = await api.call('POST', '/api/v1/members', {
          displayName: 'Oa',
          externalId: 'S-OA',
          officialOpenId: 'oOA_export_1',
        })
        expect(created.status).toBe(201)
        const view = await api.call('GET', `/api/v1/members/${created.body.id}`)
        expect(view.body.officialOpenId).toBe('oOA_export_1')
        const text = (await api.call('GET', '/api/v1/exports/members')).body as string
        const [header, ...lines] = text
          .replace(/^\uFEFF/, '')
          .trim()
          .split('\r\n')
        expect(header!.split(',').at(-1)).toBe('official_openid')
        expect(
          lines
            .find((line) => line.includes('S-OA'))!
            .split(',')
            .at(-1),
        ).toBe('oOA_export_1')
        const again = await imported(text)
        expect(again).toMatchObject({ created: 0, updated: 0, failed: 0 })
        const byOpenid = await imported('name,official_openid\r\nOa,oOA_export_1\r\n')
        expect(byOpenid).toMatchObject({ created: 0, failed: 0 })
      })
    },
  )
}

const p99 = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.99) - 1]!

// SQLite is the case that matters: better-sqlite3 answers synchronously, so an import that
// never stops for the event loop holds every request until the whole file is done.
describe('a large import over the API leaves the server answering [sqlite]', () => {
  let api: ApiFixture
  let server: ServerType
  let base: string
  beforeAll(async () => {
    api = await createApiFixture(databases[0]!)
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: api.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    })
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    // The first fetch loads the HTTP client and the first import compiles its code paths: once
    // per process, not a pause the import causes.
    await (await fetch(`${base}/healthz`)).arrayBuffer()
    await (await upload('external_id,name\nWARM-1,Warm', '?dryRun=true')).arrayBuffer()
  })
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve))
    await api?.store.cleanup()
  })

  // Each attempt imports members of its own, so that a retry's dry run finds none of them yet.
  let attempt = 0
  const file = (rows: number) =>
    [
      'external_id,name,phone,tags,points',
      ...Array.from(
        { length: rows },
        (_, i) => `EL${attempt}-${i},Member ${i},13${attempt}${String(i).padStart(8, '0')},bulk,10`,
      ),
    ].join('\n')
  const RESOLUTION_MS = 10

  const upload = (body: string, query: string) =>
    fetch(`${base}/api/v1/members/import${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.adminKey}`, 'content-type': 'text/csv' },
      body,
    })

  async function waitForJob(location: string) {
    for (;;) {
      const job = await (
        await fetch(`${base}${location}`, { headers: { authorization: `Bearer ${api.adminKey}` } })
      ).json()
      if (job.status !== 'queued' && job.status !== 'running') return job
      await setTimeout(20)
    }
  }

  /** Runs the import over HTTP while /healthz is asked again and again; latencies in ms. */
  async function importWhileAsking(rows: number, query: string) {
    const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
    delay.enable()
    let done = false
    // An import that writes is a job: it runs on after the 202, until its job is done.
    const running = upload(file(rows), query)
      .then(async (response) =>
        query.includes('dryRun')
          ? response.json()
          : (await waitForJob(response.headers.get('location')!)).report,
      )
      .finally(() => {
        done = true
      })
    const health: number[] = []
    while (!done) {
      const start = performance.now()
      const response = await fetch(`${base}/healthz`)
      expect(response.status).toBe(200)
      await response.arrayBuffer()
      health.push(performance.now() - start)
      await setTimeout(5)
    }
    const report = await running
    delay.disable()
    console.log(
      query,
      health.length,
      p99(health),
      delay.percentile(99) / 1e6,
      delay.max / 1e6,
      delay.min / 1e6,
      JSON.stringify(health.map((h, i) => [i, Math.round(h)]).filter(([, h]) => h! > 40)),
    )
    // The histogram holds whole timer intervals: the delay is what lies beyond the resolution.
    const loopP99 = delay.percentile(99) / 1e6 - RESOLUTION_MS
    return { report, healthP99: p99(health), loopP99 }
  }

  // The dry run reads only and is quick, so it gets the larger file: enough /healthz answers
  // for a p99 that one slow answer does not make.
  // Retried: on a loaded 2-core machine a GC pause or a WAL checkpoint can spike one run, while
  // an import that holds the loop (as it did, for seconds) fails every attempt.
  it(
    '/healthz answers under 100 ms p99 and the event loop stays under 50 ms p99 during a dry run of 15,000 rows and an import of 5,000',
    { retry: 2, timeout: 90_000 },
    async () => {
      attempt++
      const dry = await importWhileAsking(15_000, '?dryRun=true')
      expect(dry.report).toMatchObject({ dryRun: true, rows: 15_000, created: 15_000, failed: 0 })
      const real = await importWhileAsking(5_000, '')
      expect(real.report).toMatchObject({ dryRun: false, rows: 5_000, created: 5_000, failed: 0 })
      for (const run of [dry, real]) {
        expect(run.healthP99).toBeLessThan(100)
        expect(run.loopP99).toBeLessThan(50)
      }
    },
  )
})
