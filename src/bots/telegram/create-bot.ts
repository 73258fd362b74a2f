import type { Logger } from 'pino'
import { Telegraf } from 'telegraf'
import type { Update } from 'telegraf/types'
import type { ChannelHealthReporter } from '../../domain/ports.ts'
import type { Conversation } from '../core/conversation.ts'
import { ChatQueue } from '../core/chat-queue.ts'
import { menuOf } from '../core/commands.ts'
import { sendReplies } from './send-reply.ts'
import { toInbound } from './to-inbound.ts'
import { webhookHealth } from './webhook-health.ts'

export interface TelegramBotDeps {
  conversation: Conversation
  logger: Logger
  /** Another Bot API server: a local one, or a test double. */
  apiRoot?: string
  /** Public https address of the server; adds the mini-app menu button. */
  publicUrl?: string
  /** Told when the bot reaches Telegram, when its polling stops, and of its webhook's errors. */
  health?: ChannelHealthReporter
  /** How often, in webhook mode, Telegram is asked whether it can deliver updates to us. */
  webhookCheckMs?: number
}

const WEBHOOK_CHECK_MS = 60_000

const UPDATES = ['message', 'callback_query', 'my_chat_member'] as const

export interface TelegramBot {
  readonly bot: Telegraf
  /** Hands an update to the bot; returns as soon as it is queued, not when it is answered. */
  handleUpdate(update: Update): Promise<void>
  /** Long polling, or registers the webhook when `webhook` is given. */
  start(webhook?: { url: string; secret: string }): Promise<void>
  /** Waits for the updates already taken to be answered. */
  idle(): Promise<void>
  stop(): Promise<void>
}

/**
 * The Telegram adapter: turns updates into the core's inbound messages and its replies into
 * Bot API calls. Each chat's updates run in order on their own queue, so a slow member never
 * blocks others; failures are logged and never escape a handler.
 */
export function createBot(token: string, deps: TelegramBotDeps): TelegramBot {
  const { conversation, logger } = deps
  const bot = new Telegraf(token, {
    telegram: { apiRoot: deps.apiRoot ?? 'https://api.telegram.org', webhookReply: false },
  })
  const queue = new ChatQueue((err) => logger.error({ err }, 'telegram update failed'))
  let polling = false
  let webhookWatch: NodeJS.Timeout | undefined

  bot.use(async (ctx) => {
    if (ctx.myChatMember) {
      // In a private chat, "kicked" is the user blocking the bot, "member" unblocking it.
      const { chat, new_chat_member: status, from } = ctx.myChatMember
      if (chat.type === 'private' && (status.status === 'kicked' || status.status === 'member')) {
        await conversation.reachable('telegram', String(from.id), status.status === 'member')
      }
      return
    }
    const inbound = toInbound(ctx, bot.botInfo?.username)
    const chat = ctx.chat
    if (ctx.callbackQuery)
      await ctx
        .answerCbQuery()
        .catch((err: unknown) => logger.warn({ err }, 'answerCallbackQuery failed'))
    if (!inbound || !chat) return
    queue.push(String(chat.id), async () => {
      const replies = await conversation.handle(inbound)
      await sendReplies(ctx.telegram, chat.id, chat.type === 'private', replies)
    })
  })
  bot.catch((err) => logger.error({ err }, 'telegram handler failed'))

  async function setUpMenu(): Promise<void> {
    // English is the menu of every language without its own, Chinese that of zh clients.
    for (const [locale, language_code] of [
      ['en', undefined],
      ['zh-CN', 'zh'],
    ] as const) {
      await bot.telegram.setMyCommands(menuOf(locale, 'private'), { language_code })
      await bot.telegram.setMyCommands(menuOf(locale, 'group'), {
        language_code,
        scope: { type: 'all_group_chats' },
      })
    }
    if (deps.publicUrl) {
      await bot.telegram.setChatMenuButton({
        menuButton: {
          type: 'web_app',
          text: '会员中心',
          web_app: { url: `${deps.publicUrl}/miniapp/` },
        },
      })
    }
  }

  /**
   * Telegram tells a webhook's delivery errors only when asked: a webhook it cannot reach is
   * members writing into the void. Reported when what it says changes, so the watch never
   * contradicts what the sender saw meanwhile.
   */
  function watchWebhook(url: string): void {
    const setAtS = Math.floor(Date.now() / 1000)
    let seen: string | undefined
    let checking = false
    webhookWatch = setInterval(() => {
      if (checking) return
      checking = true
      bot.telegram
        .getWebhookInfo()
        .then(async (info) => {
          const health = webhookHealth(info, url, setAtS, Math.floor(Date.now() / 1000))
          const key = `${health.state}:${health.reason ?? ''}`
          if (key === seen || (seen === undefined && health.state === 'up')) return
          seen = key
          if (health.state !== 'up') logger.warn({ info }, health.reason)
          await deps.health?.report('telegram', health.state, health.reason)
        })
        .catch((err: unknown) => logger.warn({ err }, 'getWebhookInfo failed'))
        .finally(() => {
          checking = false
        })
    }, deps.webhookCheckMs ?? WEBHOOK_CHECK_MS)
    webhookWatch.unref()
  }

  return {
    bot,
    handleUpdate: (update) => bot.handleUpdate(update),
    async start(webhook) {
      try {
        bot.botInfo = await bot.telegram.getMe()
      } catch (err) {
        await deps.health?.report('telegram', 'down', `cannot reach the Bot API: ${String(err)}`)
        throw err
      }
      await deps.health?.report('telegram', 'up')
      await setUpMenu()
      if (webhook) {
        await bot.telegram.setWebhook(webhook.url, {
          secret_token: webhook.secret,
          allowed_updates: [...UPDATES],
        })
        logger.info({ username: bot.botInfo.username }, 'telegram bot receiving updates by webhook')
        watchWebhook(webhook.url)
        return
      }
      polling = true
      // launch() resolves only when polling stops; it is not awaited.
      void bot
        .launch({ allowedUpdates: [...UPDATES], dropPendingUpdates: false })
        .catch((err: unknown) => {
          logger.error({ err }, 'telegram polling stopped')
          void deps.health?.report('telegram', 'down', `polling stopped: ${String(err)}`)
        })
      logger.info({ username: bot.botInfo.username }, 'telegram bot polling for updates')
    },
    idle: () => queue.idle(),
    async stop() {
      clearInterval(webhookWatch)
      if (polling) bot.stop('shutdown')
      await queue.idle()
    },
  }
}
