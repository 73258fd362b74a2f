import { readFileSync, rmSync } from 'node:fs'
import { PassThrough } from 'node:stream'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runConsoleChat } from '../../src/bots/console/console-chat.ts'
import { createConversation } from '../../src/bots/core/conversation.ts'
import { type TelegramBot, createBot } from '../../src/bots/telegram/create-bot.ts'
import { databases } from '../helpers/db.ts'
import { createFixture, describeOnDatabases } from '../helpers/domain.ts'
import { FakeBotApi } from '../helpers/fake-telegram.ts'
import { expectLedgerConsistent } from '../helpers/invariants.ts'
import { type TgUser, buttonUpdate, textUpdate } from '../helpers/telegram-updates.ts'
import { type ContactMock, type WechatHarness, startWechatHarness } from '../helpers/wechat.ts'

describeOnDatabases('privacy and tags in the Telegram bot', (get) => {
  let api: FakeBotApi
  let telegram: TelegramBot
  let nextId = 81_000
  const user = (first_name: string, language_code = 'en'): TgUser => ({
    id: ++nextId,
    first_name,
    language_code,
  })

  beforeAll(async () => {
    api = await new FakeBotApi().start()
    const logger = pino({ level: 'silent' })
    const conversation = createConversation({ domain: get().domain, logger })
    telegram = createBot('123456:TEST-token', { conversation, logger, apiRoot: api.url })
    await telegram.start({ url: 'https://shop.example/telegram', secret: 'secret-123' })
  })
  afterAll(async () => {
    await telegram?.stop()
    await api?.close()
  })

  async function deliver(who: TgUser, update: unknown): Promise<string[]> {
    const before = api.sentTo(who.id).length
    await telegram.handleUpdate(update as never)
    await telegram.idle()
    return api.sentTo(who.id).slice(before)
  }
  const say = (who: TgUser, text: string) => deliver(who, textUpdate(who, text))
  const press = (who: TgUser, data: string) => deliver(who, buttonUpdate(who, data))
  const lastButtons = (who: TgUser) =>
    (
      api.lastTo(who.id).payload.reply_markup as {
        inline_keyboard: { text: string; callback_data?: string }[][]
      }
    ).inline_keyboard.flat()
  async function join(who: TgUser) {
    await say(who, '/start')
    await press(who, 'reg:agree')
    await press(who, 'reg:marketing:yes')
    return get().domain.members.get({ telegramId: String(who.id) })
  }
  const documentsTo = (who: TgUser) =>
    api.calls.filter((c) => c.method === 'sendDocument' && c.payload.chat_id === String(who.id))

  it('/mydata sends the member their own data as a JSON file, whatever code they add', async () => {
    const ann = user('Ann')
    const bob = user('Bob')
    const annMember = await join(ann)
    const bobMember = await join(bob)
    const [caption] = await say(ann, `/mydata ${bobMember.code}`)
    expect(caption).toContain('everything we keep about you')
    const [call] = documentsTo(ann)
    const file = call!.payload.document as { filename: string; content: Buffer }
    expect(file.filename).toBe(`my-data-${annMember.code}.json`)
    const data = JSON.parse(file.content.toString('utf8'))
    expect(data.member).toMatchObject({ id: annMember.id, displayName: 'Ann' })
    expect(data.chatIdentities).toEqual([
      expect.objectContaining({ channel: 'telegram', id: String(ann.id) }),
    ])
    expect(file.content.toString('utf8')).not.toContain(bobMember.id)
    expect(documentsTo(bob)).toEqual([])
  })

  it('asks a stranger to join, and a group to ask in private', async () => {
    const stranger = user('Stranger')
    expect(await say(stranger, '/mydata')).toEqual([expect.stringContaining('not a member')])
    const member = user('Grouped')
    await join(member)
    const group = { id: -5_000_001, type: 'group' }
    await telegram.handleUpdate(textUpdate(member, '/mydata', { chat: group }) as never)
    await telegram.idle()
    expect(api.sentTo(group.id).at(-1)).toContain('message me directly')
    expect(documentsTo(member)).toEqual([])
  })

  it('/deleteme asks first, in the member’s language; cancel keeps everything, confirm erases', async () => {
    const chen = user('陈', 'zh-hans')
    const member = await join(chen)
    const [question] = await say(chen, '/deleteme')
    expect(question).toContain('确定要注销会员吗')
    expect(question).toContain('0 积分')
    expect(lastButtons(chen).map((b) => b.text)).toEqual(['确认注销', '取消'])
    await press(chen, 'cancel')
    expect((await get().domain.members.view(member.id)).status).toBe('active')

    await say(chen, '注销')
    const confirm = lastButtons(chen)[0]!.callback_data!
    const [done] = await press(chen, confirm)
    expect(done).toContain('已注销')
    expect((await get().domain.members.view(member.id)).status).toBe('erased')
    const { db } = get().store
    expect(
      await db
        .selectFrom('dialogStates')
        .selectAll()
        .where('userId', '=', String(chen.id))
        .execute(),
    ).toEqual([])
    expect(
      await db
        .selectFrom('memberIdentities')
        .selectAll()
        .where('memberId', '=', member.id)
        .execute(),
    ).toEqual([])
    await expectLedgerConsistent(db)
    // A second press of the old button does nothing more; the chat now belongs to no one.
    expect(await press(chen, confirm)).toEqual([expect.stringContaining('失效')])
    expect(await say(chen, '/points')).toEqual([expect.stringContaining('还不是会员')])
  })

  it('staff tag and untag members by code or phone; members and others are refused', async () => {
    const { domain } = get()
    const shopper = user('Shopper')
    const member = await join(shopper)
    expect(await say(shopper, `/tag ${member.code} VIP`)).toEqual([
      '/tag needs the staff role or higher.',
    ])
    const clerk = user('Clerk')
    const { code } = await domain.staff.createInvite('staff')
    await say(clerk, `/admin ${code}`)
    const [tagged] = await say(clerk, `/tag ${member.code} VIP, coffee lover`)
    expect(tagged).toBe(`🏷 Tags of Shopper (${member.code}): VIP, coffee lover`)
    expect((await domain.tags.of(member.id)).tags).toEqual(['VIP', 'coffee lover'])
    const [untagged] = await say(clerk, `/untag ${member.code} VIP`)
    expect(untagged).toContain(': coffee lover')
    expect(await say(clerk, '/tag')).toEqual([
      expect.stringContaining('/tag <member code or phone>'),
    ])
    expect(await say(clerk, `/tag ${member.code} a/b`)).toEqual([
      expect.stringContaining('without /'),
    ])
  })

  it('only the owner gets CSV exports in chat', async () => {
    const { domain } = get()
    const manager = user('Manager')
    await say(manager, `/admin ${(await domain.staff.createInvite('manager')).code}`)
    expect(await say(manager, '/export members')).toEqual([
      '/export needs the owner role; you are manager.',
    ])
    const owner = user('Owner')
    await say(owner, `/admin ${(await domain.staff.createInvite('owner')).code}`)
    expect(await say(owner, '/export')).toEqual([expect.stringContaining('/export members')])
    await say(owner, '/export members')
    const [call] = documentsTo(owner)
    const file = call!.payload.document as { filename: string; content: Buffer }
    expect(file.filename).toMatch(/^members-\d{4}-\d{2}-\d{2}\.csv$/)
    expect(file.content.toString('utf8')).toContain('code,external_id,name,phone')
    expect(file.content.toString('utf8')).toContain('Shopper')
  })

  it("the owner exports a saved segment's members in chat with /export segment <id>", async () => {
    const { domain } = get()
    const region = 'Segment-Export-Town'
    const inside = await domain.members.register({
      displayName: 'Inside',
      marketingConsent: true,
      region,
    })
    await domain.members.register({ displayName: 'Outside', marketingConsent: true })
    const segment = await domain.segments.create({ name: 'Town', filter: { regions: [region] } })
    const owner = user('Segment owner')
    await say(owner, `/admin ${(await domain.staff.createInvite('owner')).code}`)
    expect(await say(owner, '/export segment')).toEqual([
      expect.stringContaining('/export segment <segment id>'),
    ])
    await say(owner, `/export segment ${segment.id}`)
    const [call] = documentsTo(owner)
    const file = call!.payload.document as { filename: string; content: Buffer }
    expect(file.filename).toMatch(new RegExp(`^segment-${segment.id}-\\d{4}-\\d{2}-\\d{2}\\.csv$`))
    const lines = file.content.toString('utf8').trim().split(/\r?\n/)
    expect(lines).toHaveLength(2)
    expect(lines[1]).toContain(`${inside.code},`)
    expect(lines[1]).toContain('Inside')
  })
})

