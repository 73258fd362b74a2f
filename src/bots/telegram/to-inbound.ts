import type { Context } from 'telegraf'
import type { Update } from 'telegraf/types'
import type { Inbound } from '../core/messages.ts'

function displayName(from: { first_name: string; last_name?: string; username?: string }): string {
  return (
    [from.first_name, from.last_name].filter(Boolean).join(' ') || from.username || 'Telegram user'
  )
}

/** A Telegram message or button press as the core sees it; undefined for what we ignore. */
export function toInbound(
  ctx: Context<Update>,
  botUsername: string | undefined,
): Inbound | undefined {
  const from = ctx.from
  if (!from || from.is_bot) return undefined
  const base = {
    channel: 'telegram' as const,
    userId: String(from.id),
    ...(botUsername ? { botUsername } : {}),
    displayName: displayName(from),
    languageCode: from.language_code,
    updateKey: String(ctx.update.update_id),
  }
  // In a group everyone reads the answer: the core keeps private data for private chats.
  const group = ctx.chat !== undefined && ctx.chat.type !== 'private'
  if (ctx.callbackQuery) {
    return 'data' in ctx.callbackQuery
      ? { ...base, action: ctx.callbackQuery.data, ...(group ? { group } : {}) }
      : undefined
  }
  const message = ctx.message
  if (!message) return undefined
  const text = 'text' in message ? message.text : undefined
  if (ctx.chat?.type !== 'private') {
    // In groups the bot speaks only when addressed: a command, or a mention of its name.
    const addressed = text?.startsWith('/') || (botUsername && text?.includes(`@${botUsername}`))
    if (!addressed) return undefined
    return {
      ...base,
      text: botUsername ? text!.replace(`@${botUsername}`, '').trim() : text,
      group: true,
    }
  }
  return { ...base, text: text ?? '' }
}
