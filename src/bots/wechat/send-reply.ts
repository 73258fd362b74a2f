import { FileBox, type FileBoxInterface } from 'file-box'
import { t } from '../core/i18n.ts'
import type { Reply } from '../core/messages.ts'

/** Long enough for any reply, short enough for every WeChat client to show in one bubble. */
const TEXT_LIMIT = 2_000

/** One WeChat message: a text, a picture or a file. */
export type WechatMessage = { text: string } | { file: FileBoxInterface }

/**
 * A reply as WeChat messages. WeChat has no buttons: choices become lines with the number the
 * core gave them ("回复 1 确认兑换"), which it maps back when the member sends the number; links
 * become a line with the address. A picture goes first, its text after it, as WeChat has no captions.
 */
export function toMessages(reply: Reply): WechatMessage[] {
  const locale = reply.locale ?? 'zh-CN'
  const choices: string[] = []
  for (const button of reply.buttons?.flat() ?? []) {
    if (button.number)
      choices.push(t(locale, 'choice.reply', { number: button.number, label: button.label }))
    const url = button.url ?? button.webAppUrl
    if (url) choices.push(t(locale, 'choice.link', { label: button.label, url }))
  }
  const messages: WechatMessage[] = []
  if (reply.image) {
    // Base64 rather than a buffer: hosted puppets serialise the file to send it on.
    messages.push({
      file: FileBox.fromBase64(
        reply.image.png.toString('base64'),
        reply.image.name ?? 'member-code.png',
      ),
    })
  }
  if (reply.document) {
    messages.push({
      file: FileBox.fromBase64(reply.document.data.toString('base64'), reply.document.filename),
    })
  }
  const text = choices.length > 0 ? `${reply.text}\n\n${choices.join('\n')}` : reply.text
  for (let i = 0; i < text.length; i += TEXT_LIMIT)
    messages.push({ text: text.slice(i, i + TEXT_LIMIT) })
  return messages
}
