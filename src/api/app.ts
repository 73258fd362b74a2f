import { OpenAPIHono } from '@hono/zod-openapi'
import type { Logger } from 'pino'
import { sql } from 'kysely'
import type { Domain } from '../domain/index.ts'
import { accessGuard, documentAccess } from './access.ts'
import { auditWrites } from './audit.ts'
import { errorJson, notFound, onError } from './errors.ts'
import { bodyLimits } from './middleware/body-limit.ts'
import { RATE_LIMIT_DEFAULTS, type RateLimits } from '../shared/rate-limits.ts'
import { rateLimiters } from './middleware/rate-limit.ts'
import { requestLog } from './middleware/request-log.ts'
import { requestMetrics } from './middleware/request-metrics.ts'
import type { Metrics } from '../metrics/metrics.ts'
import { metricsRoute } from './routes/metrics.ts'
import { apiDocsRoute } from './routes/api-docs.ts'
import { auditLogRoutes } from './routes/audit-log.ts'
import { campaignRoutes } from './routes/campaigns.ts'
import { consoleRoutes } from './routes/console.ts'
import { customerDataRoutes } from './routes/customer-data.ts'
import { engagementRoutes } from './routes/engagement.ts'
import { mediaRoutes } from './routes/media.ts'
import { memberRoutes } from './routes/members.ts'
import { miniappRoutes } from './routes/miniapp.ts'
import { miniappPage } from './routes/miniapp-page.ts'
import { orderRoutes } from './routes/orders.ts'
import { pendingPointsRoutes } from './routes/pending-points.ts'
import { privacyRoutes } from './routes/privacy.ts'
import { programmeRoutes } from './routes/programme.ts'
import { reminderRoutes } from './routes/reminders.ts'
import { reportRoutes } from './routes/reports.ts'
import { rewardRoutes } from './routes/rewards.ts'
import { segmentRoutes } from './routes/segments.ts'
import { staffRoutes } from './routes/staff.ts'
import { type TelegramWebhook, telegramWebhookRoute } from './routes/telegram-webhook.ts'
import { webhookRoutes } from './routes/webhooks.ts'
import { type WechatOfficialEndpoint, wechatOfficialRoute } from './routes/wechat-official.ts'
import { shopDeliveryRoutes } from './routes/shop-deliveries.ts'
import { type ShopWebhookSecrets, shopWebhookRoutes } from './routes/shop-webhooks.ts'
import { channelSourceRoutes } from './routes/channel-sources.ts'
import type { ChannelQrCodes } from '../domain/ports.ts'

export interface AppDeps {
  domain: Domain
  logger: Logger
  /** Answers 503 once shutdown has begun, so that a load balancer stops sending work. */
  isShuttingDown?: () => boolean
  /** Serves Telegram's webhook when the bot runs in webhook mode. */
  telegramWebhook?: TelegramWebhook
  /** Serves WeChat's server endpoint of the Official Account when the channel is on. */
  wechatOfficial?: WechatOfficialEndpoint
  /** The signing secret of each shop whose order webhooks become orders. */
  shopWebhooks?: ShopWebhookSecrets
  /** The Official Account's channel QR codes, when the channel is on. */
  channelQrCodes?: ChannelQrCodes
  /** The built mini-app (vite build output), served under /miniapp. */
  miniappDir?: string
  /** Requests allowed per API key, per member and per address; RATE_LIMIT_DEFAULTS otherwise. */
  rateLimits?: RateLimits
  /**
   * Prometheus: every request is timed into `metrics`, served at `/metrics` to the bearer of
   * `token` (METRICS_TOKEN). Without it there is no `/metrics` at all (404).
   */
  metrics?: { metrics: Metrics; token: string }
}

