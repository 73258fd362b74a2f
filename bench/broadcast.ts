import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import pino from 'pino'
import { Telegraf } from 'telegraf'
import { createDb } from '../db/client.ts'
import { defaultProgramme } from '../db/seed/default-programme.ts'
import { TelegramSender, TELEGRAM_LIMITS } from '../src/bots/telegram/sender.ts'
import { createDomain } from '../src/domain/index.ts'
import { startOutboxWorker } from '../src/jobs/outbox-worker.ts'
import { systemClock } from '../src/shared/clock.ts'

const TOKEN = '123456:BENCH-token-for-the-fake-bot-api'

/**
 * A broadcast through the whole path (campaign, outbox, worker, Telegram sender) to a Bot API
 * double on 127.0.0.1 that enforces Telegram's 30 messages a second with 429s. The achieved
 * rate is reported as a ratio of that limit, beside the share of requests answered 429.
 */
export async function benchBroadcast(url: string, recipients: number): Promise<string[][]> {
  const child = spawn(
    'node',
    ['--import', 'tsx', 'bench/bot-api-process.ts', String(TELEGRAM_LIMITS.perSecond)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  )
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const next = async <T>(): Promise<T> => JSON.parse((await lines.next()).value as string) as T
  const api = await next<{ url: string }>()
  const store = createDb(url)
  try {
    await store.migrate()
    const domain = createDomain({ store, clock: systemClock })
    await domain.programme.replace({ ...defaultProgramme, quietHours: null })
    for (let i = 0; i < recipients; i += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, recipients - i) }, (_, j) =>
          domain.members.register({
            displayName: `B${i + j}`,
            telegramId: String(9_000_000 + i + j),
            marketingConsent: true,
          }),
        ),
      )
    }
    const campaign = await domain.campaigns.create(
      { name: 'bench', message: { text: '周末双倍积分！' }, segment: {} },
      'bench',
    )
    const telegram = new Telegraf(TOKEN, { telegram: { apiRoot: api.url } }).telegram
    const worker = startOutboxWorker({
      domain,
      logger: pino({ level: 'silent' }),
      senders: { telegram: new TelegramSender(telegram) },
      idleMs: 50,
    })
    while ((await domain.campaigns.get(campaign.id)).status !== 'completed')
      await new Promise((r) => setTimeout(r, 200))
    await worker.stop()
    child.stdin.write('stats\n')
    const { sends, tooMany } = await next<{ sends: number[]; tooMany: number }>()
    const seconds = (sends[sends.length - 1]! - sends[0]!) / 1_000
    const rate = (sends.length - 1) / seconds
    const refused = tooMany / (sends.length + tooMany)
    return [
      [
        `${recipients.toLocaleString('en-US')} messages through the outbox to a Bot API enforcing ${TELEGRAM_LIMITS.perSecond}/s`,
        `${rate.toFixed(1)}/s`,
        `${(rate / TELEGRAM_LIMITS.perSecond).toFixed(3)} of the limit`,
        `${(refused * 100).toFixed(2)}% (${tooMany})`,
      ],
    ]
  } finally {
    await store.close()
    child.stdin.end()
  }
}
