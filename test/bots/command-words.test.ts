import { describe, expect, it } from 'vitest'
import { COMMANDS, parseCommand } from '../../src/bots/core/commands.ts'
import { withCommandWords } from '../../src/bots/core/command-words.ts'
import { LOCALES } from '../../src/domain/programme/programme.ts'

describe('command words for channels without slash commands', () => {
  it.each(LOCALES)(
    'every %s word of the command table is a word the conversation understands',
    (locale) => {
      for (const command of COMMANDS)
        for (const word of command.words[locale]) {
          const sub = command.sub?.[locale][0]
          expect(parseCommand(`${word}${sub ? ` ${sub}` : ''} x`)).toMatchObject({
            command: { id: command.id },
            args: 'x',
          })
        }
    },
  )

  it('names words instead of slash commands, leaving links and quoted Telegram forms alone', () => {
    expect(withCommandWords('发送 /points 查看积分，/checkin 每日签到。', 'zh-CN')).toBe(
      '发送「积分」查看积分，「签到」每日签到。',
    )
    expect(withCommandWords('Send /start to join; /nosuch stays.', 'en')).toBe(
      'Send "join" to join; /nosuch stays.',
    )
    const untouched = '发送「/bind AB12CD」或打开 https://shop.example/start/points'
    expect(withCommandWords(untouched, 'zh-CN')).toBe(untouched)
  })

  it('names a subcommand by its own words', () => {
    expect(withCommandWords('/quiz start 仅限店长及以上使用。', 'zh-CN')).toBe(
      '「问答 开始」仅限店长及以上使用。',
    )
    expect(withCommandWords('Send /quiz start now, or /points start.', 'en')).toBe(
      'Send "quiz start" now, or "points" start.',
    )
  })
})
