// A webhook worker process for the crash test: delivers the webhooks of DATABASE_URL until it
// is killed (SIGKILL). Its lease is short so that the next process takes over within seconds.
import pino from 'pino'
import { createDb } from '../../db/client.ts'
import { createDomain } from '../../src/domain/index.ts'
import { startWebhookWorker } from '../../src/jobs/webhook-worker.ts'
import { systemClock } from '../../src/shared/clock.ts'

const env = process.env
const store = createDb(env.DATABASE_URL!)
const domain = createDomain(
  { store, clock: systemClock },
  {
    webhooks: {
      secretKey: Buffer.from(env.WEBHOOK_SECRET_KEY!, 'hex'),
      allowPrivateUrls: true,
    },
  },
)
startWebhookWorker({
  domain,
  logger: pino({ level: 'warn' }),
  allowPrivateUrls: true,
  timeoutMs: 30_000,
  leaseMs: Number(env.LEASE_MS),
  idleMs: 50,
})
process.stdout.write('worker ready\n')
