import { PassThrough } from 'node:stream'
import pino from 'pino'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { runConsoleChat } from '../../src/bots/console/console-chat.ts'
import { createConversation } from '../../src/bots/core/conversation.ts'
import { type TelegramBot, createBot } from '../../src/bots/telegram/create-bot.ts'
import { describeOnDatabases } from '../helpers/domain.ts'
import { FakeBotApi } from '../helpers/fake-telegram.ts'
import { type TgUser, textUpdate } from '../helpers/telegram-updates.ts'
import { type WechatHarness, startWechatHarness } from '../helpers/wechat.ts'

const PUBLIC_URL = 'https://shop.example'

describeOnDatabases('/console (后台) in chat', (get) => {
  let api: FakeBotApi
  let telegram: TelegramBot
  let wx: WechatHarness
  const logger = pino({ level: 'silent' })
  const conversation = () =>
    createConversation({ domain: get().domain, logger, publicUrl: PUBLIC_URL })

  beforeAll(async () => {
    api = await new FakeBotApi().start()
    telegram = createBot('123456:TEST-token', {
      conversation: conversation(),
      logger,
      apiRoot: api.url,
    })
    await telegram.start({ url: `${PUBLIC_URL}/telegram`, secret: 'secret-123' })
    wx = await startWechatHarness(conversation())
  })
  afterAll(async () => {
    await telegram?.stop()
    await api?.close()
    await wx?.stop()
  })

  async function say(who: TgUser, text: string) {
    const before = api.sentTo(who.id).length
    await telegram.handleUpdate(textUpdate(who, text) as never)
    await telegram.idle()
    return api.sentTo(who.id).slice(before)
  }
  /** Exchanges the code of a login link as the console page would. */
  const signInWith = (link: string) =>
    get().domain.staffSessions.openFromLink(new URL(link).hash.replace(/^#code=/, ''))

  it('answers staff in Telegram with a web_app button that opens the console page', async () => {
    const clerk: TgUser = { id: 83_001, first_name: 'Clerk', language_code: 'en' }
    const { code } = await get().domain.staff.createInvite('staff')
    await say(clerk, `/admin ${code}`)
    expect(await say(clerk, '/console')).toEqual(['The button below opens the merchant console:'])
    expect(api.lastTo(clerk.id).payload.reply_markup).toEqual({
      inline_keyboard: [
        [{ text: 'Open the console', web_app: { url: `${PUBLIC_URL}/miniapp/console/` } }],
      ],
    })
  })

  it('refuses a member who is not on the staff', async () => {
    const stranger: TgUser = { id: 83_002, first_name: 'Nosy', language_code: 'zh-hans' }
    expect(await say(stranger, '/console')).toEqual(['/console 仅限店员及以上使用。'])
    expect(api.lastTo(stranger.id).payload.reply_markup).toBeUndefined()
  })

  it('sends staff on WeChat a one-time login link for 后台', async () => {
    const manager = wx.contact('店长')
    const { code } = await get().domain.staff.createInvite('manager')
    await wx.say(manager, `管理员 ${code}`)
    const answer = (await wx.say(manager, '后台')).join('\n')
    expect(answer).toContain('商家后台登录链接（5 分钟内有效，只能用一次，请勿转发）')
    const link = /https:\/\/shop\.example\/miniapp\/console\/#code=[\w-]+/.exec(answer)![0]
    const session = await signInWith(link)
    expect(session).toMatchObject({ role: 'manager', name: '店长' })
    await expect(signInWith(link)).rejects.toMatchObject({ code: 'unauthorized' })
  })

  it('prints the one-time link in the terminal chat', async () => {
    const { code } = await get().domain.staff.createInvite('owner')
    const input = new PassThrough()
    const output = new PassThrough()
    let transcript = ''
    output.on('data', (chunk) => (transcript += chunk))
    const done = runConsoleChat({
      conversation: conversation(),
      input,
      output,
      userId: 'terminal-owner',
      displayName: 'Terminal Owner',
      languageCode: 'en',
    })
    input.end([`/admin ${code}`, '/console', '/quit'].join('\n'))
    await done
    expect(transcript).toContain('Your console sign-in link (works once, for 5 minutes')
    const link = /https:\/\/shop\.example\/miniapp\/console\/#code=[\w-]+/.exec(transcript)![0]
    expect(await signInWith(link)).toMatchObject({ role: 'owner', name: 'Terminal Owner' })
  })
})
