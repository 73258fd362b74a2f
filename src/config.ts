import { config as loadDotenv } from 'dotenv'
import { z } from 'zod'
import { RATE_LIMIT_DEFAULTS, type Rate } from './shared/rate-limits.ts'

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === '' ? undefined : value))

/** `<requests>/<seconds>s`, e.g. `100/2s`: at most that many requests in each such window. */
function rate(fallback: Rate) {
  return z
    .string()
    .default(`${fallback.points}/${fallback.seconds}s`)
    .transform((value, ctx): Rate => {
      const match = /^(\d+)\/(\d+)s$/.exec(value.trim())
      const [points, seconds] = [Number(match?.[1]), Number(match?.[2])]
      if (!match || points < 1 || seconds < 1) {
        ctx.addIssue({ code: 'custom', message: 'requests per window, like 100/2s' })
        return z.NEVER
      }
      return { points, seconds }
    })
}

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .default('file:./data/jifen.db')
    .refine(
      (url) => /^(file:.+|postgres(ql)?:\/\/.+)$/.test(url),
      'use file:<path> for SQLite or postgres://user:pass@host/db for PostgreSQL',
    ),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PUBLIC_URL: optionalString.pipe(z.url().optional()),
  MINIAPP_INIT_DATA_MAX_AGE_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .default(86_400),
  MINIAPP_SESSION_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3_600),
  CONSOLE_SESSION_IDLE_SECONDS: z.coerce.number().int().min(60).max(86_400).default(1_800),
  CONSOLE_SESSION_MAX_SECONDS: z.coerce
    .number()
    .int()
    .min(300)
    .max(7 * 86_400)
    .default(43_200),
  RATE_LIMITS_ENABLED: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  RATE_LIMIT_API_KEY: rate(RATE_LIMIT_DEFAULTS.apiKey),
  RATE_LIMIT_MEMBER: rate(RATE_LIMIT_DEFAULTS.member),
  RATE_LIMIT_SESSION_PER_IP: rate(RATE_LIMIT_DEFAULTS.sessionPerIp),
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((value, ctx) => {
      if (value === 'false') return 0
      if (value === 'true') return 1
      if (/^\d{1,2}$/.test(value)) return Number(value)
      ctx.addIssue({ code: 'custom', message: 'false, true (one proxy) or the number of proxies' })
      return z.NEVER
    }),
  JOBS_ENABLED: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  TELEGRAM_BOT_TOKEN: optionalString.pipe(
    z
      .string()
      .regex(/^\d+:[\w-]{20,}$/, 'looks like 123456:ABC-DEF... from @BotFather')
      .optional(),
  ),
  TELEGRAM_WEBHOOK_URL: optionalString.pipe(z.url().optional()),
  TELEGRAM_WEBHOOK_SECRET: optionalString.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,256}$/, '1-256 characters of A-Z, a-z, 0-9, _ and -')
      .optional(),
  ),
  TELEGRAM_API_ROOT: optionalString.pipe(z.url().optional()),
  WECHATY_PUPPET: optionalString,
  WECHATY_PUPPET_SERVICE_TOKEN: optionalString,
  WECHAT_SESSION_FILE: z.string().min(1).default('./data/wechat.memory-card.json'),
  WECHAT_FRIEND_KEYWORD: optionalString,
  WECHAT_FRIEND_INTERVAL_MS: z.coerce.number().int().min(0).default(60_000),
  WECHAT_SEND_PER_MINUTE: z.coerce.number().int().min(1).max(600).default(40),
  WECHAT_CHAT_INTERVAL_MS: z.coerce.number().int().min(0).default(3_000),
  WECHAT_RECIPIENT_PAUSE_MS: z
    .string()
    .default('3000-5000')
    .transform((value, ctx) => {
      const match = /^(\d+)(?:-(\d+))?$/.exec(value.trim())
      const [min, max] = [Number(match?.[1]), Number(match?.[2] ?? match?.[1])]
      if (!match || max < min) {
        ctx.addIssue({ code: 'custom', message: 'milliseconds or a range like 3000-5000' })
        return z.NEVER
      }
      return [min, max] as const
    }),
  WECHAT_DAILY_CAP: z.coerce.number().int().min(1).default(500),
  WECHAT_OA_APP_ID: optionalString.pipe(
    z
      .string()
      .regex(/^wx[0-9a-f]{16}$/, 'the AppID of the admin pages, wx and 16 hex digits')
      .optional(),
  ),
  WECHAT_OA_APP_SECRET: optionalString,
  WECHAT_OA_TOKEN: optionalString.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9]{3,32}$/, '3-32 letters or digits, as the admin pages accept')
      .optional(),
  ),
  WECHAT_OA_AES_KEY: optionalString.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9]{43}$/, 'the EncodingAESKey: 43 letters or digits')
      .optional(),
  ),
  WECHAT_OA_API_ROOT: optionalString.pipe(z.url().default('https://api.weixin.qq.com')),
  SHOPIFY_WEBHOOK_SECRET: optionalString,
  WOOCOMMERCE_WEBHOOK_SECRET: optionalString,
  // Seals the webhooks' signing secrets in the database: 32 bytes as 64 hex digits or base64.
  WEBHOOK_SECRET_KEY: optionalString.transform((value, ctx) => {
    if (value === undefined) return undefined
    const key = /^[0-9a-f]{64}$/i.test(value)
      ? Buffer.from(value, 'hex')
      : Buffer.from(value, 'base64')
    if (key.length !== 32) {
      ctx.addIssue({ code: 'custom', message: '32 bytes: 64 hex digits (openssl rand -hex 32)' })
      return z.NEVER
    }
    return key
  }),
  // Off in production: a subscription could otherwise make the server call its own network.
  WEBHOOK_ALLOW_PRIVATE_URLS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(60_000).default(10_000),
  // The bearer token of /metrics; unset, the endpoint is not served. Long, as it is the only lock.
  METRICS_TOKEN: optionalString.pipe(
    z.string().min(16, 'at least 16 characters: openssl rand -hex 32').optional(),
  ),
})

