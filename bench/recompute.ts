import { spawn } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { setImmediate } from 'node:timers/promises'
import { runInNewContext } from 'node:vm'
import { setFlagsFromString } from 'node:v8'
import { sql } from 'kysely'
import pino from 'pino'
import { Telegraf } from 'telegraf'
import { type Db, createDb } from '../db/client.ts'
import { FloodGuard } from '../src/bots/core/flood-guard.ts'
import { TelegramSender } from '../src/bots/telegram/sender.ts'
import { PacedSender } from '../src/bots/wechat/sender.ts'
import { createDomain } from '../src/domain/index.ts'
import { systemClock } from '../src/shared/clock.ts'

const MEMBERS = Number(process.env.BENCH_RECOMPUTE_MEMBERS ?? 100_000)
const RUNS = 3
/** Tills posting at once, each one order after another. */
const LANES = 4
const ALONE_ORDERS = 400
const RECIPIENTS = 100_000

/**
 * `members` members and twice as many orders, made by the database itself from a counter (one
 * INSERT … SELECT each, in one transaction): ids, amounts and dates are spread by arithmetic,
 * so that both databases hold the same rows.
 */
async function generate(db: Db, members: number): Promise<void> {
  const pad = (value: string) =>
    sql.raw(`case when ${value} < 10 then '0' else '' end || (${value})`)
  const counter = (count: number) =>
    sql`with recursive n(i) as (select cast(0 as bigint) union all select i + 1 from n where i < ${sql.lit(count - 1)})`
  const instant = (year: string, month: string, day: string) =>
    sql`${sql.raw(year)} || '-' || ${pad(month)} || '-' || ${pad(day)} || 'T08:00:00.000Z'`
  await sql`${counter(members)}
    insert into members (id, code, display_name, locale, marketing_consent, privacy_consent_at,
      status, tier_code, tier_window_start, tier_window_end, points_balance, points_debt,
      lottery_chances, joined_at, updated_at)
    select 'mem_' || (1000000 + i), 'B' || (1000000 + i), 'Member ' || i, 'zh-CN', 1,
      ${instant('(2023 + i % 3)', '(1 + i % 11)', '(1 + i % 28)')}, 'active', 'member',
      ${instant('(2023 + i % 3)', '(1 + i % 11)', '(1 + i % 28)')}, '2027-01-01T00:00:00.000Z',
      0, 0, 0,
      ${instant('(2023 + i % 3)', '(1 + i % 11)', '(1 + i % 28)')},
      ${instant('(2023 + i % 3)', '(1 + i % 11)', '(1 + i % 28)')}
    from n`.execute(db)
  // Four members in five have bought, the low numbers far more often than the high ones.
  const buyers = Math.floor(members * 0.8)
  await sql`${counter(members * 2)}
    insert into orders (id, member_id, amount, currency, items_json, points_redeemed,
      points_earned, points_reversed, points_returned, refunded_amount, status, request_hash,
      response_json, programme_version, placed_at, created_at)
    select 'ord_' || i, 'mem_' || (1000000 + (i * 7919 % ${sql.lit(buyers)}) * (i % 3) / 2),
      1000 + i * 104729 % 99000, 'CNY', '[]', 0, 0, 0, 0,
      case when i % 50 = 0 then 1000 + i * 104729 % 99000 else 0 end,
      case when i % 50 = 0 then 'refunded' else 'completed' end, '', '', 1,
      ${instant('(2025 + i % 2)', '(1 + i * 7 % 11)', '(1 + i * 13 % 28)')},
      ${instant('(2025 + i % 2)', '(1 + i * 7 % 11)', '(1 + i * 13 % 28)')}
    from n`.execute(db)
}

function p99(latencies: number[]): number {
  const sorted = [...latencies].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0
}

const spread = (values: number[]) =>
  `${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))}`

/**
 * Order p99 of `LANES` tills posting through the domain, alone and while a recompute runs, on
 * one database: each measured `RUNS` times.
 */
