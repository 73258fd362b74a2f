import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, release, tmpdir, type } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type ServerType, serve } from '@hono/node-server'
import autocannon, { type Request, type Result } from 'autocannon'
import { sql } from 'kysely'
import pg from 'pg'
import pino from 'pino'
import { createDb } from '../db/client.ts'
import { createApp } from '../src/api/app.ts'
import { createDomain } from '../src/domain/index.ts'
import { systemClock } from '../src/shared/clock.ts'

const DURATION = Number(process.env.BENCH_DURATION ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10)
const WARMUP = 2
const MEMBERS = 2000
const ORDER_REQUEST = fileURLToPath(new URL('./order-request.cjs', import.meta.url))

/** A fresh database for one run, dropped again afterwards. */
interface Database {
  url: string
  drop(): Promise<void>
}

async function freshSqlite(): Promise<Database> {
  const dir = mkdtempSync(join(tmpdir(), 'jifen-bench-'))
  return {
    url: `file:${join(dir, 'bench.db')}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  }
}

async function freshPostgres(serverUrl: string): Promise<Database> {
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: serverUrl })
    await client.connect()
    try {
      await client.query(statement)
    } finally {
      await client.end()
    }
  }
  const name = `jifen_bench_${randomBytes(6).toString('hex')}`
  await admin(`create database ${name}`)
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    // The pool is closed by then; force covers connections the server has not reaped yet.
    drop: () => admin(`drop database if exists ${name} with (force)`),
  }
}

/** Runs one scenario after its warm-up; anything but 2xx means the numbers measure failures. */
async function measure(url: string, scenario: string, requests: Request[]): Promise<Result> {
  console.error(`  ${scenario}…`)
  // A worker thread generates the load, so the server keeps the main thread to itself.
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION,
    workers: 1,
    warmup: { connections: CONNECTIONS, duration: WARMUP },
    requests,
  })
  if (result.non2xx || result.errors || result.timeouts) {
    throw new Error(
      `${scenario}: ${result.non2xx} non-2xx responses ${JSON.stringify(result.statusCodeStats)}, ` +
        `${result.errors} errors, ${result.timeouts} timeouts`,
    )
  }
  return result
}

/** autocannon measures latency in whole milliseconds. */
const ms = (value: number) => (value < 1 ? '<1' : String(value))

function row(database: string, scenario: string, result: Result, baseline?: [string, Result]) {
  const ratio = baseline
    ? `${(result.requests.average / baseline[1].requests.average).toFixed(3)} of ${baseline[0]}`
    : 'baseline'
  return [
    database,
    scenario,
    Math.round(result.requests.average).toLocaleString('en-US'),
    ms(result.latency.p50),
    ms(result.latency.p99),
    ratio,
    String(result.non2xx),
  ]
}

async function benchDatabase(url: string): Promise<{ description: string; rows: string[][] }> {
  const store = createDb(url)
  let server: ServerType | undefined
  try {
    await store.migrate()
    // The settings that decide write speed go into the report next to the version.
    const { rows: versions } = await (
      store.dialect === 'sqlite'
        ? sql<{ name: string; settings: string }>`select 'SQLite ' || sqlite_version() as name,
            'journal_mode=' || (select journal_mode from pragma_journal_mode) as settings`
        : sql<{ name: string; settings: string }>`select
            'PostgreSQL ' || split_part(current_setting('server_version'), ' ', 1) as name,
            'fsync=' || current_setting('fsync')
              || ', synchronous_commit=' || current_setting('synchronous_commit') as settings`
    ).execute(store.db)
    const { name: database, settings } = versions[0]!
    console.error(`${database}: registering ${MEMBERS} members…`)

    const domain = createDomain({ store, clock: systemClock })
    await domain.programme.ensureSeeded()
    const { key } = await domain.staff.createApiKey('bench', 'admin')
    // In batches, so that PostgreSQL's pool works in parallel; SQLite queues them anyway.
    const memberIds: string[] = []
    for (let i = 0; i < MEMBERS; i += 10) {
      const batch = Array.from({ length: 10 }, (_, j) =>
        domain.members.register({ displayName: `Member ${i + j}` }),
      )
      memberIds.push(...(await Promise.all(batch)).map((member) => member.id))
    }

    // The baselines live in the app under test so that they share its server and middleware.
    const app = createApp({ domain, logger: pino({ level: 'silent' }) })
    app.get('/bench/bare', (c) => c.json({ ok: true }))
    app.post('/bench/bare', async (c) => c.json(await c.req.json()))
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
        resolve(info.port),
      )
    })
    const base = `http://127.0.0.1:${port}`
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' }
    const orders = (path: string): Request[] => [
      { method: 'POST', path, headers, setupRequest: ORDER_REQUEST, memberIds },
    ]

    const bareGet = await measure(base, 'bare GET', [
      { method: 'GET', path: '/bench/bare', headers },
    ])
    const barePost = await measure(base, 'bare POST', orders('/bench/bare'))
    const ingested = await measure(base, 'orders', orders('/api/v1/orders'))
    // After the orders, so that members have points, lots and tier progress to show.
    const lookups = await measure(
      base,
      'balance look-ups',
      memberIds.map((id) => ({ method: 'GET', path: `/api/v1/members/${id}`, headers })),
    )
    return {
      description: `${database} (${settings})`,
      rows: [
        row(database, 'bare GET `/bench/bare`', bareGet),
        row(database, 'bare POST `/bench/bare` (echoes the order body)', barePost),
        row(database, 'orders ingested `POST /api/v1/orders`', ingested, ['bare POST', barePost]),
        row(database, 'balance look-ups `GET /api/v1/members/{id}`', lookups, [
          'bare GET',
          bareGet,
        ]),
      ],
    }
  } finally {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))
    await store.close()
  }
}

