/**
 * CPU per request of the API in-process, without HTTP or a load generator: the figure each
 * step of #15 was measured by before it was kept, and with `node --cpu-prof` the profile that
 * says where the time goes. `node --import tsx bench/api-cpu.ts orders|lookups [count]`.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import pino from 'pino'
import { createDb } from '../db/client.ts'
import { createApp } from '../src/api/app.ts'
import { createDomain } from '../src/domain/index.ts'
import { systemClock } from '../src/shared/clock.ts'
import { RATE_LIMIT_DEFAULTS } from '../src/shared/rate-limits.ts'

const scenario = process.argv[2] === 'lookups' ? 'lookups' : 'orders'
const count = Number(process.argv[3] ?? (scenario === 'orders' ? 3_000 : 6_000))
const IN_FLIGHT = 10
const WARM_UP = 300

const dir = mkdtempSync(join(tmpdir(), 'jifen-api-cpu-'))
const store = createDb(`file:${join(dir, 'bench.db')}`)
try {
  await store.migrate()
  const domain = createDomain({ store, clock: systemClock })
  await domain.programme.ensureSeeded()
  const { key } = await domain.staff.createApiKey('bench', 'admin')
  const memberIds: string[] = []
  for (let i = 0; i < 500; i++)
    memberIds.push((await domain.members.register({ displayName: `Member ${i}` })).id)
  const app = createApp({
    domain,
    logger: pino({ level: 'silent' }),
    rateLimits: { ...RATE_LIMIT_DEFAULTS, apiKey: { points: 1e9, seconds: 1 } },
  })
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' }
  let n = 0
  const request = async () => {
    const i = n++
    const response = await app.fetch(
      scenario === 'orders'
        ? new Request('http://bench/api/v1/orders', {
            method: 'POST',
            headers,
            body: JSON.stringify({
              id: `o-${i}`,
              member: { id: memberIds[i % memberIds.length] },
              amount: 100 + ((i * 7919) % 99_900),
            }),
          })
        : new Request(`http://bench/api/v1/members/${memberIds[i % memberIds.length]}`, {
            headers,
          }),
    )
    if (response.status >= 300) throw new Error(`${response.status} ${await response.text()}`)
  }
  for (let i = 0; i < WARM_UP; i++) await request()
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  for (let i = 0; i < count; i += IN_FLIGHT)
    await Promise.all(Array.from({ length: IN_FLIGHT }, request))
  const elapsed = performance.now() - started
  const cpu = process.cpuUsage(cpuBefore)
  console.log(
    `${scenario}: ${Math.round((count / elapsed) * 1_000)}/s, CPU ${Math.round((cpu.user + cpu.system) / count)} µs each`,
  )
} finally {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
}
