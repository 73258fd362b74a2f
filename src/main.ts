import { fileURLToPath } from 'node:url'
import { serve } from '@hono/node-server'
import type { Update } from 'telegraf/types'
import { createDb } from '../db/client.ts'
import { createApp } from './api/app.ts'
import { WECHAT_OFFICIAL_LOGIN_PATH } from './api/routes/wechat-official.ts'
import { createConversation } from './bots/core/conversation.ts'
import { type TelegramBot, createBot } from './bots/telegram/create-bot.ts'
import type { WechatBot } from './bots/wechat/create-bot.ts'
import { OfficialAccountApi } from './bots/wechat-official/api.ts'
import { createOfficialAccountBot } from './bots/wechat-official/create-bot.ts'
import { setOfficialMenu } from './bots/wechat-official/menu.ts'
import { memberPageOAuthUrl, officialAccountLogin } from './bots/wechat-official/oauth.ts'
import { OfficialAccountSender } from './bots/wechat-official/sender.ts'
import {
  ConfigError,
  channelStatus,
  loadConfig,
  officialAccountOf,
  shopWebhooksOf,
} from './config.ts'
import { createDomain } from './domain/index.ts'
import { createMetrics } from './metrics/metrics.ts'
import { startWebhookWorker } from './jobs/webhook-worker.ts'
import { healthReporter } from './jobs/health.ts'
import { startOutboxWorker } from './jobs/outbox-worker.ts'
import { engineJobs, startScheduler } from './jobs/scheduler.ts'
import { TelegramSender } from './bots/telegram/sender.ts'
import { systemClock } from './shared/clock.ts'
import { createLogger } from './shared/logger.ts'

