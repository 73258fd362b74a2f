import type { AddressInfo } from 'node:net'
import { setTimeout } from 'node:timers/promises'
import { type ServerType, serve } from '@hono/node-server'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb } from '../../db/client.ts'
import { createApp } from '../../src/api/app.ts'
import {
  IMPORT_KEEP_DAYS,
  IMPORT_STALE_MS,
  REPORT_LISTED,
} from '../../src/domain/customer-data/import-jobs.service.ts'
import { createDomain } from '../../src/domain/index.ts'
import { type ApiFixture, createApiFixture } from '../helpers/api.ts'
import { available, databases } from '../helpers/db.ts'

/** A file of `rows` good members, their external ids starting with `prefix`. */
const file = (rows: number, prefix: string) =>
  [
    'external_id,name,tags',
    ...Array.from({ length: rows }, (_, i) => `${prefix}-${i},Member ${i},bulk`),
  ].join('\n')

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 110_000) {
  const end = Date.now() + ms
  for (;;) {
    const value = await read()
    if (done(value)) return value
    if (Date.now() > end) throw new Error(`timed out; last: ${JSON.stringify(value)}`)
    await setTimeout(20)
  }
}

for (const database of databases) {
  describe.skipIf(!available(database))(`member imports as jobs [${database.name}]`, () => {
    let api: ApiFixture
    beforeAll(async () => {
      api = await createApiFixture(database)
    })
    afterAll(async () => {
      await api?.domain.importJobs.idle()
      await api?.store.cleanup()
    })
    const upload = (body: string, query = '') =>
      api.app.request(`/api/v1/members/import${query}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${api.adminKey}`, 'content-type': 'text/csv' },
        body,
      })
    const job = async (location: string) => (await api.call('GET', location)).body
    const finished = (location: string) =>
      until(
        () => job(location),
        (j) => ['done', 'failed', 'cancelled'].includes(j.status),
      )

    it('an import that writes answers 202 with the job at Location, and the job ends done with the report', async () => {
      const response = await upload(
        ['external_id,name,phone', 'J-1,Amy,13800138100', 'J-2,Ben,not-a-phone'].join('\n'),
      )
      expect(response.status).toBe(202)
      const location = response.headers.get('location')!
      const accepted = await response.json()
      expect(location).toBe(`/api/v1/imports/${accepted.id}`)
      expect(accepted).toMatchObject({ status: expect.stringMatching(/queued|running|done/) })
      expect(accepted.progress).toMatchObject({ bytesTotal: expect.any(Number) })
      const done = await finished(location)
      expect(done).toMatchObject({
        status: 'done',
        error: null,
        progress: { rowsTotal: 2, rowsRead: 2, created: 1, failed: 1 },
        report: { dryRun: false, rows: 2, created: 1, failed: 1 },
      })
      expect(done.progress.bytesRead).toBe(done.progress.bytesTotal)
      expect(done.report.errors).toMatchObject([{ line: 3, column: 'phone' }])
      expect(done.report.results).toBeUndefined()
      const full = await job(`${location}?report=full`)
      expect(full.report.results).toMatchObject([{ line: 2, action: 'create' }])
      const amy = (await api.call('GET', '/api/v1/members?externalId=J-1')).body.items
      expect(amy).toHaveLength(1)
    })

    it('an empty file is refused at once with 400, and no job is kept', async () => {
      const before = (await api.call('GET', '/api/v1/imports')).body.items.length
      for (const body of ['', '\uFEFF \r\n,,\n']) {
        const response = await upload(body)
        expect(response.status).toBe(400)
        expect((await response.json()).error).toMatchObject({
          code: 'invalid_input',
          message: 'the file is empty: no header line',
        })
      }
      expect((await api.call('GET', '/api/v1/imports')).body.items).toHaveLength(before)
    })

    it('a dry run stays synchronous: 200 with the report, no job', async () => {
      const before = (await api.call('GET', '/api/v1/imports')).body.items.length
      const response = await upload('external_id,name\nD-1,Dee', '?dryRun=true')
      expect(response.status).toBe(200)
      expect(await response.json()).toMatchObject({ dryRun: true, created: 1 })
      expect((await api.call('GET', '/api/v1/imports')).body.items).toHaveLength(before)
    })

    it(
      'progress advances while the job runs, and a second import waits queued behind it',
      { timeout: 120_000 },
      async () => {
        const first = await upload(file(1_000, 'P'))
        const second = await upload(file(3, 'Q'))
        const [one, two] = [first.headers.get('location')!, second.headers.get('location')!]
        expect((await second.json()).status).toBe('queued')
        const seen: number[] = []
        const done = await until(
          () => job(one),
          (j) => {
            seen.push(j.progress.rowsRead)
            return j.status === 'done'
          },
        )
        expect(seen.some((rows) => rows > 0 && rows < 1_000)).toBe(true)
        expect(seen).toEqual([...seen].sort((a, b) => a - b))
        expect(done.report).toMatchObject({ rows: 1_000, created: 1_000 })
        const after = await finished(two)
        expect(after).toMatchObject({ status: 'done', report: { created: 3 } })
        expect(after.startedAt >= done.finishedAt).toBe(true)
        const listed = (await api.call('GET', '/api/v1/imports')).body.items
        expect(listed.map((j: { id: string }) => j.id)).toEqual(
          expect.arrayContaining([one.split('/').pop(), two.split('/').pop()]),
        )
        expect(listed[0].report).toBeNull()
      },
    )

    it('cancelling a running import stops it before its next row; the rows already imported stay', async () => {
      const response = await upload(file(6_000, 'C'))
      const location = response.headers.get('location')!
      await until(
        () => job(location),
        (j) => j.progress.rowsRead > 0,
      )
      const cancelled = await api.call('DELETE', location)
      expect(cancelled.status).toBe(200)
      expect(cancelled.body.status).toBe('cancelled')
      await api.domain.importJobs.idle()
      const after = await job(location)
      expect(after).toMatchObject({ status: 'cancelled', report: null })
      expect(after.progress.rowsRead).toBeLessThan(6_000)
      const imported = await api.store.db
        .selectFrom('members')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('externalId', 'like', 'C-%')
        .executeTakeFirstOrThrow()
      expect(Number(imported.n)).toBeGreaterThanOrEqual(after.progress.created)
      expect(Number(imported.n)).toBeLessThan(6_000)
      const again = await api.call('DELETE', location)
      expect(again.status).toBe(409)
      expect(again.body.error.code).toBe('already_done')
    })

    it(
      'a job survives its client: the server that took the upload is closed and the report is still readable',
      { timeout: 120_000 },
      async () => {
        const server = await new Promise<ServerType>((resolve) => {
          const s = serve({ fetch: api.app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
            resolve(s),
          )
        })
        const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
        const response = await fetch(`${base}/api/v1/members/import`, {
          method: 'POST',
          headers: { authorization: `Bearer ${api.adminKey}`, 'content-type': 'text/csv' },
          body: file(1_500, 'S'),
        })
        const location = response.headers.get('location')!
        await response.arrayBuffer()
        await new Promise((resolve) => server.close(resolve))
        const done = await finished(location)
        expect(done).toMatchObject({ status: 'done', report: { created: 1_500 } })
      },
    )

    it('the report of a huge import lists at most 1,000 errors unless asked in full, with the totals', async () => {
      const rows = Array.from({ length: REPORT_LISTED + 5 }, (_, i) => `X-${i},`)
      const response = await upload(['external_id,name', ...rows].join('\n'))
      const done = await finished(response.headers.get('location')!)
      expect(done.report.failed).toBe(REPORT_LISTED + 5)
      expect(done.report.errors).toHaveLength(REPORT_LISTED)
      expect(done.reportTotals).toEqual({ errors: REPORT_LISTED + 5, warnings: 0 })
      const full = await job(`${response.headers.get('location')}?report=full`)
      expect(full.report.errors).toHaveLength(REPORT_LISTED + 5)
      expect(full.reportTotals).toBeNull()
    })

    it('imports are for admin keys only, and an unknown job is 404', async () => {
      const pos = await api.call('GET', '/api/v1/imports', undefined, { key: api.posKey })
      expect(pos.status).toBe(403)
      const missing = await api.call('GET', '/api/v1/imports/imp_nope')
      expect(missing.status).toBe(404)
      expect(missing.body.error.code).toBe('not_found')
    })

    it('the OpenAPI document describes the 202 with its Location and the job operations', async () => {
      const doc = (await api.call('GET', '/api/openapi.json', undefined, { key: null })).body
      const accepted = doc.paths['/api/v1/members/import'].post.responses['202']
      expect(accepted.headers.location).toBeDefined()
      expect(doc.paths['/api/v1/members/import'].post.description).toMatch(
        /whether or not the client that started it is still there/,
      )
      expect(Object.keys(doc.paths['/api/v1/imports/{id}'])).toEqual(
        expect.arrayContaining(['get', 'delete']),
      )
      expect(doc.paths['/api/v1/imports'].get).toBeDefined()
      expect(doc.components.schemas.ImportJob).toBeDefined()
    })

    it('a job whose process died is marked failed at the next sweep, saying to upload again; the rows it imported stay', async () => {
      // A second handle on the database plays the other process; closing it is its death.
      const other = createDb(api.store.url)
      const dying = createDomain({ store: other, clock: api.clock })
      const started = await dying.importJobs.start(Buffer.from(file(20_000, 'K')), {
        actor: 'test',
      })
      await until(
        () => api.domain.importJobs.get(started.id),
        (j) => j.progress.rowsRead > 0,
      )
      await other.close()
      await dying.importJobs.idle()
      expect((await api.domain.importJobs.get(started.id)).status).toBe('running')
      expect(await api.domain.importJobs.sweep()).toMatchObject({ interrupted: 0 })
      api.clock.advance(IMPORT_STALE_MS + 1_000)
      expect(await api.domain.importJobs.sweep()).toMatchObject({ interrupted: 1 })
      const failed = (await api.call('GET', `/api/v1/imports/${started.id}`)).body
      expect(failed.status).toBe('failed')
      expect(failed.error.code).toBe('interrupted')
      expect(failed.error.message).toMatch(/upload the same file again/i)
      const kept = await api.store.db
        .selectFrom('importJobs')
        .select('file')
        .where('id', '=', started.id)
        .executeTakeFirstOrThrow()
      expect(kept.file).toBeNull()
    })

    it('a server stopping marks its running and queued imports failed, to be uploaded again', async () => {
      const app = createApp({ domain: api.domain, logger: pino({ level: 'silent' }) })
      const other = createDomain({ store: api.store, clock: api.clock })
      const running = await other.importJobs.start(Buffer.from(file(20_000, 'T')), {
        actor: 'test',
      })
      const queued = await other.importJobs.start(Buffer.from(file(2, 'U')), { actor: 'test' })
      await until(
        () => other.importJobs.get(running.id),
        (j) => j.progress.rowsRead > 0,
      )
      await other.importJobs.stop()
      for (const id of [running.id, queued.id]) {
        const response = await app.request(`/api/v1/imports/${id}`, {
          headers: { authorization: `Bearer ${api.adminKey}` },
        })
        expect(await response.json()).toMatchObject({
          status: 'failed',
          error: { code: 'interrupted' },
        })
      }
    })

    it(`finished jobs are deleted after ${IMPORT_KEEP_DAYS} days`, async () => {
      const listed = (await api.call('GET', '/api/v1/imports')).body.items
      expect(listed.length).toBeGreaterThan(0)
      api.clock.advance(IMPORT_KEEP_DAYS * 86_400_000 + 60_000)
      expect((await api.domain.importJobs.sweep()).deleted).toBe(listed.length)
      expect((await api.call('GET', '/api/v1/imports')).body.items).toEqual([])
    })
  })
}
