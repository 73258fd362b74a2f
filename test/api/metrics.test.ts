import { Writable } from 'node:stream'
import pino from 'pino'
import { beforeAll, expect, it } from 'vitest'
import { createApp } from '../../src/api/app.ts'
import type { MessageSender, SendResult } from '../../src/domain/ports.ts'
import { startOutboxWorker } from '../../src/jobs/outbox-worker.ts'
import { didWork, startScheduler } from '../../src/jobs/scheduler.ts'
import { type Metrics, createMetrics } from '../../src/metrics/metrics.ts'
import { describeOnDatabases } from '../helpers/domain.ts'

const TOKEN = 'metrics-token-for-the-tests-0123456789'
const logger = pino({ level: 'silent' })

/**
 * The value of one sample of Prometheus's text format: the line of `name` whose labels include
 * every one given (in any order); undefined when there is none.
 */
function sample(text: string, name: string, labels: Record<string, string> = {}) {
  const line = text.split('\n').find((candidate) => {
    if (!candidate.startsWith(`${name}{`) && !candidate.startsWith(`${name} `)) return false
    return Object.entries(labels).every(([key, value]) => candidate.includes(`${key}="${value}"`))
  })
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1))
}

/** A channel that always sends. */
const sender: MessageSender = {
  async send(_recipient, _message, beforeRequest): Promise<SendResult> {
    if (beforeRequest && !(await beforeRequest())) return { ok: false, abandoned: true }
    return { ok: true }
  },
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describeOnDatabases('/metrics for Prometheus', (get) => {
  let metrics: Metrics
  let app: ReturnType<typeof createApp>
  let adminKey: string
  beforeAll(async () => {
    metrics = createMetrics(get().domain)
    app = createApp({ domain: get().domain, logger, metrics: { metrics, token: TOKEN } })
    adminKey = (await get().domain.staff.createApiKey('metrics admin', 'admin')).key
  })
  const scrape = (authorization?: string) =>
    app.request('/metrics', { headers: authorization ? { authorization } : {} })

  it('refuses a scrape without the METRICS_TOKEN, or with another, as JSON with a stable code; without a token configured there is no /metrics', async () => {
    for (const authorization of [undefined, 'Bearer not-the-token', `Basic ${TOKEN}`, adminKey]) {
      const refused = await scrape(authorization)
      expect(refused.status).toBe(401)
      expect(refused.headers.get('www-authenticate')).toContain('Bearer')
      expect(await refused.json()).toMatchObject({ error: { code: 'unauthorized' } })
    }
    const without = createApp({ domain: get().domain, logger })
    const missing = await without.request('/metrics', {
      headers: { authorization: `Bearer ${TOKEN}` },
    })
    expect(missing.status).toBe(404)
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } })
  })

  it("with the token: request latency by the route's pattern (not the raw path), the outbox's depth by channel, the sends by outcome, channel health and imports", async () => {
    const member = await get().domain.members.register({
      displayName: 'Metered',
      telegramId: '8801',
    })
    const read = await app.request(`/api/v1/members/${member.id}`, {
      headers: { authorization: `Bearer ${adminKey}` },
    })
    expect(read.status).toBe(200)
    const { code } = await get().domain.staff.createInvite('owner')
    const owner = await get().domain.staff.acceptInvite(code, 'telegram', '8802', 'Owner')
    const text = { 'zh-CN': '测试', en: 'A test' }
    for (const dedupeKey of ['one', 'two'])
      await get().domain.outbox.enqueueStaffMessage({
        staffId: owner.id,
        kind: 'test',
        text,
        dedupeKey,
      })

    const answer = await scrape(`Bearer ${TOKEN}`)
    expect(answer.status).toBe(200)
    expect(answer.headers.get('content-type')).toContain('text/plain')
    const body = await answer.text()
    expect(
      sample(body, 'jifen_http_request_duration_seconds_count', {
        method: 'GET',
        route: '/api/v1/members/:id',
        status: '200',
      }),
    ).toBe(1)
    expect(body).not.toContain(member.id)
    expect(sample(body, 'jifen_outbox_depth', { channel: 'telegram', status: 'pending' })).toBe(2)
    expect(sample(body, 'jifen_outbox_depth', { channel: 'wechat', status: 'pending' })).toBe(0)
    expect(sample(body, 'jifen_webhook_deliveries_waiting')).toBe(0)
    expect(sample(body, 'jifen_import_jobs', { status: 'running' })).toBe(0)
    expect(sample(body, 'jifen_import_rows', { kind: 'read' })).toBe(0)
    expect(sample(body, 'jifen_process_resident_memory_bytes')).toBeGreaterThan(0)

    const worker = startOutboxWorker({
      domain: get().domain,
      logger,
      senders: { telegram: sender },
      idleMs: 20,
      metrics,
    })
    const sent = async () =>
      sample(await metrics.registry.metrics(), 'jifen_outbox_sends_total', {
        channel: 'telegram',
        outcome: 'sent',
      }) === 2
    await until(sent, 'two sends counted')
    await worker.stop()
    const drained = await (await scrape(`Bearer ${TOKEN}`)).text()
    expect(sample(drained, 'jifen_outbox_depth', { channel: 'telegram', status: 'pending' })).toBe(
      0,
    )

    // (Which also queues a notice to the owner on Telegram: the depth is not read after it.)
    await get().domain.channelHealth.report('wechat', 'down', 'logged out')
    const after = await (await scrape(`Bearer ${TOKEN}`)).text()
    expect(sample(after, 'jifen_channel_health', { channel: 'wechat', state: 'down' })).toBe(1)
    expect(sample(after, 'jifen_channel_health', { channel: 'wechat', state: 'up' })).toBe(0)
    // The scrapes before are counted too, under their own route.
    expect(
      sample(after, 'jifen_http_request_duration_seconds_count', {
        route: '/metrics',
        status: '200',
      }),
    ).toBe(2)
  })
})

