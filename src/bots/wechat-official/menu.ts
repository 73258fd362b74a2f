import type { CommandId } from '../core/commands.ts'
import { t } from '../core/i18n.ts'
import type { Reply } from '../core/messages.ts'

interface ClickButton {
  type: 'click'
  name: string
  /** A command of the command table: a click runs it (see to-inbound.ts). */
  key: CommandId
}

/**
 * The account's menu (cgi-bin/menu/create) in the programme's language. 会员中心 runs the
 * command that sends the member's page as a one-time link, as on the WeChat bot.
 */
export function officialMenu(locale: NonNullable<Reply['locale']>): { button: ClickButton[] } {
  return {
    button: [
      { type: 'click', name: t(locale, 'menu.memberCentre'), key: 'app' },
      { type: 'click', name: t(locale, 'menu.checkin'), key: 'checkin' },
      { type: 'click', name: t(locale, 'menu.points'), key: 'points' },
    ],
  }
}