export type Config = z.infer<typeof schema>

export class ConfigError extends Error {}

/**
 * Reads the configuration from the environment (and `.env`, which never overrides a variable
 * already set). The only reader of process.env; a wrong value stops the start naming the variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, dotenvPath = '.env'): Config {
  if (env === process.env) loadDotenv({ path: dotenvPath, quiet: true })
  const parsed = schema.safeParse(env)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`)
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`)
  }
  const config = parsed.data
  if (config.TELEGRAM_WEBHOOK_URL && !config.TELEGRAM_WEBHOOK_SECRET) {
    throw new ConfigError(
      'invalid configuration:\n  TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_WEBHOOK_URL is set, so that forged updates are refused',
    )
  }
  if (config.WECHATY_PUPPET === 'wechaty-puppet-service' && !config.WECHATY_PUPPET_SERVICE_TOKEN) {
    throw new ConfigError(
      'invalid configuration:\n  WECHATY_PUPPET_SERVICE_TOKEN: required when WECHATY_PUPPET is wechaty-puppet-service',
    )
  }
  const oa = [config.WECHAT_OA_APP_ID, config.WECHAT_OA_APP_SECRET, config.WECHAT_OA_TOKEN] as const
  if (oa.some(Boolean) && !oa.every(Boolean)) {
    throw new ConfigError(
      'invalid configuration:\n  WECHAT_OA_APP_ID, WECHAT_OA_APP_SECRET, WECHAT_OA_TOKEN: set all three for the Official Account, or none',
    )
  }
  return config
}

/** The Official Account's settings when the channel is on (its first three variables are set). */
export function officialAccountOf(config: Config):
  | {
      appId: string
      appSecret: string
      token: string
      aesKey?: string
      apiRoot: string
    }
  | undefined {
  const {
    WECHAT_OA_APP_ID: appId,
    WECHAT_OA_APP_SECRET: appSecret,
    WECHAT_OA_TOKEN: token,
  } = config
  if (!appId || !appSecret || !token) return undefined
  return {
    appId,
    appSecret,
    token,
    aesKey: config.WECHAT_OA_AES_KEY,
    apiRoot: config.WECHAT_OA_API_ROOT,
  }
}

/** The shops whose order webhooks are taken, by their signing secrets. */
export function shopWebhooksOf(config: Config): { shopify?: string; woocommerce?: string } {
  return {
    shopify: config.SHOPIFY_WEBHOOK_SECRET,
    woocommerce: config.WOOCOMMERCE_WEBHOOK_SECRET,
  }
}

/** Why each chat channel is on or off, for the start-up log. */
export function channelStatus(
  config: Config,
): { channel: string; enabled: boolean; reason: string }[] {
  return [
    config.TELEGRAM_BOT_TOKEN
      ? {
          channel: 'telegram',
          enabled: true,
          reason: config.TELEGRAM_WEBHOOK_URL
            ? `webhook at ${config.TELEGRAM_WEBHOOK_URL}`
            : 'long polling (set TELEGRAM_WEBHOOK_URL for a webhook)',
        }
      : { channel: 'telegram', enabled: false, reason: 'TELEGRAM_BOT_TOKEN is not set' },
    config.WECHATY_PUPPET
      ? {
          channel: 'wechat',
          enabled: true,
          reason: `${config.WECHATY_PUPPET}, at most ${config.WECHAT_SEND_PER_MINUTE} messages a minute and ${config.WECHAT_DAILY_CAP} a day${config.WECHAT_FRIEND_KEYWORD ? `, friend requests with "${config.WECHAT_FRIEND_KEYWORD}"` : ''}`,
        }
      : { channel: 'wechat', enabled: false, reason: 'WECHATY_PUPPET is not set' },
    officialAccountOf(config)
      ? {
          channel: 'wechat_official',
          enabled: true,
          reason: `Official Account ${config.WECHAT_OA_APP_ID} at /wechat/official, ${config.WECHAT_OA_AES_KEY ? 'safe mode (encrypted messages)' : 'plain mode (set WECHAT_OA_AES_KEY for safe mode)'}`,
        }
      : {
          channel: 'wechat_official',
          enabled: false,
          reason: 'WECHAT_OA_APP_ID, WECHAT_OA_APP_SECRET and WECHAT_OA_TOKEN are not set',
        },
  ]
}
