import { type Contact, type Message, type Room, types } from 'wechaty'
import { CHOICE_NUMBER } from '../core/choices.ts'
import { parseCommand } from '../core/commands.ts'
import type { Inbound } from '../core/messages.ts'

/** Kinds a member may send that the bot cannot read: answered with a hint, not ignored. */
const UNREADABLE = new Set([
  types.Message.Attachment,
  types.Message.Audio,
  types.Message.ChatHistory,
  types.Message.Contact,
  types.Message.Emoticon,
  types.Message.Image,
  types.Message.Location,
  types.Message.MiniProgram,
  types.Message.Url,
  types.Message.Video,
])

const CJK = /\p{Script=Han}/u

export interface ToInboundOptions {
  /** Older messages are history that the puppet replays after a login, not questions. */
  maxAgeSeconds: number
  /** Whether the bot offered `talkerId` numbered choices in `roomId` a moment ago. */
  awaitsChoice(roomId: string, talkerId: string): boolean
}

export interface WechatInbound {
  inbound: Inbound
  talker: Contact
  /** The group chat it was said in; replies go there. */
  room?: Room
}

/**
 * In a group, a text is for the bot when it mentions the bot, starts with a Chinese command
 * word or a slash command (English words are everyday chat, so they need the mention), or is
 * the number of a choice the bot just offered its sender there.
 */
function addressesBot(text: string, mentioned: boolean, awaitsChoice: boolean): boolean {
  if (mentioned) return true
  if (CHOICE_NUMBER.test(text)) return awaitsChoice
  const command = parseCommand(text)
  return Boolean(command) && (text.startsWith('/') || CJK.test(text.split(/\s+/)[0]!))
}

/** A WeChat message as the core sees it; undefined for what the bot ignores. */
export async function toInbound(
  message: Message,
  options: ToInboundOptions,
): Promise<WechatInbound | undefined> {
  if (message.self() || message.age() > options.maxAgeSeconds) return undefined
  const talker = message.talker()
  // Official accounts (公众号), WeChat's own notices among them, talk too; members are people.
  if (talker.type() === types.Contact.Official) return undefined
  const room = message.room()
  const isText = message.type() === types.Message.Text
  if (!isText && (room || !UNREADABLE.has(message.type()))) return undefined
  const inbound: Inbound = {
    channel: 'wechat',
    userId: talker.id,
    displayName: talker.name() || 'WeChat user',
    updateKey: message.id,
    commands: 'words',
    text: isText ? message.text() : '',
  }
  if (!room) return { inbound, talker }
  const mentioned = await message.mentionSelf()
  const text = (mentioned ? await message.mentionText() : message.text()).trim()
  if (!addressesBot(text, mentioned, options.awaitsChoice(room.id, talker.id))) return undefined
  return { inbound: { ...inbound, text, group: true }, talker, room }
}
