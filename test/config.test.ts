import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ConfigError, channelStatus, loadConfig } from '../src/config.ts'

describe('configuration', () => {
  it('defaults to the embedded SQLite file on port 3000', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({
      PORT: 3000,
      DATABASE_URL: 'file:./data/jifen.db',
      LOG_LEVEL: 'info',
    })
  })

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://localhost/x' }, 'DATABASE_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ TELEGRAM_BOT_TOKEN: 'not-a-token' }, 'TELEGRAM_BOT_TOKEN'],
    [{ PUBLIC_URL: 'example' }, 'PUBLIC_URL'],
    [{ TELEGRAM_WEBHOOK_URL: 'https://shop.example/tg' }, 'TELEGRAM_WEBHOOK_SECRET'],
  ])('stops on %o naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError)
    expect(() => loadConfig(env)).toThrow(variable)
  })

  it('says why each bot is off', () => {
    const reasons = channelStatus(loadConfig({})).map((c) => c.reason)
    expect(reasons).toEqual(['TELEGRAM_BOT_TOKEN is not set', 'WECHATY_PUPPET is not set'])
  })

  it('.env.example lists every variable the configuration reads', () => {
    const example = readFileSync('.env.example', 'utf8')
    const source = readFileSync('src/config.ts', 'utf8')
    const variables = [...source.matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!)
    expect(variables.length).toBeGreaterThan(8)
    for (const variable of variables)
      expect(example).toMatch(new RegExp(`^#?\\s?${variable}=`, 'm'))
  })
})
