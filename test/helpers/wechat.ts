import type { EventEmitter } from 'node:events'
import { FileBox, type FileBoxInterface } from 'file-box'
import pino, { type Logger } from 'pino'
import { type Message, type payloads, types } from 'wechaty'
import { PuppetMock, mock } from 'wechaty-puppet-mock'
import type { Conversation } from '../../src/bots/core/conversation.ts'
import {
  type WechatBot,
  type WechatBotDeps,
  createWechatBot,
} from '../../src/bots/wechat/create-bot.ts'
import type { PacingClock } from '../../src/bots/wechat/sender.ts'

export type ContactMock = mock.ContactMock
export type RoomMock = mock.RoomMock

/** PuppetMock with the friend requests its mocker does not model, and a start that can fail. */
export class TestPuppet extends PuppetMock {
  readonly friendships = new Map<string, payloads.Friendship>()
  readonly accepted: string[] = []
  failStarts = 0

  override async onStart(): Promise<void> {
    if (this.failStarts > 0) {
      this.failStarts -= 1
      throw new Error('the puppet could not reach WeChat')
    }
    return super.onStart()
  }

  override friendshipRawPayload(id: string): Promise<payloads.Friendship> {
    return Promise.resolve(this.friendships.get(id)!)
  }

  override friendshipAccept(id: string): Promise<void> {
    this.accepted.push(id)
    return Promise.resolve()
  }
}

/** A mock contact's or room's messages; its typings lose the emitter that it is. */
function events(target: ContactMock | RoomMock): EventEmitter {
  return target as unknown as EventEmitter
}

/** Time for the sender that never really waits: a sleep moves it on at once. */
export class InstantClock implements PacingClock {
  private time = Date.parse('2025-01-10T04:00:00Z')

  now(): number {
    return this.time
  }

  sleep(ms: number): Promise<void> {
    this.time += ms
    return Promise.resolve()
  }
}

/** A message the bot sent: to a contact or a room, a text, a picture or a file. */
export interface Sent {
  to: string
  text: string
  image: boolean
  /** A picture's bytes, where the bot sent one. */
  picture?: Promise<Buffer>
  /** A file the bot sent (not a picture): its name and bytes. */
  file?: { name: string; content: Promise<Buffer> }
}

type Content = string | FileBoxInterface

export interface WechatHarness {
  bot: WechatBot
  puppet: TestPuppet
  mocker: mock.Mocker
  self: ContactMock
  clock: InstantClock
  /** Everything the bot sent, in order. */
  sent: Sent[]
  /** The log lines, parsed. */
  logs: { msg: string; [key: string]: unknown }[]
  contact(name?: string, payload?: Partial<payloads.Contact>): ContactMock
  room(...members: ContactMock[]): RoomMock
  /**
   * Says a text or sends a file from `from` to the bot (or in `room`, mentioning the bot when
   * asked) and returns what the bot sent back to that chat once it has answered.
   */
  say(from: ContactMock, content: Content, room?: RoomMock, mentionBot?: boolean): Promise<string[]>
  /** Like `say`, without waiting for the answer: resolves when the bot has the message. */
  post(from: ContactMock, content: Content, room?: RoomMock, mentionBot?: boolean): Promise<void>
  /** Delivers a message the mocker made (a picture, an old one) and waits for the answer. */
  deliver(from: ContactMock, messageId: string): Promise<string[]>
  requestFriendship(from: ContactMock, hello: string): Promise<void>
  stop(): Promise<void>
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
}

/** Real Wechaty on a PuppetMock, logged in as a bot contact, with the given adapter options. */
export async function startWechatHarness(
  conversation: Conversation,
  options: Partial<WechatBotDeps> = {},
): Promise<WechatHarness> {
  const logs: WechatHarness['logs'] = []
  const logger: Logger = pino(
    { level: 'debug' },
    { write: (line: string) => void logs.push(JSON.parse(line)) },
  )
  const mocker = new mock.Mocker()
  const puppet = new TestPuppet({ mocker })
  const clock = new InstantClock()
  const bot = createWechatBot({
    conversation,
    logger,
    puppet,
    clock,
    random: () => 0.5,
    ...options,
  })
  const received = new Set<string>()
  const friendshipsSeen = new Set<string>()
  bot.wechaty.on('message', (message: Message) => void received.add(message.id))
  bot.wechaty.on('friendship', (friendship) => void friendshipsSeen.add(friendship.id))
  await bot.start()
  const self = mocker.createContact({ name: 'JifenBot' })
  mocker.login(self)
  await until(() => bot.wechaty.isLoggedIn, 'the login')

  const sent: Sent[] = []
  events(self).on('message', (message: mock.MessageMock) => {
    if (message.talker().id !== self.id) return
    const to = message.room()?.id ?? message.listener()!.id
    const image = message.type() === types.Message.Image
    const json =
      message.type() === types.Message.Text ? undefined : mocker.cacheFileBoxPayload.get(message.id)
    const box = json && !image ? FileBox.fromJSON(json) : undefined
    sent.push({
      to,
      text: image ? '[image]' : box ? `[file ${box.name}]` : (message.text() ?? ''),
      image,
      ...(image && json ? { picture: FileBox.fromJSON(json).toBuffer() } : {}),
      ...(box ? { file: { name: box.name, content: box.toBuffer() } } : {}),
    })
  })

  async function post(from: ContactMock, content: Content, room?: RoomMock, mentionBot = false) {
    let id: string | undefined
    const capture = (message: { id: string }) => void (id ??= message.id)
    events(from).on('message', capture)
    if (typeof content !== 'string') from.say(content).to(room ?? self)
    else if (mentionBot) from.say(`@${self.payload.name} ${content}`, [self]).to(room ?? self)
    else from.say(content).to(room ?? self)
    events(from).off('message', capture)
    await until(
      () => received.has(id!),
      `the bot to receive ${typeof content === 'string' ? content.slice(0, 20) : 'a file'}`,
    )
  }

  async function answers(chat: string, before: number): Promise<string[]> {
    await bot.idle()
    return sent.slice(before).flatMap((s) => (s.to === chat ? [s.text] : []))
  }

  return {
    bot,
    puppet,
    mocker,
    self,
    clock,
    sent,
    logs,
    contact: (name = 'Member', payload = {}) => mocker.createContact({ name, ...payload }),
    room: (...members) =>
      mocker.createRoom({ memberIdList: [self.id, ...members.map((m) => m.id)], topic: '会员群' }),
    post,
    async say(from, content, room, mentionBot) {
      const before = sent.length
      await post(from, content, room, mentionBot)
      return answers(room?.id ?? from.id, before)
    },
    async deliver(from, messageId) {
      const before = sent.length
      puppet.emit('message', { messageId })
      await until(() => received.has(messageId), 'the bot to receive the message')
      return answers(from.id, before)
    },
    async requestFriendship(from, hello) {
      const id = `friendship-${from.id}-${friendshipsSeen.size}`
      puppet.friendships.set(id, {
        id,
        contactId: from.id,
        hello,
        ticket: id,
        timestamp: Date.now(),
        type: types.Friendship.Receive,
      })
      puppet.emit('friendship', { friendshipId: id })
      await until(() => friendshipsSeen.has(id), 'the friend request')
      await bot.idle()
    },
    stop: () => bot.stop(),
  }
}