/** The composition root: the only place that wires the parts together. */
async function main(): Promise<void> {
  const config = loadConfig()
  const logger = createLogger(config.LOG_LEVEL)
  const store = createDb(config.DATABASE_URL)
  const migrated = await store.migrate()
  logger.info(
    { dialect: store.dialect, applied: migrated.results?.map((r) => r.migrationName) ?? [] },
    'database ready',
  )
  const officialAccount = officialAccountOf(config)
  const domain = createDomain(
    { store, clock: systemClock },
    {
      miniapp: {
        telegramBotToken: config.TELEGRAM_BOT_TOKEN,
        initDataMaxAgeSeconds: config.MINIAPP_INIT_DATA_MAX_AGE_SECONDS,
        sessionTtlSeconds: config.MINIAPP_SESSION_TTL_SECONDS,
        officialAccountLogin: officialAccount && officialAccountLogin(officialAccount),
      },
      console: {
        idleSeconds: config.CONSOLE_SESSION_IDLE_SECONDS,
        maxSeconds: config.CONSOLE_SESSION_MAX_SECONDS,
      },
      webhooks: {
        secretKey: config.WEBHOOK_SECRET_KEY,
        allowPrivateUrls: config.WEBHOOK_ALLOW_PRIVATE_URLS,
      },
    },
  )
  if (await domain.programme.ensureSeeded()) {
    logger.info('seeded the default programme: four tiers, ¥1 = 1 point, points valid 12 months')
  }
  for (const channel of channelStatus(config)) {
    logger.info(
      { channel: channel.channel, enabled: channel.enabled },
      `${channel.channel} bot ${channel.enabled ? 'enabled' : 'disabled'}: ${channel.reason}`,
    )
  }
  for (const [shop, secret] of Object.entries(shopWebhooksOf(config))) {
    if (secret) logger.info({ shop }, `${shop} orders taken at /webhooks/${shop}`)
  }

  // The pages are built into dist/miniapp: beside this file when it runs compiled (from
  // dist/server), under the project root when it runs from source (tsx: npm run dev, the tests).
  const miniappDir = fileURLToPath(
    new URL(import.meta.url.endsWith('.ts') ? '../dist/miniapp' : '../miniapp', import.meta.url),
  )
  const conversation = createConversation({ domain, logger, publicUrl: config.PUBLIC_URL })
  const health = healthReporter(domain, logger)
  let telegram: TelegramBot | undefined
  if (config.TELEGRAM_BOT_TOKEN) {
    telegram = createBot(config.TELEGRAM_BOT_TOKEN, {
      conversation,
      logger: logger.child({ channel: 'telegram' }),
      apiRoot: config.TELEGRAM_API_ROOT,
      publicUrl: config.PUBLIC_URL,
      health,
    })
  }
  const webhook =
    telegram && config.TELEGRAM_WEBHOOK_URL && config.TELEGRAM_WEBHOOK_SECRET
      ? { url: config.TELEGRAM_WEBHOOK_URL, secret: config.TELEGRAM_WEBHOOK_SECRET }
      : undefined

  const officialApi =
    officialAccount && new OfficialAccountApi({ ...officialAccount, tokens: domain.platformTokens })
  // The member page through the account's web login, started by our server so that its state
  // is bound to the browser: the menu's 会员中心 and template messages open it.
  const officialMemberPageUrl =
    officialAccount && config.PUBLIC_URL
      ? `${config.PUBLIC_URL}${WECHAT_OFFICIAL_LOGIN_PATH}`
      : undefined
  const official =
    officialApi &&
    createOfficialAccountBot({
      conversation,
      logger: logger.child({ channel: 'wechat_official' }),
      sendText: (openid, text) => officialApi.sendText(openid, text),
      touched: (openid) => domain.members.touch('wechat_official', openid),
      cameThrough: async (openid, scene, event) => {
        await domain.channelSources.touch('wechat_official', openid, scene, event)
      },
      massSendFinished: async (msgId, result) => {
        await domain.campaigns.recordMassSendResult(msgId, result)
      },
    })

  // Prometheus only when someone may read it: METRICS_TOKEN set.
  const prometheus = config.METRICS_TOKEN
    ? { metrics: createMetrics(domain), token: config.METRICS_TOKEN }
    : undefined
  const metrics = prometheus?.metrics
  if (prometheus) logger.info('metrics at /metrics, for the bearer of METRICS_TOKEN')

  let shuttingDown = false
  const app = createApp({
    domain,
    logger,
    miniappDir,
    isShuttingDown: () => shuttingDown,
    rateLimits: {
      enabled: config.RATE_LIMITS_ENABLED,
      apiKey: config.RATE_LIMIT_API_KEY,
      member: config.RATE_LIMIT_MEMBER,
      sessionPerIp: config.RATE_LIMIT_SESSION_PER_IP,
      trustProxy: config.TRUST_PROXY,
    },
    telegramWebhook:
      telegram && webhook
        ? {
            path: new URL(webhook.url).pathname,
            secret: webhook.secret,
            handle: (update) => telegram.handleUpdate(update as Update),
          }
        : undefined,
    wechatOfficial:
      officialAccount && official
        ? {
            token: officialAccount.token,
            appId: officialAccount.appId,
            aesKey: officialAccount.aesKey,
            handle: (message) => official.handle(message),
            authorizeUrl: config.PUBLIC_URL
              ? (state) =>
                  memberPageOAuthUrl(officialAccount.appId, `${config.PUBLIC_URL}/miniapp/`, state)
              : undefined,
            secureCookie: config.PUBLIC_URL?.startsWith('https:') ?? false,
          }
        : undefined,
    shopWebhooks: shopWebhooksOf(config),
    channelQrCodes: officialApi
      ? { create: (scene) => officialApi.createQrCode(scene) }
      : undefined,
    metrics: prometheus,
  })
  const scheduler = config.JOBS_ENABLED
    ? startScheduler(domain, logger, engineJobs(domain), metrics)
    : undefined
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
    logger.info(
      { port: info.port },
      `listening on http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${info.port}`,
    )
  })
  if (telegram) {
    // A bot that cannot reach Telegram must not take the API down with it.
    telegram
      .start(webhook)
      .catch((err: unknown) => logger.error({ err }, 'telegram bot could not start'))
  }
  if (officialApi) {
    // The menu in the programme's language at every start (menu/create replaces it whole, so
    // again is harmless); WeChat refusing it must not take the API down, only be told.
    const { config: programme } = await domain.programme.current()
    setOfficialMenu(officialApi, programme.defaultLocale, officialMemberPageUrl)
      .then((buttons) =>
        logger.info({ buttons }, `official account menu set: ${buttons.join(', ')}`),
      )
      .catch((err: unknown) => logger.error({ err }, 'official account menu could not be set'))
  }
  let wechat: WechatBot | undefined
  if (config.WECHATY_PUPPET) {
    try {
      // Imported only when enabled: Wechaty and its puppets take a second to load.
      const { createWechatBot } = await import('./bots/wechat/create-bot.ts')
      wechat = createWechatBot({
        conversation,
        logger: logger.child({ channel: 'wechat' }),
        puppet: config.WECHATY_PUPPET,
        puppetToken: config.WECHATY_PUPPET_SERVICE_TOKEN,
        sessionFile: config.WECHAT_SESSION_FILE,
        friendKeyword: config.WECHAT_FRIEND_KEYWORD,
        friendIntervalMs: config.WECHAT_FRIEND_INTERVAL_MS,
        pacing: {
          perMinute: config.WECHAT_SEND_PER_MINUTE,
          chatIntervalMs: config.WECHAT_CHAT_INTERVAL_MS,
          recipientPauseMs: config.WECHAT_RECIPIENT_PAUSE_MS,
          dailyCap: config.WECHAT_DAILY_CAP,
        },
        health,
      })
      // Not awaited: the login waits for a QR code scan, and start() retries by itself.
      void wechat.start()
    } catch (err) {
      // A bot that cannot start must not take the API down with it.
      logger.error({ err }, 'wechat bot could not start')
    }
  }

  // One outbox worker per channel, so that WeChat's human pace never holds Telegram back.
  const workers = config.JOBS_ENABLED
    ? [
        ...(telegram
          ? [
              startOutboxWorker({
                domain,
                logger,
                metrics,
                senders: {
                  telegram: new TelegramSender(telegram.bot.telegram, undefined, config.PUBLIC_URL),
                },
              }),
            ]
          : []),
        ...(officialApi
          ? [
              startOutboxWorker({
                domain,
                logger,
                metrics,
                senders: {
                  wechat_official: new OfficialAccountSender(officialApi, {
                    lastInbound: (openid) =>
                      domain.members.lastInboundAt('wechat_official', openid),
                    now: () => systemClock.now().getTime(),
                    memberPageUrl: officialMemberPageUrl,
                  }),
                },
              }),
            ]
          : []),
        // Webhooks out have their own outbox and worker: a slow receiver never holds a chat back.
        startWebhookWorker({
          domain,
          logger: logger.child({ worker: 'webhooks' }),
          timeoutMs: config.WEBHOOK_TIMEOUT_MS,
          allowPrivateUrls: config.WEBHOOK_ALLOW_PRIVATE_URLS,
          metrics,
        }),
        ...(wechat
          ? [
              startOutboxWorker({
                domain,
                logger,
                metrics,
                senders: { wechat: wechat.messageSender },
                batchSize: 5,
                concurrency: 1,
              }),
            ]
          : []),
      ]
    : []

  const shutdown = async (signal: string) => {
    if (shuttingDown) return
    shuttingDown = true
    logger.info({ signal }, 'shutting down: no new work, finishing what is in flight')
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    await Promise.all(workers.map((worker) => worker.stop()))
    // An import can run for minutes: it stops before its next row and says to upload again.
    await domain.importJobs.stop()
    await telegram?.stop()
    await wechat?.stop()
    await official?.idle()
    await scheduler?.stop()
    await closed
    await store.close()
    logger.info('stopped')
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exit(1)
})
