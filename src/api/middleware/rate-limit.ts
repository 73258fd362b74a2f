import { getConnInfo } from '@hono/node-server/conninfo'
import type { Context, Env, MiddlewareHandler } from 'hono'
import { CompiledQuery } from 'kysely'
import type { Logger } from 'pino'
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
} from 'rate-limiter-flexible'
import type { DbHandle } from '../../../db/client.ts'
import type { Rate, RateLimits } from '../../shared/rate-limits.ts'
import { errorJson } from '../errors.ts'

/** The table RateLimiterPostgres keeps its counts in, shared by every process on the database. */
const TABLE = 'rate_limits'

type KeyOf<E extends Env> = (c: Context<E>) => string

export interface RateLimiters {
  apiKey<E extends Env>(keyOf: KeyOf<E>): MiddlewareHandler<E>
  member<E extends Env>(keyOf: KeyOf<E>): MiddlewareHandler<E>
  sessionPerIp(): MiddlewareHandler
}

/**
 * rate-limiter-flexible's Postgres store speaks to a pg client; this one runs its statements
 * through the domain's Kysely pool, so the counts need no connections of their own.
 */
function kyselyClient(store: DbHandle) {
  return {
    async query(query: { text: string; values?: unknown[] }) {
      const result = await store.db.executeQuery(CompiledQuery.raw(query.text, query.values ?? []))
      return { rows: result.rows, rowCount: result.rows.length }
    },
  }
}

/**
 * One limiter per rule. On PostgreSQL the count lives in the database, so that several
 * processes behind a load balancer share it; should the database fail to answer, each process
 * goes on counting in memory (the insurance limiter) rather than refusing or waving through.
 * SQLite is one process (one file, one writer), so memory counts everything there.
 */
async function buildLimiters(
  store: DbHandle,
  limits: RateLimits,
  logger: Logger,
): Promise<Record<'apiKey' | 'member' | 'sessionPerIp', RateLimiterAbstract>> {
  const memory = (prefix: string, rate: Rate) =>
    new RateLimiterMemory({ keyPrefix: prefix, points: rate.points, duration: rate.seconds })
  const inMemory = () => ({
    apiKey: memory('api_key', limits.apiKey),
    member: memory('member', limits.member),
    sessionPerIp: memory('session_ip', limits.sessionPerIp),
  })
  if (store.dialect !== 'postgres') return inMemory()
  const shared = (
    prefix: string,
    rate: Rate,
    tableCreated: boolean,
    ready?: (error?: Error) => void,
  ) =>
    new RateLimiterPostgres(
      {
        storeClient: kyselyClient(store),
        storeType: 'client',
        tableName: TABLE,
        tableCreated,
        keyPrefix: prefix,
        points: rate.points,
        duration: rate.seconds,
        insuranceLimiter: memory(prefix, rate),
      },
      ready,
    )
  try {
    // The first creates the table; the others are made once it exists.
    let apiKey: RateLimiterAbstract | undefined
    await new Promise<void>((resolve, reject) => {
      apiKey = shared('api_key', limits.apiKey, false, (error) =>
        error ? reject(error) : resolve(),
      )
    })
    return {
      apiKey: apiKey!,
      member: shared('member', limits.member, true),
      sessionPerIp: shared('session_ip', limits.sessionPerIp, true),
    }
  } catch (err) {
    logger.error({ err }, 'rate limits: no table in PostgreSQL; counting per process instead')
    return inMemory()
  }
}

/**
 * The client's address: the socket's, or, behind `trustProxy` proxies, the X-Forwarded-For
 * entry the outermost of them added (entries to its left come from the client and prove nothing).
 */
function clientAddress(c: Context, trustProxy: number): string {
  if (trustProxy > 0) {
    const hops = (c.req.header('X-Forwarded-For') ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean)
    const address = hops[Math.max(hops.length - trustProxy, 0)]
    if (address) return address
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown'
  } catch {
    // Requests made in-process (app.request) have no socket.
    return 'unknown'
  }
}

/**
 * The fields of draft-ietf-httpapi-ratelimit-headers-06 (RateLimit-Limit, -Remaining and
 * -Reset in seconds, and RateLimit-Policy), which clients and gateways read today.
 */
function setHeaders<E extends Env>(c: Context<E>, rate: Rate, result: RateLimiterRes): number {
  const reset = Math.max(Math.ceil(result.msBeforeNext / 1000), 1)
  c.header('RateLimit-Limit', String(rate.points))
  c.header('RateLimit-Remaining', String(result.remainingPoints))
  c.header('RateLimit-Reset', String(reset))
  c.header('RateLimit-Policy', `${rate.points};w=${rate.seconds}`)
  return reset
}

/** The rate-limit middlewares of one app, answering 429 `rate_limited` with Retry-After. */
export function rateLimiters(store: DbHandle, limits: RateLimits, logger: Logger): RateLimiters {
  const ready = limits.enabled ? buildLimiters(store, limits, logger) : undefined

  function limit<E extends Env>(
    rule: 'apiKey' | 'member' | 'sessionPerIp',
    keyOf: KeyOf<E>,
    what: string,
  ): MiddlewareHandler<E> {
    const rate = limits[rule]
    return async function rateLimitMiddleware(c, next) {
      if (!ready) return next()
      const limiter = (await ready)[rule]
      try {
        setHeaders(c, rate, await limiter.consume(keyOf(c)))
      } catch (refusal) {
        if (!(refusal instanceof RateLimiterRes)) throw refusal
        const retryAfter = setHeaders(c, rate, refusal)
        c.header('Retry-After', String(retryAfter))
        return errorJson(
          c,
          429,
          'rate_limited',
          `too many requests ${what}: at most ${rate.points} in ${rate.seconds} s; retry in ${retryAfter} s`,
          { limit: rate.points, windowSeconds: rate.seconds, retryAfterSeconds: retryAfter },
        )
      }
      await next()
    }
  }

  return {
    apiKey: (keyOf) => limit('apiKey', keyOf, 'for this API key'),
    member: (keyOf) => limit('member', keyOf, 'for this member'),
    sessionPerIp: () =>
      limit<Env>('sessionPerIp', (c) => clientAddress(c, limits.trustProxy), 'from this address'),
  }
}
