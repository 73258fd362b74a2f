import type { CommandId } from '../core/commands.ts'
import { t } from '../core/i18n.ts'
import type { Reply } from '../core/messages.ts'
import type { OfficialAccountApi } from './api.ts'

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

/**
 * Sets the account's menu in `locale`, for the CLI and at start alike. WeChat's menu/create
 * replaces the whole menu, so setting it again is harmless. Answers the buttons' names.
 */
export async function setOfficialMenu(
  api: Pick<OfficialAccountApi, 'createMenu'>,
  locale: NonNullable<Reply['locale']>,
  memberPageUrl?: string,
): Promise<string[]> {
  const menu = officialMenu(locale, memberPageUrl)
  await api.createMenu(menu)
  return menu.button.map((b) => b.name)
}
