import { spawn } from 'node:child_process'
import { loadavg } from 'node:os'
import { createInterface } from 'node:readline'
import { type ServerType, serve } from '@hono/node-server'
import pino from 'pino'
import { Telegraf } from 'telegraf'
import type { Update } from 'telegraf/types'
import { createDb } from '../db/client.ts'
import { createApp } from '../src/api/app.ts'
import { telegramWebhookRoute } from '../src/api/routes/telegram-webhook.ts'
import { createConversation } from '../src/bots/core/conversation.ts'
import { createBot } from '../src/bots/telegram/create-bot.ts'
import { createDomain } from '../src/domain/index.ts'
import { systemClock } from '../src/shared/clock.ts'
import type { ChatLoad, ChatLoadResult } from './chat-load-process.ts'

const MEMBERS = 1_000
const RATES = [50, 100, 200]
const RUNS = 3
const WARMUP_SECONDS = 2
/** Seconds of each rate after its warm-up: BENCH_DURATION, as for the other scenarios. */
const SECONDS = Number(process.env.BENCH_DURATION ?? 10)
const DRAIN_MS = 30_000
const TOKEN = '123456:BENCH-token-of-the-loyalty-bot'
const BARE_TOKEN = '654321:BENCH-token-of-the-bare-bot'
const SECRET = 'bench-webhook-secret'
const logger = pino({ level: 'silent' })

interface Database {
  url: string
  drop(): Promise<void>
}

interface Figures {
  p50: number
  p99: number
  answeredP99: number
  unanswered: number
  failed: number
  worstLagMs: number
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

const figures = (result: ChatLoadResult): Figures => ({
  p50: percentile(result.latencies, 50),
  p99: percentile(result.latencies, 99),
  answeredP99: percentile(result.answered, 99),
  unanswered: result.unanswered,
  failed: result.failed,
  worstLagMs: result.worstLagMs,
})

/**
 * One run on a fresh database: the real adapter (`createBot`, webhook mode) and a bare Telegraf
 * bot behind two webhook routes of one server app, each loaded at every rate in turn by the
 * Telegram process (bench/chat-load-process.ts), which times each update to its reply.
 */
async function chatRun(url: string): Promise<Map<number, { bare: Figures; ours: Figures }>> {
  const child = spawn('node', ['--import', 'tsx', 'bench/chat-load-process.ts'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const next = async <T>(): Promise<T> => JSON.parse((await lines.next()).value as string) as T
  const store = createDb(url)
  let server: ServerType | undefined
  try {
    const api = await next<{ url: string }>()
    await store.migrate()
    const domain = createDomain({ store, clock: systemClock })
    await domain.programme.ensureSeeded()
    const chatIds = Array.from({ length: MEMBERS }, (_, i) => 7_000_000 + i)
    for (let i = 0; i < MEMBERS; i += 100) {
      await Promise.all(
        chatIds
          .slice(i, i + 100)
          .map((id) => domain.members.register({ displayName: `M${id}`, telegramId: String(id) })),
      )
    }
    const ours = createBot(TOKEN, {
      conversation: createConversation({ domain, logger }),
      logger,
      apiRoot: api.url,
    })
    // The baseline: what Telegraf itself costs, replying a constant to every message.
    const bare = new Telegraf(BARE_TOKEN, { telegram: { apiRoot: api.url, webhookReply: false } })
    bare.on('message', (ctx) => ctx.reply('ok'))
    const app = createApp({
      domain,
      logger,
      telegramWebhook: {
        path: '/telegram/ours',
        secret: SECRET,
        handle: (update) => ours.handleUpdate(update as Update),
      },
    })
    app.route(
      '/',
      telegramWebhookRoute({
        path: '/telegram/bare',
        secret: SECRET,
        handle: (update) => bare.handleUpdate(update as Update),
      }),
    )
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
        resolve(info.port),
      )
    })
    const base = `http://127.0.0.1:${port}`
    await ours.start({ url: `${base}/telegram/ours`, secret: SECRET })
    bare.botInfo = await bare.telegram.getMe()

    const load = async (path: string, rate: number): Promise<Figures> => {
      const work: ChatLoad = {
        webhook: `${base}${path}`,
        secret: SECRET,
        rate,
        warmupSeconds: WARMUP_SECONDS,
        seconds: SECONDS,
        chatIds,
        drainMs: DRAIN_MS,
      }
      child.stdin.write(`${JSON.stringify(work)}\n`)
      const result = await next<ChatLoadResult>()
      // A backlog left by one load must not be the next one's.
      await ours.idle()
      return figures(result)
    }
    const byRate = new Map<number, { bare: Figures; ours: Figures }>()
    for (const rate of RATES) {
      console.error(`  ${rate} updates/s…`)
      byRate.set(rate, {
        bare: await load('/telegram/bare', rate),
        ours: await load('/telegram/ours', rate),
      })
    }
    await ours.stop()
    return byRate
  } finally {
    child.stdin.end()
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))
    await store.close()
  }
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')

