import { describe, expect, it } from 'vitest'
import { COMMANDS, helpText, parseCommand, slashOf } from '../../src/bots/core/commands.ts'
import { hasMessage, t } from '../../src/bots/core/i18n.ts'
import { LOCALES, type Locale } from '../../src/domain/programme/programme.ts'
import { STAFF_ROLES, roleAtLeast } from '../../src/domain/staff/staff.service.ts'

type Command = (typeof COMMANDS)[number]

/** The help lines that stand for `command`: its words or slash form, and its description. */
function linesOf(help: string, command: Command, locale: Locale, words: boolean): string[] {
  const said = words
    ? [command.words[locale][0], command.sub?.[locale][0]].filter(Boolean).join(' ')
    : slashOf(command)
  const description = t(locale, `command.${command.id}`)
  return help
    .split('\n')
    .filter((line) => line.startsWith(`${said} `) && line.endsWith(` ${description}`))
}

describe('the table of chat commands', () => {
  it('gives every command words and help text in both languages, and a handler', () => {
    for (const command of COMMANDS) {
      expect(typeof command.handler).toBe('function')
      for (const locale of LOCALES) {
        expect(command.words[locale].length).toBeGreaterThan(0)
        expect(t(locale, `command.${command.id}`)).not.toBe('')
        if (command.usage) expect(hasMessage(`usage.${command.id}`)).toBe(true)
      }
    }
  })

  it('lets no word stand for two commands', () => {
    const seen = new Map<string, string>()
    for (const command of COMMANDS)
      for (const locale of LOCALES)
        for (const word of command.words[locale]) {
          const key = `${word.toLowerCase()} ${command.sub?.[locale][0] ?? ''}`
          expect(seen.get(key) ?? command.id).toBe(command.id)
          seen.set(key, command.id)
        }
  })

  it('routes only what the table has', () => {
    expect(parseCommand('/nosuch thing')).toBeUndefined()
    expect(parseCommand('/quiz start')).toMatchObject({ command: { id: 'quizStart' }, args: '' })
    expect(parseCommand('/quiz 开始')).toMatchObject({ command: { id: 'quizStart' } })
    expect(parseCommand('问答 开始')).toMatchObject({ command: { id: 'quizStart' } })
    expect(parseCommand('/quiz')).toMatchObject({ command: { id: 'quiz' }, args: '' })
    expect(parseCommand('邀请')).toMatchObject({ command: { id: 'invite' }, args: '' })
    expect(parseCommand('/join')).toBeUndefined()
  })

  it.each(LOCALES)('help in %s lists each command the person may use, exactly once', (locale) => {
    for (const words of [false, true])
      for (const role of [null, ...STAFF_ROLES]) {
        const help = helpText(locale, { role, member: true, words })
        for (const command of COMMANDS) {
          const allowed = !command.role || (role !== null && roleAtLeast(role, command.role))
          const listed = allowed && command.listed === undefined
          expect(linesOf(help, command, locale, words)).toHaveLength(listed ? 1 : 0)
        }
      }
  })

  it('help before joining lists only what works before joining, and in a group only what works there', () => {
    const stranger = helpText('en', { role: null, member: false })
    for (const command of COMMANDS)
      expect(linesOf(stranger, command, 'en', false)).toHaveLength(
        command.open && !command.role && command.listed !== 'nobody' ? 1 : 0,
      )
    const group = helpText('zh-CN', { role: 'owner', member: true, group: true, words: true })
    for (const command of COMMANDS)
      expect(linesOf(group, command, 'zh-CN', true)).toHaveLength(
        command.group && command.listed === undefined ? 1 : 0,
      )
  })
})
