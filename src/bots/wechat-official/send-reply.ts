import { t } from '../core/i18n.ts'
import type { Reply } from '../core/messages.ts'

/**
 * A reply as the text of one Official Account message. There are no buttons: choices become
 * lines with the number the core gave them ("回复 1 确认兑换"), links a line with the address.
 * A picture (the member code) needs an uploaded media id, which a passive reply cannot wait
 * for: its caption is sent, and the code is in the member's page.
 */
export function toText(reply: Reply): string {
  const locale = reply.locale ?? 'zh-CN'
  const lines = [reply.text]
  for (const button of reply.buttons?.flat() ?? []) {
    if (button.number)
      lines.push(t(locale, 'choice.reply', { number: button.number, label: button.label }))
    const url = button.url ?? button.webAppUrl
    if (url) lines.push(t(locale, 'choice.link', { label: button.label, url }))
  }
  return lines.length > 1 ? `${lines[0]}\n\n${lines.slice(1).join('\n')}` : reply.text
}