async function ordersDuringRecompute(url: string): Promise<string[][]> {
  const store = createDb(url)
  try {
    await store.migrate()
    const { rows } = await (
      store.dialect === 'sqlite'
        ? sql<{ name: string }>`select 'SQLite ' || sqlite_version() as name`
        : sql<{ name: string }>`select
            'PostgreSQL ' || split_part(current_setting('server_version'), ' ', 1) as name`
    ).execute(store.db)
    const database = rows[0]!.name
    const domain = createDomain({ store, clock: systemClock })
    await domain.programme.ensureSeeded()
    console.error(`${database}: generating ${MEMBERS.toLocaleString('en-US')} members…`)
    await store.transaction((trx) => generate(trx, MEMBERS))
    await sql`analyze`.execute(store.db)

    let orderNo = 0
    const post = async (latencies: number[], failures: unknown[], more: () => boolean) => {
      while (more()) {
        const n = orderNo++
        const started = performance.now()
        try {
          await domain.orders.ingest({
            id: `bench-${n}`,
            member: { id: `mem_${1000000 + ((n * 7919) % MEMBERS)}` },
            amount: 1_000 + ((n * 104_729) % 99_000),
          })
          latencies.push(performance.now() - started)
        } catch (error) {
          failures.push(error)
        }
        // A till's next request arrives as a new event, never in the same microtask queue.
        await setImmediate()
      }
    }
    const lanes = (latencies: number[], failures: unknown[], more: () => boolean) =>
      Promise.all(Array.from({ length: LANES }, () => post(latencies, failures, more)))

    const alone: number[] = []
    const during: number[] = []
    const recomputeMs: number[] = []
    let failed = 0
    let posted = 0
    let classified = 0
    for (let run = 0; run < RUNS; run++) {
      console.error(`  run ${run + 1}: orders alone, then during a recompute…`)
      const latencies: number[] = []
      let left = ALONE_ORDERS
      await lanes(latencies, [], () => left-- > 0)
      alone.push(p99(latencies))

      const busy: number[] = []
      const failures: unknown[] = []
      let done = false
      const started = performance.now()
      const recompute = domain.segments.recompute().finally(() => (done = true))
      await Promise.all([recompute, lanes(busy, failures, () => !done)])
      recomputeMs.push(performance.now() - started)
      classified = (await recompute).members
      during.push(p99(busy))
      failed += failures.length
      posted += busy.length + failures.length
    }
    return [
      [
        database,
        `orders alone (${LANES} tills, ${ALONE_ORDERS} orders a run)`,
        spread(alone),
        '',
        '',
      ],
      [
        database,
        `orders during \`segments.recompute()\` of ${classified.toLocaleString('en-US')} members (${spread(recomputeMs)} ms)`,
        spread(during),
        String(posted),
        String(failed),
      ],
    ]
  } finally {
    await store.close()
  }
}

const gc = (() => {
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
})()

function memory(): { heap: number; rss: number } {
  const { heapUsed, rss } = process.memoryUsage()
  return { heap: heapUsed / 2 ** 20, rss: rss / 2 ** 20 }
}

/**
 * Heap and RSS before and after `RECIPIENTS` distinct recipients went through each structure
 * that is kept per recipient: the Telegram sender (real HTTP sends to the Bot API double in a
 * process of its own, so its record of calls is not in this heap), the WeChat sender (driven
 * on a clock that jumps instead of sleeping, as WeChat allows 500 messages a day) and the
 * flood guard.
 */