describeOnDatabases('privacy in the WeChat bot', (get) => {
  let wx: WechatHarness
  beforeAll(async () => {
    const conversation = createConversation({
      domain: get().domain,
      logger: pino({ level: 'silent' }),
    })
    wx = await startWechatHarness(conversation)
  })
  afterAll(async () => {
    await wx?.stop()
  })

  async function join(contact: ContactMock) {
    await wx.say(contact, '注册')
    await wx.say(contact, '1')
    await wx.say(contact, '3')
  }

  it('我的数据 sends the member’s data as a file; 注销 erases after a numbered confirm', async () => {
    const li = wx.contact('李雷')
    await join(li)
    const member = await get().domain.members.get({ wechatId: li.id })
    const before = wx.sent.length
    const answer = await wx.say(li, '我的数据')
    expect(answer).toEqual([
      `[file my-data-${member.code}.json]`,
      expect.stringContaining('全部数据'),
    ])
    const sent = wx.sent.slice(before).find((s) => s.file)!
    const data = JSON.parse((await sent.file!.content).toString('utf8'))
    expect(data.member).toMatchObject({ id: member.id, displayName: '李雷' })
    expect(data.chatIdentities).toEqual([expect.objectContaining({ channel: 'wechat', id: li.id })])

    const [question] = await wx.say(li, '注销')
    expect(question).toContain('回复 1 确认注销\n回复 2 取消')
    expect(question).not.toContain('/start')
    const [done] = await wx.say(li, '1')
    expect(done).toContain('已注销')
    expect(done).toContain('「注册」')
    await expect(get().domain.members.get({ wechatId: li.id })).rejects.toMatchObject({
      code: 'member_not_found',
    })
  })
})

describe('privacy in the terminal chat', () => {
  it('writes the member’s data file to disk and prints its path', async () => {
    const fixture = await createFixture(databases[0]!)
    const input = new PassThrough()
    const output = new PassThrough()
    let transcript = ''
    output.on('data', (chunk) => (transcript += chunk))
    const done = runConsoleChat({
      conversation: createConversation({
        domain: fixture.domain,
        logger: pino({ level: 'silent' }),
      }),
      input,
      output,
      userId: 'privacy-tester',
      displayName: 'Pat',
      languageCode: 'en',
    })
    input.end(['/start', '1', '3', '/mydata', '/quit'].join('\n'))
    await done
    const path = /\[file: (.+\.json)\]/.exec(transcript)![1]!
    const data = JSON.parse(readFileSync(path, 'utf8'))
    expect(data.member).toMatchObject({ displayName: 'Pat', externalId: 'console:privacy-tester' })
    rmSync(path)
    await fixture.store.cleanup()
  })
})