describeOnDatabases('the periodic jobs in the log and in /metrics', (get) => {
  it('a run that found nothing due logs at debug, one that did something at info, and every run is counted by job and outcome', async () => {
    const lines: { level: number; msg: string; job?: string }[] = []
    const logs = pino(
      { level: 'debug' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number])
          done()
        },
      }),
    )
    const metrics = createMetrics(get().domain)
    const scheduler = startScheduler(
      get().domain,
      logs,
      [
        { name: 'idle-job', pattern: '0 0 1 1 *', run: async () => ({ members: 0, ms: 12 }) },
        { name: 'busy-job', pattern: '0 0 1 1 *', run: async () => ({ members: 3 }) },
        {
          name: 'broken-job',
          pattern: '0 0 1 1 *',
          run: async () => {
            throw new Error('boom')
          },
        },
      ],
      metrics,
    )
    // The scheduler runs every job once at start, to catch up.
    await until(async () => lines.filter((line) => line.job).length === 3, 'three runs logged')
    await scheduler.stop()
    const levelOf = (job: string) => lines.find((line) => line.job === job)?.level
    expect(levelOf('idle-job')).toBe(pino.levels.values.debug)
    expect(levelOf('busy-job')).toBe(pino.levels.values.info)
    expect(levelOf('broken-job')).toBe(pino.levels.values.error)
    const text = await metrics.registry.metrics()
    const runs = (job: string, outcome: string) =>
      sample(text, 'jifen_job_run_duration_seconds_count', { job, outcome })
    expect([
      runs('idle-job', 'done'),
      runs('busy-job', 'done'),
      runs('broken-job', 'failed'),
    ]).toEqual([1, 1, 1])
  })

  it('counts as work a positive count anywhere in the result, timings and dates aside', () => {
    expect(didWork(0)).toBe(false)
    expect(didWork(null)).toBe(false)
    expect(didWork({ members: 0, ms: 40, computedAt: '2026-12-03T10:00:00Z' })).toBe(false)
    expect(didWork({ queued: 0, skipped: 1, cancelled: 0 })).toBe(true)
    expect(didWork({ week: '2026-W49', members: 2, recipients: 1 })).toBe(true)
    expect(didWork(4)).toBe(true)
  })
})