const postgresUrl = process.env.BENCH_DATABASE_URL
const fresh = [freshSqlite, ...(postgresUrl ? [() => freshPostgres(postgresUrl)] : [])]

const databases: string[] = []
const rows: string[][] = []
for (const create of fresh) {
  const database = await create()
  try {
    const result = await benchDatabase(database.url)
    databases.push(result.description)
    rows.push(...result.rows)
  } finally {
    await database.drop()
  }
}

const table = [
  ['database', 'scenario', 'req/s', 'p50 ms', 'p99 ms', 'ratio to baseline', 'non-2xx'],
  ['---', '---', '--:', '--:', '--:', '---', '--:'],
  ...rows,
]
  .map((cells) => `| ${cells.join(' | ')} |`)
  .join('\n')
console.log(table)

const cpu = cpus()
writeFileSync(
  new URL('../BENCHMARKS.md', import.meta.url),
  `# Benchmarks

Command: \`npm run bench\` (PostgreSQL too when \`BENCH_DATABASE_URL=postgres://…\` is set)

- Date: ${new Date().toISOString()}
- Machine: ${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length}, ${type()} ${release()}, Node ${process.version}
- Database${databases.length > 1 ? 's' : ''}: ${databases.join('; ')}, each created for the run and dropped after it
- Load: autocannon, ${CONNECTIONS} connections, ${DURATION} s per scenario after a ${WARMUP} s warm-up, from a worker thread of the server's process; ${MEMBERS.toLocaleString('en-US')} members registered beforehand, every order with a new id

${table}

The ratios are what to compare between runs and machines: each baseline is a bare Hono route added to the very app under test, served by the same server with the same middleware in the same run, so machine speed cancels out and the ratio is the share of server capacity left once our work is added. Orders are compared with a bare POST that parses and echoes the same JSON body, look-ups with a bare GET; a ratio of 0.10 means the endpoint costs about ten times a request that does nothing, the rest being API-key authentication, validation, the domain logic and its database round trips. The req/s and latencies themselves hold only for this machine and database.
`,
)
