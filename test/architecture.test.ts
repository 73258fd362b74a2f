import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'
import { architecture } from '../eslint.config.js'

// The import rules alone: they need no type information, so files that do not exist can be
// linted as text. `npm run lint` runs them with the type-aware rules over the whole tree.
const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfigFile: true,
  overrideConfig: architecture,
})

async function violations(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`)
}

describe('the dependency direction of docs/architecture.md', () => {
  it('holds for every file of src/ and db/', async () => {
    const results = await eslint.lintFiles(['src/**/*.ts', 'src/**/*.tsx', 'db/**/*.ts'])
    const problems = results.flatMap((r) =>
      r.messages.map((m) => `${r.filePath}:${m.line} ${m.ruleId}: ${m.message}`),
    )
    expect(problems).toEqual([])
    expect(results.length).toBeGreaterThan(20)
  })

  it.each([
    ["import { Hono } from 'hono'", 'src/domain/members/x.ts'],
    ["import { Telegraf } from 'telegraf'", 'src/domain/x.ts'],
    ["import { createApp } from '../api/app.ts'", 'src/domain/x.ts'],
    ["import { WechatyBuilder } from 'wechaty'", 'src/api/routes/x.ts'],
    ["import { createDomain } from '../src/domain/index.ts'", 'db/x.ts'],
    ["import { createDomain } from '../domain/index.ts'", 'src/shared/x.ts'],
    ["import { Telegraf } from 'telegraf'", 'src/bots/core/x.ts'],
    ['export const port = process.env.PORT', 'src/api/x.ts'],
    ["import { Telegraf } from 'telegraf'", 'src/bots/wechat/x.ts'],
    ["import { createDomain } from '../../domain/index.ts'", 'src/bots/wechat/x.ts'],
    ["import { ChatQueue } from '../telegram/chat-queue.ts'", 'src/bots/wechat/x.ts'],
    ["import { WechatyBuilder } from 'wechaty'", 'src/bots/telegram/x.ts'],
    ["import { WechatyBuilder } from 'wechaty'", 'src/bots/wechat-official/x.ts'],
    ["import { toMessages } from '../wechat/send-reply.ts'", 'src/bots/wechat-official/x.ts'],
    ["import { Hono } from 'hono'", 'src/bots/wechat-official/x.ts'],
    // The pages' components are .tsx, and browser code all the same: not even a type of the API.
    ["import type { createApp } from '../../api/app.ts'", 'src/miniapp/member/x.tsx'],
    ["import { hc } from 'hono/client'", 'src/miniapp/ui/x.tsx'],
    ["import { Kysely } from 'kysely'", 'src/miniapp/ui/x.ts'],
    // The domain exposes numbers; the metrics registry is the adapters'.
    ["import { Counter } from 'prom-client'", 'src/domain/outbox/x.ts'],
    ["import type { Metrics } from '../../metrics/metrics.ts'", 'src/domain/outbox/x.ts'],
    ["import { Registry } from 'prom-client'", 'src/shared/x.ts'],
    ["import { createApp } from '../api/app.ts'", 'src/metrics/x.ts'],
  ])('refuses %s in %s', async (code, filePath) => {
    // By a rule of the architecture, not by a file the parser could not read.
    expect(await violations(code, filePath)).toContainEqual(
      expect.stringMatching(/^no-restricted-(imports|properties):/),
    )
  })

  it('lets an adapter implement the domain’s ports but not reach into the rest of the domain', async () => {
    const ports = "import type { MessageSender } from '../../domain/ports.ts'"
    expect(await violations(ports, 'src/bots/telegram/x.ts')).toEqual([])
    expect(await violations(ports, 'src/bots/wechat/x.ts')).toEqual([])
    const domain = "import { createDomain } from '../../domain/index.ts'"
    expect(await violations(domain, 'src/bots/telegram/x.ts')).not.toEqual([])
    const service = "import { OrdersService } from '../../domain/orders/orders.service.ts'"
    expect(await violations(service, 'src/bots/wechat/x.ts')).not.toEqual([])
  })

  it('lets adapters import their SDK and config.ts read the environment', async () => {
    expect(
      await violations("import { Telegraf } from 'telegraf'", 'src/bots/telegram/x.ts'),
    ).toEqual([])
    expect(
      await violations(
        "import { WechatyBuilder } from 'wechaty'\nimport { t } from '../core/i18n.ts'",
        'src/bots/wechat/x.ts',
      ),
    ).toEqual([])
    expect(await violations('export const port = process.env.PORT', 'src/config.ts')).toEqual([])
  })
})
