import { availableParallelism, loadavg } from 'node:os'
import { setTimeout } from 'node:timers/promises'
import { type ServerType, serve } from '@hono/node-server'
import pino from 'pino'
import { createDb } from '../db/client.ts'
import { createApp } from '../src/api/app.ts'
import { createDomain } from '../src/domain/index.ts'
import type { ImportJob } from '../src/domain/customer-data/import-jobs.service.ts'
import { systemClock } from '../src/shared/clock.ts'
import type { RateLimits } from '../src/shared/rate-limits.ts'

/** Members the look-ups ask for, registered before anything is measured. */
const LOOKUP_MEMBERS = 200
/** The probe's pace: one /healthz and one look-up every this many milliseconds. */
const PROBE_EVERY_MS = 20

export interface ImportBench {
  database: string
  rows: string[][]
  /** How long the import took, and its rate. */
  summary: string
}

const p = (values: number[], share: number) =>
  [...values].sort((a, b) => a - b)[Math.max(0, Math.ceil(values.length * share) - 1)] ?? NaN
const msCell = (value: number) => (value < 1 ? '<1' : value.toFixed(0))

/** A file of `rows` new members with every kind of cell an export has. */
function membersFile(rows: number): string {
  const lines = ['external_id,name,phone,tags,points,marketing_consent']
  for (let i = 0; i < rows; i++)
    lines.push(`IMP-${i},Member ${i},139${String(i).padStart(8, '0')},bulk;vip,10,yes`)
  return lines.join('\n')
}

/**
 * Live traffic beside a member import of `rows` rows through the API: a steady probe asks
 * `/healthz` and `GET /api/v1/members/{id}` alternately, first for `baselineMs` with nothing
 * else running (the same-run baseline), then while the import job runs, until it is done.
 */
export async function benchImport(
  url: string,
  rows: number,
  baselineMs: number,
  rateLimits: RateLimits,
): Promise<ImportBench> {
  const store = createDb(url)
  let server: ServerType | undefined
  try {
    await store.migrate()
    const domain = createDomain({ store, clock: systemClock })
    await domain.programme.ensureSeeded()
    const { key } = await domain.staff.createApiKey('bench import', 'admin')
    const members: string[] = []
    for (let i = 0; i < LOOKUP_MEMBERS; i++)
      members.push((await domain.members.register({ displayName: `Look-up ${i}` })).id)
    const app = createApp({ domain, logger: pino({ level: 'silent' }), rateLimits })
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
        resolve(info.port),
      )
    })
    const base = `http://127.0.0.1:${port}`
    const headers = { authorization: `Bearer ${key}` }
    const timed = async (path: string) => {
      const started = performance.now()
      const response = await fetch(`${base}${path}`, { headers })
      await response.arrayBuffer()
      if (!response.ok) throw new Error(`${path}: ${response.status}`)
      return performance.now() - started
    }
    /** Probes until `stop()` says so; latencies in ms per endpoint. */
    const probe = async (stop: () => boolean) => {
      const health: number[] = []
      const lookups: number[] = []
      for (let i = 0; !stop(); i++) {
        health.push(await timed('/healthz'))
        lookups.push(await timed(`/api/v1/members/${members[i % members.length]}`))
        await setTimeout(PROBE_EVERY_MS)
      }
      return { health, lookups }
    }

    const database = store.dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'
    console.error(`${database}: import bench, baseline probe for ${baselineMs / 1000} s…`)
    const until = performance.now() + baselineMs
    const alone = await probe(() => performance.now() > until)

    console.error(`  importing ${rows.toLocaleString('en-US')} rows through the API…`)
    const file = membersFile(rows)
    const started = performance.now()
    const accepted = await fetch(`${base}/api/v1/members/import`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'text/csv' },
      body: file,
    })
    if (accepted.status !== 202)
      throw new Error(`import: ${accepted.status} ${await accepted.text()}`)
    const location = accepted.headers.get('location')!
    let job: ImportJob = (await accepted.json()) as ImportJob
    const busy = probe(() => job.status !== 'queued' && job.status !== 'running')
    while (job.status === 'queued' || job.status === 'running') {
      await setTimeout(500)
      job = (await (await fetch(`${base}${location}`, { headers })).json()) as ImportJob
    }
    const during = await busy
    const seconds = (performance.now() - started) / 1000
    if (job.status !== 'done' || job.report?.created !== rows)
      throw new Error(`import ended ${job.status}: ${JSON.stringify(job.error ?? job.report)}`)

    const line = (what: string, values: number[], baseline?: number[]) => [
      database,
      what,
      String(values.length),
      msCell(p(values, 0.5)),
      msCell(p(values, 0.99)),
      msCell(Math.max(...values)),
      baseline ? `${(p(values, 0.99) / p(baseline, 0.99)).toFixed(2)} × alone` : 'baseline',
    ]
    return {
      database,
      rows: [
        line('`GET /healthz`, alone', alone.health),
        line('`GET /healthz` during the import', during.health, alone.health),
        line('`GET /api/v1/members/{id}`, alone', alone.lookups),
        line('`GET /api/v1/members/{id}` during the import', during.lookups, alone.lookups),
      ],
      // A shared machine's other work shows in every figure: the load says how much there was.
      summary: `${database}: load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores at the end; ${rows.toLocaleString('en-US')} rows (${(Buffer.byteLength(file) / 1024 / 1024).toFixed(1)} MB) imported in ${seconds.toFixed(0)} s, ${Math.round(rows / seconds).toLocaleString('en-US')} rows/s, from the upload to the job's done`,
    }
  } finally {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))
    await store.close()
  }
}

/** The table and its explanation, as BENCHMARKS.md shows them under `## Member import`. */
export function importSection(results: ImportBench[], rows: number, baselineMs: number): string {
  const table = [
    ['database', 'probe', 'answers', 'p50 ms', 'p99 ms', 'max ms', 'p99 ratio'],
    ['---', '---', '--:', '--:', '--:', '--:', '---'],
    ...results.flatMap((r) => r.rows),
  ]
    .map((cells) => `| ${cells.join(' | ')} |`)
    .join('\n')
  return `## Member import

Command: \`npm run bench -- --only import\` (this section alone; \`BENCH_IMPORT_ROWS\` changes the ${rows.toLocaleString('en-US')} rows)

${table}

${results.map((r) => `- ${r.summary}`).join('\n')}

A file of ${rows.toLocaleString('en-US')} new members (external id, name, phone, two tags, an opening balance, consent) is posted to \`POST /api/v1/members/import\` and runs as a job; meanwhile a probe in the same process asks \`/healthz\` and a member's look-up alternately, one pair every ${PROBE_EVERY_MS} ms, until the job is done. The baseline is the same probe for ${baselineMs / 1000} s on the same server just before, with nothing else running. The goal is a p99 under 100 ms for both during the import: the import stops for a turn of the event loop every 5 ms, so a request waits at most about that long for it, plus a row's transaction (on SQLite, whose driver is synchronous, the look-up also waits for the write lock between two rows).
`
}

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000)
const BASELINE_MS = 10_000

/** Runs the import bench on each fresh database; returns its BENCHMARKS.md section. */
export async function importBenchSection(
  fresh: (() => Promise<{ url: string; drop(): Promise<void> }>)[],
  rateLimits: RateLimits,
): Promise<string> {
  const results: ImportBench[] = []
  for (const create of fresh) {
    const database = await create()
    try {
      results.push(await benchImport(database.url, ROWS, BASELINE_MS, rateLimits))
    } finally {
      await database.drop()
    }
  }
  return importSection(results, ROWS, BASELINE_MS)
}
