import type { Telegram } from 'telegraf'
import type { InlineKeyboardButton } from 'telegraf/types'
import type { Button, Reply } from '../core/messages.ts'

const TEXT_LIMIT = 4096
const CAPTION_LIMIT = 1024

function toButton(button: Button, isPrivate: boolean): InlineKeyboardButton | undefined {
  if (button.action) return { text: button.label, callback_data: button.action }
  // web_app buttons work in private chats only; elsewhere the mini-app opens as a link.
  if (button.webAppUrl)
    return isPrivate
      ? { text: button.label, web_app: { url: button.webAppUrl } }
      : { text: button.label, url: button.webAppUrl }
  if (button.url) return { text: button.label, url: button.url }
  return undefined
}

function keyboard(reply: Reply, isPrivate: boolean) {
  if (!reply.buttons?.length) return undefined
  const rows = reply.buttons.map((row) => row.flatMap((b) => toButton(b, isPrivate) ?? []))
  return { inline_keyboard: rows.filter((row) => row.length > 0) }
}

function chunks(text: string): string[] {
  const parts: string[] = []
  for (let i = 0; i < text.length; i += TEXT_LIMIT) parts.push(text.slice(i, i + TEXT_LIMIT))
  return parts.length ? parts : ['']
}

/** Sends the core's replies in order; buttons go with the last part of a long text. */
export async function sendReplies(
  telegram: Telegram,
  chatId: number,
  isPrivate: boolean,
  replies: Reply[],
): Promise<void> {
  for (const reply of replies) {
    const reply_markup = keyboard(reply, isPrivate)
    if (reply.document) {
      const { data, filename } = reply.document
      const captioned = reply.text.length <= CAPTION_LIMIT
      await telegram.sendDocument(
        chatId,
        { source: data, filename },
        captioned ? { caption: reply.text, reply_markup } : {},
      )
      if (captioned) continue
    }
    if (reply.image && reply.text.length <= CAPTION_LIMIT) {
      await telegram.sendPhoto(
        chatId,
        { source: reply.image.png, filename: reply.image.name ?? 'code.png' },
        { caption: reply.text, reply_markup },
      )
      continue
    }
    if (reply.image)
      await telegram.sendPhoto(chatId, {
        source: reply.image.png,
        filename: reply.image.name ?? 'code.png',
      })
    const parts = chunks(reply.text)
    for (const [i, part] of parts.entries()) {
      await telegram.sendMessage(chatId, part, i === parts.length - 1 ? { reply_markup } : {})
    }
  }
}
