/** Builders of Telegram updates as the Bot API sends them. */
let updateId = 1_000
let messageId = 1

export interface TgUser {
  id: number
  first_name: string
  language_code?: string
}

export function textUpdate(
  user: TgUser,
  text: string,
  options: { chat?: { id: number; type: string }; updateId?: number } = {},
) {
  const chat = options.chat ?? { id: user.id, type: 'private' }
  return {
    update_id: options.updateId ?? ++updateId,
    message: {
      message_id: ++messageId,
      date: Math.floor(Date.now() / 1000),
      chat: { ...chat, first_name: user.first_name },
      from: { ...user, is_bot: false },
      text,
      ...(text.startsWith('/')
        ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }] }
        : {}),
    },
  }
}

export function buttonUpdate(user: TgUser, data: string) {
  return {
    update_id: ++updateId,
    callback_query: {
      id: String(++messageId),
      from: { ...user, is_bot: false },
      chat_instance: '1',
      data,
      message: { message_id: messageId, date: 0, chat: { id: user.id, type: 'private' }, text: '' },
    },
  }
}
