import { describe, expect, it } from 'vitest'
import { COMMAND_WORDS, withCommandWords } from '../../src/bots/core/command-words.ts'
import { parseCommand } from '../../src/bots/core/conversation.ts'
import { LOCALES } from '../../src/domain/programme/programme.ts'

describe('command words for channels without slash commands', () => {
  it.each(LOCALES)(
    'every word a %s text names is a word the conversation understands',
    (locale) => {
      for (const [command, word] of Object.entries(COMMAND_WORDS[locale]))
        expect(parseCommand(`${word} x`)).toEqual({ name: command, args: 'x' })
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
})
