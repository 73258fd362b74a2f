import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ConfigError, channelStatus, loadConfig, officialAccountOf } from '../src/config.ts'

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
    [{ WECHAT_RECIPIENT_PAUSE_MS: '5000-3000' }, 'WECHAT_RECIPIENT_PAUSE_MS'],
    [{ WECHAT_SEND_PER_MINUTE: '0' }, 'WECHAT_SEND_PER_MINUTE'],
    [{ WECHATY_PUPPET: 'wechaty-puppet-service' }, 'WECHATY_PUPPET_SERVICE_TOKEN'],
    [{ RATE_LIMIT_API_KEY: '100 a second' }, 'RATE_LIMIT_API_KEY'],
    [{ RATE_LIMIT_MEMBER: '0/10s' }, 'RATE_LIMIT_MEMBER'],
    [{ TRUST_PROXY: 'yes' }, 'TRUST_PROXY'],
    [{ WECHAT_OA_APP_ID: 'wx0123456789abcdef' }, 'WECHAT_OA_APP_SECRET'],
    [{ WECHAT_OA_APP_ID: 'my-account' }, 'WECHAT_OA_APP_ID'],
    [{ WECHAT_OA_AES_KEY: 'short' }, 'WECHAT_OA_AES_KEY'],
    [{ WECHAT_OA_API_ROOT: 'localhost' }, 'WECHAT_OA_API_ROOT'],
    [{ METRICS_TOKEN: 'guessable' }, 'METRICS_TOKEN'],
  ])('stops on %o naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError)
    expect(() => loadConfig(env)).toThrow(variable)
  })

  it('says why each bot is off', () => {
    const reasons = channelStatus(loadConfig({})).map((c) => c.reason)
    expect(reasons).toEqual([
      'TELEGRAM_BOT_TOKEN is not set',
      'WECHATY_PUPPET is not set',
      'WECHAT_OA_APP_ID, WECHAT_OA_APP_SECRET and WECHAT_OA_TOKEN are not set',
    ])
  })

  it('turns the Official Account on with its AppID, secret and token, in safe mode with the EncodingAESKey', () => {
    const env = {
      WECHAT_OA_APP_ID: 'wx0123456789abcdef',
      WECHAT_OA_APP_SECRET: 'secret',
      WECHAT_OA_TOKEN: 'jifen2026',
    }
    const plain = loadConfig(env)
    expect(officialAccountOf(plain)).toEqual({
      appId: 'wx0123456789abcdef',
      appSecret: 'secret',
      token: 'jifen2026',
      aesKey: undefined,
      apiRoot: 'https://api.weixin.qq.com',
    })
    expect(channelStatus(plain)[2]).toEqual({
      channel: 'wechat_official',
      enabled: true,
      reason:
        'Official Account wx0123456789abcdef at /wechat/official, plain mode (set WECHAT_OA_AES_KEY for safe mode)',
    })
    const aesKey = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG'
    const safe = loadConfig({ ...env, WECHAT_OA_AES_KEY: aesKey })
    expect(officialAccountOf(safe)?.aesKey).toBe(aesKey)
    expect(channelStatus(safe)[2]?.reason).toContain('safe mode (encrypted messages)')
    expect(officialAccountOf(loadConfig({}))).toBeUndefined()
  })

  it('turns WeChat on with WECHATY_PUPPET, paced as platforms.md advises unless told otherwise', () => {
    const config = loadConfig({ WECHATY_PUPPET: 'wechaty-puppet-wechat4u' })
    expect(config).toMatchObject({
      WECHAT_SEND_PER_MINUTE: 40,
      WECHAT_CHAT_INTERVAL_MS: 3_000,
      WECHAT_RECIPIENT_PAUSE_MS: [3_000, 5_000],
      WECHAT_DAILY_CAP: 500,
      WECHAT_FRIEND_INTERVAL_MS: 60_000,
    })
    expect(channelStatus(config)[1]).toEqual({
      channel: 'wechat',
      enabled: true,
      reason: 'wechaty-puppet-wechat4u, at most 40 messages a minute and 500 a day',
    })
    expect(loadConfig({ WECHAT_RECIPIENT_PAUSE_MS: '2000' }).WECHAT_RECIPIENT_PAUSE_MS).toEqual([
      2_000, 2_000,
    ])
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
