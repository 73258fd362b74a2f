import type { Locale } from '../../domain/programme/programme.ts'
import { SUBCOMMAND_WORDS, wordOf } from './commands.ts'

// A slash command standing alone in a text, with its subcommand if it has one; not one inside
// a URL or already quoted, such as the Telegram form 「/bind CODE」 that a binding code is sent with.
const SLASH_COMMAND = new RegExp(
  `( ?)(?<![\\w/:.「"“])\\/([a-z]+)(?: (${SUBCOMMAND_WORDS.join('|')}))?\\b( ?)`,
  'g',
)

/** The text with each slash command it names replaced by the word for it: 「积分」 or "points". */
export function withCommandWords(text: string, locale: Locale): string {
  return text.replace(
    SLASH_COMMAND,
    (match, before: string, name: string, sub: string | undefined, after: string) => {
      const plain = wordOf(name, locale)
      const whole = sub ? wordOf(name, locale, sub) : plain
      if (!whole) return match
      // A word after a command that has no such subcommand is text of its own.
      const rest = sub && whole === plain ? ` ${sub}` : ''
      // Chinese puts no spaces around the quoted word; English keeps them.
      return locale === 'zh-CN' ? `「${whole}」${rest}` : `${before}"${whole}"${rest}${after}`
    },
  )
}
