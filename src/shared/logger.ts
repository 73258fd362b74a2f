import pino, { type Logger } from 'pino'

export type { Logger } from 'pino'

/** Structured JSON logs; secrets that could reach a log line are redacted. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'jifen' },
    redact: ['*.token', '*.apiKey', '*.authorization', '*.initData', 'req.headers.authorization'],
  })
}
