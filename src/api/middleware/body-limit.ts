import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { errorJson } from '../errors.ts'
import { WECHAT_OFFICIAL_PATH } from '../routes/wechat-official.ts'

const KB = 1024

interface BodyLimitRule {
  /** An exact path, or a prefix ending in `/*`. */
  path: string
  /** null: the route sets its own limit, because it streams a body far larger than JSON. */
  maxBytes: number | null
}

/**
 * What every route not named below may receive. The sign-in and the other mini-app calls carry
 * a token or initData (at most 8 KB by its schema) and a few fields; being the default, it also
 * bounds a route added later until its author decides otherwise.
 */
const DEFAULT_MAX_BYTES = 16 * KB

function rulesFor(telegramWebhookPath: string | undefined): BodyLimitRule[] {
  return [
    // The CSV import streams up to its own 50 MB; buffering it here would defeat that.
    { path: '/api/v1/members/import', maxBytes: null },
    // A Telegram update is a message or a button press: a few KB even with a quoted reply.
    ...(telegramWebhookPath ? [{ path: telegramWebhookPath, maxBytes: 64 * KB }] : []),
    // A WeChat message or event is under 2 KB of XML, a third more when encrypted.
    { path: WECHAT_OFFICIAL_PATH, maxBytes: 8 * KB },
    // A shop's order carries its lines, addresses and tax details: several times our own order.
    { path: '/webhooks/*', maxBytes: 1024 * KB },
    // The largest merchant write, an order with its 1,000 lines, is about 260 KB.
    { path: '/api/v1/*', maxBytes: 1024 * KB },
  ]
}

function matches(rule: BodyLimitRule, path: string): boolean {
  if (!rule.path.endsWith('/*')) return rule.path === path
  const prefix = rule.path.slice(0, -1)
  return path.startsWith(prefix) || path === prefix.slice(0, -1)
}

function sizeText(bytes: number): string {
  return bytes >= 1024 * KB ? `${bytes / (1024 * KB)} MB` : `${bytes / KB} KB`
}

function limitOf(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) =>
      errorJson(c, 413, 'payload_too_large', `the body is over ${sizeText(maxBytes)}`, {
        maxBytes,
      }),
  })
}

/**
 * Bounds the body of every request by its route, counting while it is read (a chunked body
 * without Content-Length too), so that no request makes the process buffer more than its limit.
 */
export function bodyLimits(telegramWebhookPath?: string): MiddlewareHandler {
  const rules = rulesFor(telegramWebhookPath).map((rule) => ({
    rule,
    limit: rule.maxBytes === null ? null : limitOf(rule.maxBytes),
  }))
  const fallback = limitOf(DEFAULT_MAX_BYTES)
  return async function bodyLimitMiddleware(c, next) {
    const found = rules.find(({ rule }) => matches(rule, c.req.path))
    if (!found) return fallback(c, next)
    if (found.limit === null) return next()
    return found.limit(c, next)
  }
}
