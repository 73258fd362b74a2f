import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Logger } from 'pino'
import { FileBox } from 'file-box'
import qrcodeTerminal from 'qrcode-terminal'
import {
  type Contact,
  type Friendship,
  type Message,
  type Room,
  type Wechaty,
  type WechatyOptions,
  WechatyBuilder,
  qrcodeValueToImageUrl,
  types,
} from 'wechaty'
import { ChatQueue } from '../core/chat-queue.ts'
import type { Conversation } from '../core/conversation.ts'
import { t } from '../core/i18n.ts'
import type { Reply } from '../core/messages.ts'
import { type WechatMessage, toMessages } from './send-reply.ts'
import type { ChannelHealthReporter, MessageSender, SendResult } from '../../domain/ports.ts'
import { classifySayError } from './say-errors.ts'
import { PacedSender, type PacingClock, type PacingOptions, realPacingClock } from './sender.ts'
import { toInbound } from './to-inbound.ts'

export interface WechatBotDeps {
  conversation: Conversation
  logger: Logger
  /** A puppet instance (PuppetMock in tests) or the npm name of one (WECHATY_PUPPET). */
  puppet: string | Exclude<WechatyOptions['puppet'], string | undefined>
  /** Token of a hosted puppet (wechaty-puppet-service). */
  puppetToken?: string
  /** Where the puppet keeps its login, so that a restart needs no new scan. Memory only if unset. */
  sessionFile?: string
  /** Friend requests are accepted only when their greeting contains it; all of them if unset. */
  friendKeyword?: string
  pacing?: Partial<PacingOptions>
  /** At least this long between two accepted friend requests. */
  friendIntervalMs?: number
  /** The sender's time; tests pass one that does not really wait. */
  clock?: PacingClock
  random?: () => number
  /** The first wait before trying again when the puppet does not start; it doubles up to 5 minutes. */
  restartDelayMs?: number
  /** Shows the login QR code; on the terminal's stderr by default, stdout being for JSON logs. */
  printQr?: (art: string) => void
  /** Told of logins, logouts and WeChat's "sending too often" pause. */
  health?: ChannelHealthReporter
}

export interface WechatBot {
  readonly wechaty: Wechaty
  /** Campaign messages, through the same pacing as every other message of the account. */
  readonly messageSender: MessageSender
  /** Starts the puppet. Never rejects: a failure is logged and tried again later. */
  start(): Promise<void>
  /** Waits for the messages already received to be answered and sent. */
  idle(): Promise<void>
  stop(): Promise<void>
}

const MAX_MESSAGE_AGE_SECONDS = 120
/** How long a group member may answer a numbered choice with the bare number. */
const CHOICE_WINDOW_MS = 10 * 60_000
const MAX_RESTART_DELAY_MS = 5 * 60_000
const STOP_GRACE_MS = 10_000

/** Where replies go: the member's private chat, or the group they wrote in. */
interface Audience {
  talker: Contact
  room?: Room
}

function say({ talker, room }: Audience, message: WechatMessage, mention: boolean) {
  if ('file' in message) return (room ?? talker).say(message.file)
  if (!room) return talker.say(message.text)
  return mention ? room.say(message.text, talker) : room.say(message.text)
}

function isMissingModule(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND'
}

/**
 * The WeChat adapter (Wechaty 1.x): turns messages into the core's inbound messages and its
 * replies into paced WeChat messages. Each member's messages are answered in order on their
 * own queue; everything the account sends goes through one PacedSender, since WeChat bans
 * accounts that send like machines. Failures are logged and never escape a handler.
 */
