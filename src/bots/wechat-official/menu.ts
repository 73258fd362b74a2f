import type { CommandId } from '../core/commands.ts'
import { t } from '../core/i18n.ts'
import type { Reply } from '../core/messages.ts'

interface ClickButton {
  type: 'click'
  name: string
  /** A command of the command table: a click runs it (see to-inbound.ts). */
  key: CommandId
}

interface ViewButton {
  type: 'view'
  name: string
  url: string
}

/**
 * The account's menu (cgi-bin/menu/create) in the programme's language. 会员中心 opens the
 * member page through the account's web login (`memberPageUrl`, see oauth.ts), signed in with
 * no link; without that address it runs the command that sends a one-time link, as on the
 * WeChat bot.
 */
export function officialMenu(
  locale: NonNullable<Reply['locale']>,
  memberPageUrl?: string,
): { button: (ClickButton | ViewButton)[] } {
  const name = t(locale, 'menu.memberCentre')
  return {
    button: [
      memberPageUrl
        ? { type: 'view', name, url: memberPageUrl }
        : { type: 'click', name, key: 'app' },
      { type: 'click', name: t(locale, 'menu.checkin'), key: 'checkin' },
      { type: 'click', name: t(locale, 'menu.points'), key: 'points' },
    ],
  }
}
