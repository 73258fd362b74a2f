import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import type { Conversation } from '../core/conversation.ts'
import type { Reply } from '../core/messages.ts'

export interface ConsoleChatOptions {
  conversation: Conversation
  input: Readable
  output: Writable
  userId: string
  displayName: string
  languageCode?: string
}

const OWNER_PREFIX = 'admin-'

/**
 * The console identity for a name. `--admin` runs live under a prefix that a member's name may
 * not take, so that a later run without `--admin` can never sit in the owner's seat; names an
 * older version gave the owner carry the same prefix and stay out of reach too.
 */
export function consoleUserId(name: string, asOwner: boolean): string {
  if (asOwner) return `${OWNER_PREFIX}${name}`
  if (name.startsWith(OWNER_PREFIX))
    throw new Error(`names starting with ${OWNER_PREFIX} are the owner's; use --admin`)
  return name
}

/** Buttons become lines with the core's numbers; typing a number presses its button. */
function render(reply: Reply): string {
  const lines = [reply.text]
  if (reply.image) {
    const file = join(tmpdir(), `jifen-${Date.now()}.png`)
    writeFileSync(file, reply.image.png)
    lines.push(`[image: ${file}]`)
  }
  if (reply.document) {
    const file = join(tmpdir(), `jifen-${Date.now()}-${reply.document.filename}`)
    writeFileSync(file, reply.document.data, { mode: 0o600 })
    lines.push(`[file: ${file}]`)
  }
  const buttons = reply.buttons?.flat() ?? []
  for (const button of buttons) {
    if (button.number) lines.push(`  ${button.number}) ${button.label}`)
    else lines.push(`  ${button.label}: ${button.url ?? button.webAppUrl}`)
  }
  return lines.join('\n')
}

/**
 * The conversation in a terminal: the same core as the bots, on the same database, so that
 * anyone can try the programme without a bot token. Ends at end of input or /quit.
 */
export async function runConsoleChat(options: ConsoleChatOptions): Promise<void> {
  const { conversation, output } = options
  const lines = createInterface({ input: options.input, terminal: false })
  output.write('Jifen chat: type /start to join, /help for commands, /quit to leave.\n> ')
  for await (const line of lines) {
    if (line.trim() === '/quit') break
    const replies = await conversation.handle({
      channel: 'console',
      userId: options.userId,
      displayName: options.displayName,
      languageCode: options.languageCode,
      text: line,
    })
    for (const reply of replies) output.write(`${render(reply)}\n`)
    output.write('> ')
  }
  lines.close()
}
