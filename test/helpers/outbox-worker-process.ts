// A worker process for the crash tests: sends the outbox of DATABASE_URL through the Bot API
// at TELEGRAM_API_ROOT until it is killed (SIGKILL) or stopped (SIGTERM, gracefully).
import pino from 'pino'
import { Telegraf } from 'telegraf'
import { createDb } from '../../db/client.ts'
import { TelegramSender } from '../../src/bots/telegram/sender.ts'
import { createDomain } from '../../src/domain/index.ts'
import { startOutboxWorker } from '../../src/jobs/outbox-worker.ts'
import type { Clock } from '../../src/shared/clock.ts'

const env = process.env
// The test's time (CLOCK_NOW), moving on in real time from there: the test queued its messages
// on its own clock, and their send and expiry times are on it.
const offset = Date.parse(env.CLOCK_NOW!) - Date.now()
const clock: Clock = { now: () => new Date(Date.now() + offset) }
const store = createDb(env.DATABASE_URL!)
const domain = createDomain({ store, clock })
const telegram = new Telegraf(env.TELEGRAM_BOT_TOKEN!, {
  telegram: { apiRoot: env.TELEGRAM_API_ROOT! },
}).telegram
const worker = startOutboxWorker({
  domain,
  logger: pino({ level: 'warn' }),
  senders: { telegram: new TelegramSender(telegram) },
  idleMs: 100,
})
process.stdout.write('worker ready\n')
process.on('SIGTERM', () => {
  void worker.stop().then(async () => {
    await store.close()
    process.exit(0)
  })
})