/** The HTTP application: the merchant API under /api/v1, its OpenAPI document, /healthz, /readyz. */
export function createApp({
  domain,
  logger,
  isShuttingDown = () => false,
  telegramWebhook,
  wechatOfficial,
  shopWebhooks = {},
  channelQrCodes,
  miniappDir,
  rateLimits = RATE_LIMIT_DEFAULTS,
  metrics,
}: AppDeps): OpenAPIHono {
  const app = new OpenAPIHono()
  const limits = rateLimiters(domain.deps.store, rateLimits, logger)
  app.onError(onError(logger))
  app.notFound(notFound)
  app.use('*', requestLog(logger))
  if (metrics) app.use('*', requestMetrics(metrics.metrics))
  app.use('*', bodyLimits(telegramWebhook?.path))

  const guard = accessGuard(domain, limits)
  app.use('/healthz', guard)
  app.use('/readyz', guard)
  app.use('/api/*', guard)
  app.use(
    '/api/v1/*',
    auditWrites(domain, (path, authorization) =>
      Promise.resolve(app.request(path, { headers: { authorization } })),
    ),
  )

  app.get('/healthz', async (c) => {
    if (isShuttingDown())
      return errorJson(c, 503, 'shutting_down', 'this instance is shutting down')
    try {
      await sql`select 1`.execute(domain.deps.store.db)
      return c.json({ status: 'ok', database: domain.deps.store.dialect })
    } catch {
      return errorJson(c, 503, 'database_unavailable', 'the database does not answer')
    }
  })

  // Readiness beside liveness: each chat channel's state, so that a monitor sees a WeChat
  // logout or a Bot API outage while the API itself, and /healthz, keep answering.
  app.get('/readyz', async (c) => {
    if (isShuttingDown())
      return errorJson(c, 503, 'shutting_down', 'this instance is shutting down')
    try {
      const channels = await domain.channelHealth.list()
      return c.json({
        status: channels.every((channel) => channel.state === 'up') ? 'ok' : 'degraded',
        database: domain.deps.store.dialect,
        channels,
      })
    } catch {
      return errorJson(c, 503, 'database_unavailable', 'the database does not answer')
    }
  })

  if (metrics) app.route('/', metricsRoute(metrics.metrics, metrics.token))

  if (telegramWebhook) app.route('/', telegramWebhookRoute(telegramWebhook))
  if (wechatOfficial) app.route('/', wechatOfficialRoute(wechatOfficial, logger, domain.deps.clock))
  app.route('/', shopWebhookRoutes(domain, shopWebhooks, logger))

  const v1 = new OpenAPIHono()
  v1.route('/', memberRoutes(domain))
  v1.route('/', orderRoutes(domain))
  v1.route('/', pendingPointsRoutes(domain))
  v1.route('/', rewardRoutes(domain))
  v1.route('/', programmeRoutes(domain))
  v1.route('/', engagementRoutes(domain))
  v1.route('/', campaignRoutes(domain))
  v1.route('/', segmentRoutes(domain))
  v1.route('/', reminderRoutes(domain))
  v1.route('/', customerDataRoutes(domain))
  v1.route('/', privacyRoutes(domain))
  v1.route('/', reportRoutes(domain))
  v1.route('/', channelSourceRoutes(domain, channelQrCodes))
  v1.route('/', staffRoutes(domain))
  v1.route('/', auditLogRoutes(domain))
  v1.route('/', shopDeliveryRoutes(domain))
  v1.route('/', webhookRoutes(domain))
  app.route('/api/v1', v1)
  app.use('/api/miniapp/session', limits.sessionPerIp())
  app.route('/api/miniapp', miniappRoutes(domain))
  app.route('/api/console', consoleRoutes(domain, limits.sessionPerIp()))
  app.route('/', mediaRoutes(domain))
  if (miniappDir) app.route('/', miniappPage(miniappDir))
  app.route('/', apiDocsRoute())

  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description:
      'An API key (jf_...) made with `jifen apikey create`: role pos for a till, admin for the owner; stored hashed',
  })
  app.openAPIRegistry.registerComponent('securitySchemes', 'staffSession', {
    type: 'http',
    scheme: 'bearer',
    description:
      'A console session (jfs_...) from POST /api/console/session; the staff role is read from the staff records on each request',
  })
  app.openAPIRegistry.registerComponent('securitySchemes', 'miniappSession', {
    type: 'http',
    scheme: 'bearer',
    description:
      "The member's session from POST /api/miniapp/session (Telegram initData or a WeChat signed link)",
  })
  // Built once, so that an operation missing from the access table stops the app here.
  const document = documentAccess(
    app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'Jifen merchant API',
        version: '1',
        description:
          'Members, orders, points, rewards and the loyalty programme. Amounts are integers in minor units (分); points are integers. Errors are { error: { code, message, details? } } with a stable code. Each operation says who may call it (x-required-role: public, member, or the staff role from which it opens: staff, manager, owner; x-api-key-roles: the API key roles that reach it, a pos key standing for staff and an admin key for the owner). A staff session (staffSession: a jfs_ token from POST /api/console/session) reaches the same operations with the role the staff records hold at each request.',
      },
      // Relative: the document is served by the server it describes, wherever that runs.
      servers: [{ url: '/', description: 'The server that serves this document' }],
      security: [{ apiKey: [] }, { staffSession: [] }],
    }),
  )
  app.get('/api/openapi.json', (c) => c.json(document))
  return app
}
