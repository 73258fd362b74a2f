import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, release, tmpdir, type } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { benchBroadcast } from './broadcast.ts'
import { TELEGRAM_LIMITS } from '../src/bots/telegram/sender.ts'
import { chatSection } from './chat.ts'
import { importBenchSection } from './import.ts'
import { benchRecompute } from './recompute.ts'
import { withSections } from './sections.ts'
import { performance } from 'node:perf_hooks'
import { type ServerType, serve } from '@hono/node-server'
import autocannon, { type Request, type Result } from 'autocannon'
import { sql } from 'kysely'
import pg from 'pg'
import pino from 'pino'
import { type Db, createDb } from '../db/client.ts'
import { createApp } from '../src/api/app.ts'
import { RATE_LIMIT_DEFAULTS, type RateLimits } from '../src/shared/rate-limits.ts'
import { createDomain } from '../src/domain/index.ts'
import { systemClock } from '../src/shared/clock.ts'

const DURATION = Number(process.env.BENCH_DURATION ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10)
const WARMUP = 2
const MEMBERS = 2000
const SEGMENT_MEMBERS = Number(process.env.BENCH_SEGMENT_MEMBERS ?? 100_000)
const SEGMENT_ORDERS = Number(process.env.BENCH_SEGMENT_ORDERS ?? 1_000_000)
const SEGMENT_RUNS = 3
const BROADCAST_RECIPIENTS = Number(process.env.BENCH_BROADCAST ?? 900)
/**
 * One key sends far more than a till would (autocannon holds every connection busy), so its
 * limit is raised out of reach for the run; the limiter still counts every request, so its cost
 * is in the figures.
 */
const BENCH_RATE_LIMITS: RateLimits = {
  ...RATE_LIMIT_DEFAULTS,
  apiKey: { points: 1_000_000, seconds: 1 },
}
const RATE_LIMIT_NOTE = `rate limit per API key raised for the run from ${RATE_LIMIT_DEFAULTS.apiKey.points} per ${RATE_LIMIT_DEFAULTS.apiKey.seconds} s to ${BENCH_RATE_LIMITS.apiKey.points.toLocaleString('en-US')} per ${BENCH_RATE_LIMITS.apiKey.seconds} s, still counted on every request`
const ORDER_REQUEST = fileURLToPath(new URL('./order-request.cjs', import.meta.url))

/** A fresh database for one run, dropped again afterwards. */
interface Database {
  url: string
  drop(): Promise<void>
}

