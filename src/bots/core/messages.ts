import type { Locale } from '../../domain/programme/programme.ts'

/** What a channel adapter hands the conversation core: one message or one button press. */
export interface Inbound {
  channel: 'telegram' | 'wechat' | 'wechat_official' | 'console'
  /** The sender's stable id on the channel (Telegram user id, WeChat contact id, openid). */
  userId: string
  /** The bot's own username on the channel, where links to it can be made (Telegram). */
  botUsername?: string
  displayName: string
  /** The language the platform reports (Telegram's language_code), if any. */
  languageCode?: string
  /** Unique per delivery (Telegram update_id, WeChat message id): a redelivery is ignored. */
  updateKey?: string
  text?: string
  /** The action of a pressed button. Clients can forge it, so every action is re-checked. */
  action?: string
  /**
   * How people give commands on the channel. WeChat users type words (积分, 签到), so the
   * replies there name words instead of slash commands. Slash commands by default.
   */
  commands?: 'slash' | 'words'
  /**
   * Sent in a group chat, where everyone reads the answer: commands that show a member's
   * private data or staff data are answered with a request to write privately.
   */
  group?: boolean
}

export interface Button {
  label: string
  action?: string
  /**
   * The number the core gave an action button, unique among the choices on screen; adapters
   * without buttons print it ("回复 3 …") and the core maps it back.
   */
  number?: number
  url?: string
  /** Opens the mini-app (Telegram web_app button); adapters without one send it as a link. */
  webAppUrl?: string
}

export interface Reply {
  text: string
  /** Rows of buttons; adapters without buttons print their numbers instead ("回复 1 …"). */
  buttons?: Button[][]
  /** A picture; `name` is the file name the chat shows. */
  image?: { png: Buffer; caption?: string; name?: string }
  /** A file sent with the text (a member's own data); adapters without files save it locally. */
  document?: { data: Buffer; filename: string; mimeType: string }
  /** The language of the text, for adapters that add words of their own (numbered choices). */
  locale?: Locale
}