/** `low–high` of the runs, or one figure when they agree. */
function spread(values: number[], digits = 0): string {
  const show = (n: number) =>
    Number.isNaN(n)
      ? '–'
      : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
  const low = Math.min(...values)
  const high = Math.max(...values)
  return low === high ? show(low) : `${show(low)}–${show(high)}`
}

/**
 * The chat scenario of issue #15, `RUNS` times on a fresh database of each kind: the section
 * "Chat replies", run alone with `npm run bench -- --only chat`.
 */
export async function chatSection(fresh: (() => Promise<Database>)[]): Promise<string> {
  const startLoad = load()
  const rows: string[] = []
  const databases: string[] = []
  for (const create of fresh) {
    const runs: Map<number, { bare: Figures; ours: Figures }>[] = []
    let name = ''
    for (let run = 0; run < RUNS; run++) {
      const database = await create()
      name = database.url.startsWith('file:') ? 'SQLite' : 'PostgreSQL'
      console.error(`chat on ${name}, run ${run + 1} of ${RUNS}…`)
      try {
        runs.push(await chatRun(database.url))
      } finally {
        await database.drop()
      }
    }
    databases.push(name)
    for (const rate of RATES) {
      const all = runs.map((r) => r.get(rate)!)
      const of = (pick: (f: { bare: Figures; ours: Figures }) => number, digits = 0) =>
        spread(all.map(pick), digits)
      rows.push(
        `| ${name} | ${rate} | ${of((f) => f.bare.p50, 1)} | ${of((f) => f.bare.p99, 1)} | ${of((f) => f.ours.p50, 1)} | ${of((f) => f.ours.p99, 1)} | ${of((f) => f.bare.p99 / f.ours.p99, 3)} of bare | ${of((f) => f.ours.answeredP99, 1)} | ${all.map((f) => `${f.ours.unanswered}/${f.ours.failed}`).join(', ')} | ${of((f) => Math.max(f.bare.worstLagMs, f.ours.worstLagMs))} |`,
      )
    }
  }
  return `## Chat replies (issue #15)

Command: \`BENCH_DATABASE_URL=postgres://… npm run bench -- --only chat\` (this section alone; min–max over ${RUNS} runs, each on a fresh database; \`BENCH_DURATION\` sets the ${SECONDS} s of each rate)

- Date: ${new Date().toISOString()}; ${databases.join(', ')}; load average ${startLoad} at the start, ${load()} at the end

| database | updates/s | bare p50 ms | bare p99 ms | ours p50 ms | ours p99 ms | p99 ratio | ours webhook 200 p99 ms | ours unanswered/failed (each run) | worst lag of the schedule ms |
| --- | --: | --: | --: | --: | --: | --- | --: | --: | --: |
${rows.join('\n')}

${MEMBERS.toLocaleString('en-US')} members registered with Telegram ids send \`/points\` and \`/checkin\` in turn, one member after another, to the webhook of the real adapter (\`createBot\` in webhook mode, behind the route of the server app) at a fixed rate: an open loop, each update posted at its time on the schedule whatever the replies are doing, ${WARMUP_SECONDS} s of warm-up then ${SECONDS} s measured. The latency runs from the update's POST to the first message the bot sends to that chat, as the Bot API double on 127.0.0.1 receives it; the double and the sender of updates are one process of their own (\`bench/chat-load-process.ts\`), so both ends are timed on one clock outside the server's event loop. The baseline is a bare Telegraf bot replying a constant text, behind a second webhook route of the same app and server, to the same double, under the same schedule just before ours. The ratio is the bare p99 over ours: like the ratios of the orders, the share of the baseline's speed kept, 1.0 being as fast as a bot that does nothing. The goal is a p99 of at most 50 ms at 200 updates/s. The adapter answers the webhook once the update is queued on its chat's queue, before the reply is sent; the bare bot answers after its reply. Column "webhook 200" is how long Telegram waits for our 200: the route does no domain work, so a long wait there is the event loop busy with other updates' work (SQLite's driver is synchronous). The last column says how far the sending process fell behind its schedule; a figure near the latencies means the machine, not the server, held the updates back.
`
}