function freshSqlite(): Promise<Database> {
  const dir = mkdtempSync(join(tmpdir(), 'jifen-bench-'))
  return Promise.resolve({
    url: `file:${join(dir, 'bench.db')}`,
    drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  })
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
    console.error(`${database}: ${RATE_LIMIT_NOTE}`)
    const app = createApp({
      domain,
      logger: pino({ level: 'silent' }),
      rateLimits: BENCH_RATE_LIMITS,
    })
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

/** A small seeded generator (mulberry32), so that every run classifies the same data. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** Inserts `count` rows made by `make`, `batch` rows per multi-row INSERT. */
async function insertRows<T>(
  count: number,
  batch: number,
  make: (i: number) => T,
  insert: (rows: T[]) => Promise<unknown>,
): Promise<void> {
  for (let start = 0; start < count; start += batch) {
    const rows: T[] = []
    for (let i = start; i < Math.min(count, start + batch); i++) rows.push(make(i))
    await insert(rows)
  }
}

const DAY_MS = 86_400_000
const REGIONS = ['上海', '北京', '广州', '深圳', '杭州', '成都', null]
const TIERS = ['member', 'member', 'member', 'silver', 'silver', 'gold', 'diamond']

/** The share of members who have bought; the others are new or potential customers. */
const BUYERS = 0.8

/**
 * Members who joined over three years and orders over the last two, written straight into the
 * tables (the API would take hours for a million orders): four members in five have bought,
 * a few of them very often; one order in twenty is partly refunded, one in fifty in full.
 */
async function generateCustomers(db: Db, now: Date): Promise<void> {
  const random = seeded(7)
  const pick = <T>(values: T[]) => values[Math.floor(random() * values.length)]!
  const memberId = (i: number) => `mem_${String(i).padStart(7, '0')}`
  const ago = (days: number) => new Date(now.getTime() - random() * days * DAY_MS).toISOString()
  // Both databases take at least 32,766 parameters a statement: 500 × 27 and 1,000 × 16 fit.
  await insertRows(
    SEGMENT_MEMBERS,
    500,
    (i) => {
      const joinedAt = ago(3 * 365)
      return {
        id: memberId(i),
        code: `B${String(i).padStart(7, '0')}`,
        displayName: `Member ${i}`,
        phone: null,
        birthday: null,
        region: pick(REGIONS),
        gender: null,
        locale: 'zh-CN',
        sourceChannel: null,
        referrerId: null,
        marketingConsent: random() < 0.8 ? 1 : 0,
        privacyConsentAt: joinedAt,
        status: 'active',
        mergedInto: null,
        tierCode: pick(TIERS),
        tierFloorCode: null,
        tierRetainedCode: null,
        tierWindowStart: joinedAt,
        tierWindowEnd: now.toISOString(),
        pointsBalance: 0,
        pointsDebt: 0,
        lotteryChances: 0,
        externalId: null,
        joinedAt,
        updatedAt: joinedAt,
      }
    },
    (rows) => db.insertInto('members').values(rows).execute(),
  )
  await insertRows(
    SEGMENT_ORDERS,
    1000,
    (i) => {
      const amount = 1_000 + Math.floor(random() * 99_000)
      const refund = random()
      const refundedAmount = refund < 0.02 ? amount : refund < 0.07 ? Math.floor(amount / 2) : 0
      const placedAt = ago(2 * 365)
      return {
        id: `ord_${i}`,
        // Squaring skews the buyers: low member numbers buy far more often than high ones.
        memberId: memberId(Math.floor(random() ** 2 * SEGMENT_MEMBERS * BUYERS)),
        amount,
        currency: 'CNY',
        itemsJson: '[]',
        pointsRedeemed: 0,
        pointsEarned: Math.floor(amount / 100),
        pointsReversed: 0,
        pointsReturned: 0,
        refundedAmount,
        status:
          refundedAmount === amount
            ? 'refunded'
            : refundedAmount > 0
              ? 'partially_refunded'
              : 'completed',
        requestHash: '',
        responseJson: '',
        programmeVersion: 1,
        placedAt,
        createdAt: placedAt,
      }
    },
    (rows) => db.insertInto('orders').values(rows).execute(),
  )
}

/** The median of `runs` timed calls of `fn`, after one untimed call that warms the caches. */
async function medianMs(fn: () => Promise<unknown>, runs = SEGMENT_RUNS): Promise<number> {
  await fn()
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    await fn()
    times.push(performance.now() - started)
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!
}

async function benchSegments(url: string): Promise<string[][]> {
  const store = createDb(url)
  try {
    await store.migrate()
    const { rows: versions } = await (
      store.dialect === 'sqlite'
        ? sql<{ name: string }>`select 'SQLite ' || sqlite_version() as name`
        : sql<{ name: string }>`select
            'PostgreSQL ' || split_part(current_setting('server_version'), ' ', 1) as name`
    ).execute(store.db)
    const database = versions[0]!.name
    const domain = createDomain({ store, clock: systemClock })
    await domain.programme.ensureSeeded()
    console.error(
      `${database}: generating ${SEGMENT_MEMBERS.toLocaleString('en-US')} members and ${SEGMENT_ORDERS.toLocaleString('en-US')} orders…`,
    )
    const generating = performance.now()
    await store.transaction((trx) => generateCustomers(trx, systemClock.now()))
    // Statistics, as autovacuum (PostgreSQL) or a maintenance job (SQLite) would gather them.
    await sql`analyze`.execute(store.db)
    console.error(`  generated in ${((performance.now() - generating) / 1000).toFixed(1)} s`)

    console.error('  grouped scan of the orders…')
    const scan = await medianMs(() =>
      sql`select member_id, count(*), sum(amount), max(placed_at) from orders group by member_id`.execute(
        store.db,
      ),
    )
    console.error('  recompute…')
    let classified = 0
    const recompute = await medianMs(async () => {
      classified = (await domain.segments.recompute()).members
    })
    console.error('  segment size…')
    let size = 0
    const count = await medianMs(async () => {
      size = await domain.segments.count({ lifecycle: ['at_risk'], valueClass: ['high', 'medium'] })
    })
    const ratio = (value: number) => `${(value / scan).toFixed(2)} × the grouped scan`
    const msCell = (value: number) => Math.round(value).toLocaleString('en-US')
    return [
      [
        database,
        '`select member_id, count(*), sum(amount), max(placed_at) from orders group by member_id`',
        msCell(scan),
        'baseline',
      ],
      [
        database,
        `\`segments.recompute()\`: ${classified.toLocaleString('en-US')} members classified`,
        msCell(recompute),
        ratio(recompute),
      ],
      [
        database,
        `\`segments.count()\` of valuable customers at risk (at_risk, value high or medium): ${size.toLocaleString('en-US')} members`,
        msCell(count),
        ratio(count),
      ],
    ]
  } finally {
    await store.close()
  }
}

const postgresUrl = process.env.BENCH_DATABASE_URL
const fresh = [freshSqlite, ...(postgresUrl ? [() => freshPostgres(postgresUrl)] : [])]

const ORDER_RUNS = 3

/**
 * Orders and look-ups against their bare baselines, `ORDER_RUNS` times on a fresh database
 * each, with the spread of the runs: the figures of issue #15, run alone with `--only orders`.
 */
async function ordersSection(): Promise<string> {
  const runs = new Map<string, string[][]>()
  let description = ''
  for (const create of fresh) {
    for (let run = 0; run < ORDER_RUNS; run++) {
      const database = await create()
      try {
        const result = await benchDatabase(database.url)
        description += run === 0 ? `; ${result.description}` : ''
        for (const cells of result.rows) {
          const key = `${cells[0]} | ${cells[1]}`
          runs.set(key, [...(runs.get(key) ?? []), cells])
        }
      } finally {
        await database.drop()
      }
    }
  }
  const spread = (values: string[]) => {
    const numbers = values.map((v) => Number(v.replace(/[<,]/g, '').split(' ')[0]))
    const low = Math.min(...numbers)
    const high = Math.max(...numbers)
    const digits = values[0]!.includes('.') ? 3 : 0
    const show = (n: number) =>
      n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    return low === high ? show(low) : `${show(low)}–${show(high)}`
  }
  const lines = [...runs.entries()].map(([key, all]) => {
    const ratio = all[0]![5]!
    const ratios =
      ratio === 'baseline'
        ? 'baseline'
        : `${spread(all.map((c) => c[5]!))} of ${ratio.split(' of ')[1]}`
    return `| ${key} | ${spread(all.map((c) => c[2]!))} | ${spread(all.map((c) => c[4]!))} | ${ratios} | ${all.map((c) => c[6]).join(', ')} |`
  })
  const cpu = cpus()
  return `## Orders and look-ups, ${ORDER_RUNS} runs (issue #15)

Command: \`BENCH_DATABASE_URL=postgres://… npm run bench -- --only orders\` (this section alone; min–max over ${ORDER_RUNS} runs, each on a fresh database)

- Date: ${new Date().toISOString()}; ${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length}, Node ${process.version}${description}
- Load: as in the table at the top (autocannon, ${CONNECTIONS} connections, ${DURATION} s per scenario after a ${WARMUP} s warm-up, ${MEMBERS.toLocaleString('en-US')} members); ${RATE_LIMIT_NOTE}
- ${loadNote()}

| database | scenario | req/s | p99 ms | ratio to baseline | non-2xx (each run) |
| --- | --- | --: | --: | --- | --: |
${lines.join('\n')}
`
}

const BENCH_LOAD_NOTE =
  process.env.BENCH_LOAD_NOTE ??
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')} at the start`

/**
 * What the machine was doing at the start: the last minute's load average above half the cores
 * means other work ran beside the bench, and the figures say so instead of passing for a quiet
 * machine's.
 */
function loadNote(): string {
  const [lastMinute = 0] = loadavg()
  if (lastMinute > cpus().length / 2)
    return `**The machine was loaded by other work when this was measured** (${BENCH_LOAD_NOTE}): the ratios hold better than the req/s, as a baseline and its scenario share the load, but they are not a quiet machine's figures.`
  return `Nothing else ran on the machine (${BENCH_LOAD_NOTE}; the 15-minute figure still counts work that had ended).`
}

// `npm run bench -- --only <scenario>` runs one scenario alone and rewrites only its sections.
const BROADCAST_RUNS = 3

/** The broadcast `BROADCAST_RUNS` times, each on a fresh SQLite database: #15's send-rate goal. */
async function broadcastSection(): Promise<string> {
  const rows: string[][] = []
  for (let run = 0; run < BROADCAST_RUNS; run++) {
    const database = await freshSqlite()
    try {
      const [cells] = await benchBroadcast(database.url, BROADCAST_RECIPIENTS)
      rows.push([String(run + 1), ...cells!.slice(1)])
    } finally {
      await database.drop()
    }
  }
  return `## Broadcast send rate, ${BROADCAST_RUNS} runs (issue #15)

Command: \`npm run bench -- --only broadcast\` (this section alone; each run on a fresh SQLite database)

- Date: ${new Date().toISOString()}; ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, Node ${process.version}
- ${BROADCAST_RECIPIENTS.toLocaleString('en-US')} messages through the outbox to a Bot API enforcing ${TELEGRAM_LIMITS.perSecond}/s, as in "Broadcast send rate" above
- ${loadNote()}

| run | achieved rate | ratio | answered 429 |
| --: | --: | --- | --: |
${rows.map((cells) => `| ${cells.join(' | ')} |`).join('\n')}
`
}

const ALONE: Record<string, () => Promise<string>> = {
  orders: ordersSection,
  broadcast: broadcastSection,
  import: () => importBenchSection(fresh, BENCH_RATE_LIMITS),
  recompute: () => benchRecompute(fresh),
  chat: () => chatSection(fresh),
}
const only = process.argv.includes('--only')
  ? process.argv[process.argv.indexOf('--only') + 1]
  : undefined
const benchmarksFile = new URL('../BENCHMARKS.md', import.meta.url)
if (only !== undefined) {
  const scenario = ALONE[only]
  if (!scenario) {
    throw new Error(
      `--only ${only}: the scenarios that run alone are: ${Object.keys(ALONE).join(', ')}`,
    )
  }
  const sections = await scenario()
  console.log(sections)
  writeFileSync(benchmarksFile, withSections(readFileSync(benchmarksFile, 'utf8'), sections))
  process.exit(0)
}

const databases: string[] = []
const rows: string[][] = []
const segmentRows: string[][] = []
for (const create of fresh) {
  const database = await create()
  try {
    const result = await benchDatabase(database.url)
    databases.push(result.description)
    rows.push(...result.rows)
  } finally {
    await database.drop()
  }
  const segments = await create()
  try {
    segmentRows.push(...(await benchSegments(segments.url)))
  } finally {
    await segments.drop()
  }
}

// The send rate is the platform's limit, not the database's: one run on SQLite says it.
const broadcastDb = await freshSqlite()
let broadcastRows: string[][]
try {
  broadcastRows = await benchBroadcast(broadcastDb.url, BROADCAST_RECIPIENTS)
} finally {
  await broadcastDb.drop()
}
const broadcastTable = [
  ['scenario', 'achieved rate', 'ratio', 'answered 429'],
  ['---', '--:', '---', '--:'],
  ...broadcastRows,
]
  .map((cells) => `| ${cells.join(' | ')} |`)
  .join('\n')
console.log(broadcastTable)

const table = [
  ['database', 'scenario', 'req/s', 'p50 ms', 'p99 ms', 'ratio to baseline', 'non-2xx'],
  ['---', '---', '--:', '--:', '--:', '---', '--:'],
  ...rows,
]
  .map((cells) => `| ${cells.join(' | ')} |`)
  .join('\n')
console.log(table)
const segmentTable = [
  ['database', 'scenario', `ms (median of ${SEGMENT_RUNS})`, 'ratio to baseline'],
  ['---', '---', '--:', '---'],
  ...segmentRows,
]
  .map((cells) => `| ${cells.join(' | ')} |`)
  .join('\n')
console.log(segmentTable)
const recomputeSections = await benchRecompute(fresh)
console.log(recomputeSections)

const importText = await importBenchSection(fresh, BENCH_RATE_LIMITS)
const chatText = await chatSection(fresh)

const cpu = cpus()
writeFileSync(
  benchmarksFile,
  `# Benchmarks

Command: \`npm run bench\` (PostgreSQL too when \`BENCH_DATABASE_URL=postgres://…\` is set)

- Date: ${new Date().toISOString()}
- Machine: ${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length}, ${type()} ${release()}, Node ${process.version}
- Database${databases.length > 1 ? 's' : ''}: ${databases.join('; ')}, each created for the run and dropped after it
- Load: autocannon, ${CONNECTIONS} connections, ${DURATION} s per scenario after a ${WARMUP} s warm-up, from a worker thread of the server's process; ${MEMBERS.toLocaleString('en-US')} members registered beforehand, every order with a new id; ${RATE_LIMIT_NOTE}

${table}

The ratios are what to compare between runs and machines: each baseline is a bare Hono route added to the very app under test, served by the same server with the same middleware in the same run, so machine speed cancels out and the ratio is the share of server capacity left once our work is added. Orders are compared with a bare POST that parses and echoes the same JSON body, look-ups with a bare GET; a ratio of 0.10 means the endpoint costs about ten times a request that does nothing, the rest being API-key authentication, validation, the domain logic and its database round trips. The req/s and latencies themselves hold only for this machine and database.

## Broadcast send rate

${broadcastTable}

A campaign to ${BROADCAST_RECIPIENTS.toLocaleString('en-US')} members goes the whole way: the campaign resolves its segment into outbox rows, the worker claims them with a lease and sends through the Telegram sender, to a Bot API double on 127.0.0.1, in a process of its own as Telegram is, that answers 429 (retry after 1 s) to any send beyond 30 in a second. The rate is measured from the first message to the last; the goal is at least 0.95 of the limit with fewer than 1% of the requests answered 429. The sender starts requests one at a time, each 1/29.1 s after the previous one was due (counted from its real start instead when its timer fired more than 10 ms late), so that a late timer costs no rate and no second ever holds more than 30 of them.

## Segments

${SEGMENT_MEMBERS.toLocaleString('en-US')} members and ${SEGMENT_ORDERS.toLocaleString('en-US')} orders over two years, generated with a fixed seed and written straight into a fresh database of each kind (multi-row INSERTs in one transaction, then \`analyze\`); each timing is the median of ${SEGMENT_RUNS} runs after one warm-up run.

${segmentTable}

The baseline is the least any classification must do: one grouped pass over the orders, run on the same database in the same run, its rows returned to Node. \`recompute()\` reads the members and their purchases (net of refunds, without orders refunded in full) in pages of 500 by member id twice, first to learn the population that R, F, M and ABC rank against (sorted in memory), then to classify each page and rewrite its \`member_segments\` rows in a short transaction of its own; its ratio is what that costs over the bare scan, which is one statement that holds SQLite's only connection throughout. \`count()\` is the size shown before sending, read from the classification without touching the orders. PostgreSQL may run the bare scan with parallel workers. What the pages buy, orders that never wait for the recompute, is in the next section.

${recomputeSections}

${importText}

${chatText}`,
)
