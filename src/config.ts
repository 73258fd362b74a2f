import { config as loadDotenv } from 'dotenv'
import { z } from 'zod'

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === '' ? undefined : value))

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
  MINIAPP_INIT_DATA_MAX_AGE_SECONDS: z.coerce.number().int().min(60).max(7 * 86_400).default(86_400),
  MINIAPP_SESSION_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3_600),
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
  return config
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
    {
      channel: 'wechat',
      enabled: false,
      reason: config.WECHATY_PUPPET
        ? 'WECHATY_PUPPET is set, but this version has no WeChat adapter yet'
        : 'WECHATY_PUPPET is not set',
    },
  ]
}