async function memoryAfterRecipients(): Promise<string[][]> {
  const child = spawn('node', ['--import', 'tsx', 'bench/bot-api-process.ts', '1000000000'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const { url } = JSON.parse((await lines.next()).value as string) as { url: string }
  const rows: string[][] = []
  const measure = async (name: string, run: () => Promise<number>) => {
    gc()
    const before = memory()
    const remembered = await run()
    const after = memory()
    gc()
    const collected = memory()
    const mb = (value: number) => value.toFixed(1)
    rows.push([
      name,
      `${mb(before.heap)} / ${mb(before.rss)}`,
      `${mb(after.heap)} / ${mb(after.rss)}`,
      `${mb(collected.heap)} / ${mb(collected.rss)}`,
      remembered.toLocaleString('en-US'),
    ])
  }
  try {
    console.error(`  ${RECIPIENTS.toLocaleString('en-US')} Telegram chats…`)
    const telegram = new Telegraf('123456:BENCH-token-for-the-fake-bot-api', {
      telegram: { apiRoot: url },
    }).telegram
    const telegramSender = new TelegramSender(telegram, { perSecond: 20_000, perChatMs: 1_000 })
    await measure('Telegram sender (`TelegramSender`), HTTP to the Bot API double', async () => {
      for (let start = 0; start < RECIPIENTS; start += 100) {
        await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            telegramSender.send(String(1_000_000 + start + i), { text: '你好' }),
          ),
        )
      }
      return telegramSender.chatsRemembered
    })

    console.error(`  ${RECIPIENTS.toLocaleString('en-US')} WeChat contacts…`)
    let time = Date.now()
    const wechatSender = new PacedSender(
      { dailyCap: RECIPIENTS },
      {
        logger: pino({ level: 'silent' }),
        clock: {
          now: () => time,
          sleep: (ms: number) => {
            time += ms
            return Promise.resolve()
          },
        },
      },
    )
    await measure('WeChat sender (`PacedSender`), pacing clock that jumps', async () => {
      for (let i = 0; i < RECIPIENTS; i++)
        await wechatSender.send(`wxid_${i}`, () => Promise.resolve())
      return wechatSender.chatsRemembered
    })

    console.error(`  ${RECIPIENTS.toLocaleString('en-US')} users through the flood guard…`)
    const guard = new FloodGuard()
    await measure('flood guard (`FloodGuard`)', () => {
      for (let i = 0; i < RECIPIENTS; i++) guard.check(`user-${i}`)
      return Promise.resolve(guard.size)
    })
  } finally {
    child.stdin.end()
  }
  return rows
}

const table = (rows: string[][]) => rows.map((cells) => `| ${cells.join(' | ')} |`).join('\n')

/** The BENCHMARKS.md sections of both scenarios, on each database given. */
export async function benchRecompute(
  fresh: (() => Promise<{ url: string; drop(): Promise<void> }>)[],
): Promise<string> {
  const orderRows: string[][] = []
  for (const create of fresh) {
    const database = await create()
    try {
      orderRows.push(...(await ordersDuringRecompute(database.url)))
    } finally {
      await database.drop()
    }
  }
  console.error('memory after 100,000 recipients…')
  const memoryRows = await memoryAfterRecipients()
  return `## Orders during a recompute

${MEMBERS.toLocaleString('en-US')} members and ${(2 * MEMBERS).toLocaleString('en-US')} orders, made by the database from a counter in one transaction, then \`analyze\`. ${LANES} tills post orders through the domain (\`orders.ingest\`, in the process that recomputes, as the server does), one after another each: first ${ALONE_ORDERS} orders alone, then for as long as a \`segments.recompute()\` runs beside them; ${RUNS} runs, the spread of the p99 over the runs is shown.

${table([
  ['database', 'scenario', 'order p99 ms (min–max of runs)', 'orders posted', 'failed'],
  ['---', '---', '--:', '--:', '--:'],
  ...orderRows,
])}

The recompute reads the members in pages of 500 by id, outside any transaction, twice (first the population the quintiles and ABC rank against, then each page to classify), and writes each page in a transaction of its own, yielding between pages, so an order waits for at most one page read or write.

## Memory after ${RECIPIENTS.toLocaleString('en-US')} recipients

Heap used / RSS in MB, before the recipients (after a GC), right after, and after a GC; "remembered" is what the structure still holds per recipient at the end.

${table([
  ['structure', 'before', 'after', 'after GC', 'remembered'],
  ['---', '--:', '--:', '--:', '--:'],
  ...memoryRows,
])}
`
}