export function createWechatBot(deps: WechatBotDeps): WechatBot {
  const { conversation, logger } = deps
  const clock = deps.clock ?? realPacingClock
  const printQr = deps.printQr ?? ((art: string) => process.stderr.write(`${art}\n`))
  if (deps.sessionFile) mkdirSync(dirname(deps.sessionFile), { recursive: true })
  const wechaty = WechatyBuilder.build({
    name: deps.sessionFile,
    // Wechaty imports any npm name at run time; its type lists only the official puppets.
    puppet: deps.puppet as WechatyOptions['puppet'],
    ...(deps.puppetToken ? { puppetOptions: { token: deps.puppetToken } } : {}),
  })
  const sender = new PacedSender(deps.pacing ?? {}, { logger, clock, random: deps.random })
  // Friend requests are paced too: one chat, accepted one at a time at least an interval apart.
  const friends = new PacedSender(
    {
      chatIntervalMs: deps.friendIntervalMs ?? 60_000,
      perMinute: Number.MAX_SAFE_INTEGER,
      dailyCap: Number.MAX_SAFE_INTEGER,
      retries: 2,
    },
    { logger, clock },
  )
  const queue = new ChatQueue((err) => logger.error({ err }, 'wechat message failed'))
  const arriving = new Set<Promise<void>>()
  const choiceOffers = new Map<string, number>()
  let stopping = false
  let restartTimer: NodeJS.Timeout | undefined

  function awaitsChoice(roomId: string, talkerId: string): boolean {
    const until = choiceOffers.get(`${roomId}:${talkerId}`)
    return until !== undefined && until > clock.now()
  }

  function offeredChoice(room: Room, talker: Contact): void {
    const now = clock.now()
    if (choiceOffers.size > 10_000)
      for (const [key, until] of choiceOffers) if (until <= now) choiceOffers.delete(key)
    choiceOffers.set(`${room.id}:${talker.id}`, now + CHOICE_WINDOW_MS)
  }

  /**
   * Says a reply; a failure that may have reached the member is logged and not retried (the
   * paced sender retries only what throws), so that nobody reads a reply twice.
   */
  async function sayOnce(audience: Audience, message: WechatMessage, mention: boolean) {
    try {
      await say(audience, message, mention)
    } catch (error) {
      if (classifySayError(error) !== 'uncertain') throw error
      logger.warn(
        { err: error, chat: (audience.room ?? audience.talker).id },
        'wechat reply may not have arrived: not sent again',
      )
    }
  }

  /** Sends the replies in order; in a group the first text mentions the member it answers. */
  async function deliver(audience: Audience, replies: Reply[]): Promise<void> {
    const { room, talker } = audience
    let mentionDue = Boolean(room)
    for (const reply of replies) {
      if (room && reply.buttons?.some((row) => row.some((b) => b.action)))
        offeredChoice(room, talker)
      for (const message of toMessages(reply)) {
        const mention = mentionDue && 'text' in message
        if (mention) mentionDue = false
        await sender.send((room ?? talker).id, () => sayOnce(audience, message, mention))
      }
    }
  }

  function onMessage(message: Message): void {
    if (stopping) return
    const arrival = (async () => {
      const received = await toInbound(message, {
        maxAgeSeconds: MAX_MESSAGE_AGE_SECONDS,
        awaitsChoice,
      })
      if (!received) return
      queue.push(received.talker.id, async () => {
        await deliver(received, await conversation.handle(received.inbound))
      })
    })().catch((err: unknown) => logger.error({ err }, 'wechat message could not be read'))
    arriving.add(arrival)
    void arrival.finally(() => arriving.delete(arrival))
  }

  async function onFriendship(friendship: Friendship): Promise<void> {
    if (friendship.type() !== types.Friendship.Receive) return
    const contact = friendship.contact()
    const hello = friendship.hello()
    const keyword = deps.friendKeyword
    if (keyword && !hello.toLowerCase().includes(keyword.toLowerCase())) {
      logger.info(
        { contactId: contact.id, hello },
        'friend request without the keyword: left for the merchant to answer',
      )
      return
    }
    queue.push(contact.id, async () => {
      await friends.send('friends', () => friendship.accept())
      logger.info({ contactId: contact.id, name: contact.name() }, 'friend request accepted')
      // The greeting is in Chinese, the default, with a line of English.
      await deliver({ talker: contact }, [{ text: t('zh-CN', 'greeting.friend') }])
    })
  }

  wechaty.on('scan', (qrcode, status) => {
    if (status !== types.ScanStatus.Waiting && status !== types.ScanStatus.Timeout) {
      logger.info({ status: types.ScanStatus[status] }, 'wechat login QR code')
      return
    }
    qrcodeTerminal.generate(qrcode, { small: true }, printQr)
    logger.info(
      { qrcode, image: qrcodeValueToImageUrl(qrcode) },
      'wechat login: scan the QR code with the WeChat app of the merchant’s account',
    )
  })
  const health = deps.health
  wechaty.on('login', (user) => {
    logger.info({ id: user.id, name: user.name() }, 'wechat logged in')
    void health?.report('wechat', 'up')
  })
  wechaty.on('logout', (user, reason) => {
    logger.warn({ id: user.id, reason }, 'wechat logged out: waiting for a new login')
    void health?.report('wechat', 'down', `logged out${reason ? `: ${reason}` : ''}`)
  })
  wechaty.on('error', (err) => logger.error({ err }, 'wechat error'))
  wechaty.on('message', onMessage)
  wechaty.on('friendship', (friendship) => {
    onFriendship(friendship).catch((err: unknown) =>
      logger.error({ err }, 'wechat friend request failed'),
    )
  })

  async function launch(delay: number): Promise<void> {
    try {
      await wechaty.start()
      // Wechaty reports a puppet that failed to start as an error event, not by rejecting.
      // The puppet's state type (state-switch) does not resolve through wechaty's typings.
      const state = wechaty.puppet.state as unknown as { active(): boolean }
      if (!state.active()) throw new Error('the puppet did not start')
      logger.info(
        { puppet: wechaty.puppet.name(), loggedIn: wechaty.isLoggedIn },
        'wechat bot started',
      )
    } catch (err) {
      if (stopping) return
      if (isMissingModule(err)) {
        logger.error({ err }, 'wechat bot could not start: the puppet is not installed')
        return
      }
      logger.error({ err, retryInMs: delay }, 'wechat bot could not start: trying again')
      restartTimer = setTimeout(() => {
        void wechaty
          .stop()
          .catch((error: unknown) => logger.warn({ err: error }, 'wechat stop before restart'))
          .then(() => launch(Math.min(delay * 2, MAX_RESTART_DELAY_MS)))
      }, delay)
    }
  }

  async function idle(): Promise<void> {
    while (arriving.size > 0) await Promise.all([...arriving])
    await queue.idle()
  }

  const loggedOut: SendResult = {
    ok: false,
    retryAfterMs: 60_000,
    error: 'wechat is logged out',
    channel: 'down',
  }
  const messageSender: MessageSender = {
    reportsHealth: Boolean(deps.health),
    async send(recipient, message, beforeRequest = async () => true) {
      // Nothing can go out: the message is held, not attempted.
      if (!wechaty.isLoggedIn) return loggedOut
      let result: SendResult = { ok: true }
      let begun = false
      try {
        await sender.send(recipient, async () => {
          // The paced sender retries a failed delivery; the attempt is recorded once.
          if (!begun) {
            begun = true
            if (!(await beforeRequest())) {
              result = { ok: false, abandoned: true }
              return
            }
          }
          const contact = await wechaty.Contact.find({ id: recipient })
          if (!contact) {
            result = { ok: false, unreachable: true, error: 'contact not found' }
            return
          }
          const links = (message.buttons ?? []).map((b) => `${b.label}：${b.url}`)
          // The picture first, as Telegram shows it above its caption; a stored one as its bytes,
          // in base64 because a puppet service serializes the box and one of a Buffer cannot be.
          const picture = message.image
            ? FileBox.fromBase64(
                message.image.bytes.toString('base64'),
                `picture.${message.image.contentType.slice(6)}`,
              )
            : message.imageUrl && FileBox.fromUrl(message.imageUrl)
          let said = false
          try {
            if (picture) {
              await contact.say(picture)
              said = true
            }
            await contact.say([message.text, ...links].join('\n'))
          } catch (error) {
            // Retried by the paced sender only when WeChat refused it before sending (the
            // pacer pauses the whole account on "too often"), and only while nothing of it has
            // arrived: the picture is never sent twice.
            const failure = classifySayError(error)
            if (failure === 'too_frequent')
              void health?.report('wechat', 'degraded', 'WeChat says the account sends too often')
            if (!said && (failure === 'refused' || failure === 'too_frequent')) throw error
            // Part of it arrived: held and sent again later, the member would get it twice.
            if (failure === 'logged_out' && !said) result = { ...loggedOut, error: String(error) }
            else result = { ok: false, uncertain: true, error: String(error) }
          }
        })
        return result
      } catch (error) {
        return { ok: false, retryAfterMs: 60_000, error: String(error) }
      }
    },
  }

  return {
    wechaty,
    messageSender,
    start: () => launch(deps.restartDelayMs ?? 5_000),
    idle,
    async stop() {
      stopping = true
      clearTimeout(restartTimer)
      let timer: NodeJS.Timeout | undefined
      const drained = await Promise.race([
        idle().then(() => true),
        new Promise<boolean>(
          (resolve) => (timer = setTimeout(() => resolve(false), STOP_GRACE_MS)),
        ),
      ])
      clearTimeout(timer)
      if (!drained)
        logger.warn({ unsent: sender.pending }, 'wechat bot stopped with messages not yet sent')
      await wechaty.stop().catch((err: unknown) => logger.error({ err }, 'wechat stop failed'))
    },
  }
}
