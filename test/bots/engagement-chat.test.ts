import { DateTime } from 'luxon'
import pino from 'pino'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createConversation } from '../../src/bots/core/conversation.ts'
import { type TelegramBot, createBot } from '../../src/bots/telegram/create-bot.ts'
import { describeOnDatabases } from '../helpers/domain.ts'
import { FakeBotApi } from '../helpers/fake-telegram.ts'
import { type TgUser, buttonUpdate, textUpdate } from '../helpers/telegram-updates.ts'
import { type ContactMock, type WechatHarness, startWechatHarness } from '../helpers/wechat.ts'

const TOKEN = '123456:TEST-token-for-the-fake-bot-api'
const questions = [
  { text: '普洱茶属于哪一类？', choices: ['绿茶', '黑茶', '白茶'], answer: 1 },
  { text: '乌龙茶适合多少度的水？', choices: ['95°C', '60°C'], answer: 0 },
]

describeOnDatabases('quizzes, lotteries and surveys in chat', (get) => {
  let api: FakeBotApi
  let telegram: TelegramBot
  let wx: WechatHarness
  const window = () => ({
    opensAt: new Date(get().clock.now().getTime() - 60_000).toISOString(),
    closesAt: new Date(get().clock.now().getTime() + 86_400_000).toISOString(),
  })

  beforeAll(async () => {
    const logger = pino({ level: 'silent' })
    const conversation = createConversation({
      domain: get().domain,
      logger,
      publicUrl: 'https://shop.example',
    })
    api = await new FakeBotApi().start()
    telegram = createBot(TOKEN, { conversation, logger, apiRoot: api.url })
    await telegram.start({ url: 'https://shop.example/telegram/webhook', secret: 'secret' })
    wx = await startWechatHarness(conversation)
  })
  afterAll(async () => {
    await telegram?.stop()
    await api?.close()
    await wx?.stop()
  })

  let ids = 91_000
  async function deliver(user: TgUser, update: unknown): Promise<string[]> {
    const before = api.sentTo(user.id).length
    await telegram.handleUpdate(update as never)
    await telegram.idle()
    return api.sentTo(user.id).slice(before)
  }
  const say = (user: TgUser, text: string) => deliver(user, textUpdate(user, text))
  const press = (user: TgUser, data: string) => deliver(user, buttonUpdate(user, data))
  const buttons = (user: TgUser) =>
    (
      api.lastTo(user.id).payload.reply_markup as
        | {
            inline_keyboard: {
              text: string
              callback_data?: string
              url?: string
              web_app?: { url: string }
            }[][]
          }
        | undefined
    )?.inline_keyboard.flat() ?? []
  async function tgMember(language = 'zh-hans'): Promise<TgUser> {
    const user = { id: ++ids, first_name: 'Player', language_code: language }
    await say(user, '/start')
    await press(user, 'reg:agree')
    await press(user, 'reg:marketing:yes')
    return user
  }
  async function wxMember(name: string): Promise<ContactMock> {
    const contact = wx.contact(name)
    await wx.say(contact, '注册')
    await wx.say(contact, '1')
    await wx.say(contact, '3')
    return contact
  }

  it('a quiz is taken to the end on Telegram with buttons, and a second attempt is refused', async () => {
    const quiz = await get().domain.quizzes.create({
      title: '茶叶问答',
      questions,
      reward: { mode: 'per_correct', points: 10 },
      ...window(),
    })
    const user = await tgMember()
    const [first] = await say(user, '/quiz')
    expect(first).toContain('茶叶问答（第 1/2 题）')
    expect(buttons(user).map((b) => b.text)).toEqual(['绿茶', '黑茶', '白茶'])
    const [right, second] = await press(user, buttons(user)[1]!.callback_data!)
    expect(right).toBe('✅ 回答正确！')
    expect(second).toContain('第 2/2 题')
    const stale = `qa:${quiz.id}:0:0`
    expect((await press(user, stale))[0]).toContain('第 2/2 题')
    const [done] = await press(user, buttons(user)[1]!.callback_data!)
    expect(done).toContain('❌ 正确答案是：95°C')
    expect(done).toContain('答对 1/2 题，获得 10 积分')
    expect((await say(user, '/quiz'))[0]).toContain('你已完成「茶叶问答」')
    await expect(
      get().domain.quizzes.begin(
        (await get().domain.members.get({ telegramId: String(user.id) })).id,
        quiz.id,
      ),
    ).rejects.toMatchObject({ code: 'already_done' })
    await get().domain.quizzes.start(quiz.id)
  })

  it('a member who finished the open quiz sees their score, rank and the leaderboard, names masked', async () => {
    await get().domain.quizzes.create({
      title: '排名问答',
      questions,
      reward: { mode: 'per_correct', points: 10 },
      opensAt: window().opensAt,
      // Closes first, so it is the finished quiz shown before any other.
      closesAt: new Date(get().clock.now().getTime() + 3_600_000).toISOString(),
    })
    const rival = await get().domain.members.register({
      displayName: '王小明',
      telegramId: String(++ids),
    })
    const user = await tgMember()
    const me = await get().domain.members.get({ telegramId: String(user.id) })
    const finish = async (memberId: string, answers: number[]) => {
      for (const open of await get().domain.quizzes.openFor(memberId)) {
        await get().domain.quizzes.begin(memberId, open.id)
        for (const [index, choice] of answers.entries())
          await get().domain.quizzes.answer(memberId, open.id, index, choice)
      }
    }
    await finish(rival.id, [1, 0])
    await finish(me.id, [1, 1])
    const [shown] = await say(user, '/quiz')
    expect(shown).toContain(
      '你已完成「排名问答」：答对 1/2 题，获得 10 积分，在 2 位完成的会员中排名第 2。',
    )
    expect(shown).toContain('1. 王*明 — 答对 2 题')
    expect(shown).toContain('2. Player（你） — 答对 1 题')
    expect(shown).not.toContain('王小明')
  })

  it('a quiz is taken to the end on WeChat with numbered replies', async () => {
    await get().domain.quizzes.create({
      title: '品牌问答',
      questions,
      reward: { mode: 'pass', threshold: 2, points: 30 },
      ...window(),
    })
    const shopper = await wxMember('答题者')
    const [list] = await wx.say(shopper, '问答')
    const pick = /回复 (\d+) 品牌问答/.exec(list!)
    expect(pick).not.toBeNull()
    const [q1] = await wx.say(shopper, pick![1]!)
    expect(q1).toContain('品牌问答（第 1/2 题）')
    const [, black] = /回复 (\d+) 黑茶/.exec(q1!)!
    const [right, q2] = await wx.say(shopper, black!)
    expect(right).toBe('✅ 回答正确！')
    const [, hot] = /回复 (\d+) 95°C/.exec(q2!)!
    const [done] = await wx.say(shopper, hot!)
    expect(done).toContain('答对 2/2 题，获得 30 积分')
    expect((await get().domain.members.get({ wechatId: shopper.id })).points.balance).toBe(30)
  })

  it('staff start a quiz from the bot; members cannot', async () => {
    const later = await get().domain.quizzes.create({
      title: '明日问答',
      questions,
      reward: { mode: 'per_correct', points: 1 },
      opensAt: new Date(get().clock.now().getTime() + 86_400_000).toISOString(),
      closesAt: new Date(get().clock.now().getTime() + 2 * 86_400_000).toISOString(),
    })
    const member = await tgMember()
    expect((await say(member, '/quiz start'))[0]).toBe('/quiz start 仅限店长及以上使用。')
    const owner = { id: ++ids, first_name: 'Owner', language_code: 'zh-hans' }
    const { code } = await get().domain.staff.createInvite('owner')
    await say(owner, `/admin ${code}`)
    await say(owner, '/quiz start')
    const button = buttons(owner).find((b) => b.text === '明日问答')!
    expect((await press(owner, button.callback_data!))[0]).toContain('「明日问答」已开始')
    expect((await get().domain.quizzes.get(later.id)).opensAt).toBe(get().clock.now().toISOString())
  })

  it('a lottery shows its odds, draws once per tap, and is drawn from a WeChat group', async () => {
    const lottery = await get().domain.lotteries.create({
      title: '幸运抽奖',
      costPoints: 10,
      freeDrawsPerDay: 1,
      ...window(),
      prizes: [
        { name: '50积分', kind: 'points', points: 50, weight: 1 },
        { name: '谢谢参与', kind: 'nothing', weight: 1 },
      ],
    })
    const user = await tgMember()
    const [shown] = await say(user, '/lottery')
    expect(shown).toMatch(
      /幸运抽奖[\s\S]*今天还有 1 次免费抽奖[\s\S]*50积分 50\.0%[\s\S]*谢谢参与 50\.0%/,
    )
    const drawButton = buttons(user)[0]!.callback_data!
    const [result] = await press(user, drawButton)
    expect(result).toMatch(/恭喜抽中「50积分」|谢谢参与，下次好运/)
    expect(await press(user, drawButton)).toEqual([result])
    const draws = await get().domain.lotteries.draws(lottery.id)
    expect(draws).toHaveLength(1)

    const alice = await wxMember('Alice')
    const group = wx.room(alice, wx.contact('Bob'))
    const [inGroup] = await wx.say(alice, '抽奖', group, true)
    expect(inGroup).toContain('回复 1 抽一次')
    const [won] = await wx.say(alice, '1', group)
    expect(won).toMatch(/^@Alice[\s\S]*(恭喜抽中|谢谢参与)/)
    expect(await get().domain.lotteries.draws(lottery.id)).toHaveLength(2)
  })

  it('a lottery with nothing left to give is shown without a draw button, and a draw on it is refused naming it', async () => {
    const tea = await get().domain.rewards.create({
      name: '奶茶券',
      kind: 'gift',
      pointsCost: 0,
      stock: 1,
    })
    const lottery = await get().domain.lotteries.create({
      title: '奶茶抽奖',
      costPoints: 10,
      freeDrawsPerDay: 1,
      ...window(),
      prizes: [{ name: '奶茶', kind: 'reward', rewardId: tea.id, weight: 1 }],
    })
    const first = await get().domain.members.register({ displayName: 'First' })
    await get().domain.rewards.redeem(first.id, tea.id)
    const user = await tgMember()
    const shown = await say(user, '/lottery')
    const mine = shown.find((reply) => reply.includes('奶茶抽奖'))
    expect(mine).toContain('奖品已经抽完了')
    expect(mine).not.toContain('奶茶 100')
    expect(buttons(user).map((b) => b.callback_data)).not.toContainEqual(
      expect.stringContaining(lottery.id),
    )
    const [refused] = await press(user, `draw:${lottery.id}:old`)
    expect(refused).toBe('「奶茶抽奖」已经没有你能抽中的奖品了，这次不能抽奖，积分没有变化。')
    expect(await get().domain.lotteries.draws(lottery.id)).toHaveLength(0)
  })

  it('an English member wins a prize named in both languages and reads the English name in chat', async () => {
    const lottery = await get().domain.lotteries.create({
      title: { 'zh-CN': '双语抽奖', en: 'Two-language draw' },
      costPoints: 10,
      freeDrawsPerDay: 1,
      ...window(),
      prizes: [
        { name: { 'zh-CN': '20元券', en: '¥20 voucher' }, kind: 'points', points: 20, weight: 1 },
      ],
    })
    const user = await tgMember('en')
    const shown = (await say(user, '/lottery')).find((reply) => reply.includes('Two-language draw'))
    expect(shown).toContain('• ¥20 voucher 100.0%')
    expect(shown).not.toMatch(/双语抽奖|20元券/)
    const [won] = await press(user, `draw:${lottery.id}:two-languages`)
    expect(won).toContain('You won ¥20 voucher!')
    expect(won).not.toContain('20元券')
  })

  it('a reward with only a Chinese name is shown in Chinese to an English member, and an English name to them in English', async () => {
    await get().domain.rewards.create({
      name: { 'zh-CN': '龙井茶包' },
      kind: 'gift',
      pointsCost: 0,
    })
    await get().domain.rewards.create({
      name: { 'zh-CN': '茶杯', en: 'Tea cup' },
      kind: 'gift',
      pointsCost: 0,
    })
    const user = await tgMember('en')
    const [list] = await say(user, '/rewards')
    expect(list).toContain('• 龙井茶包 — 0 points')
    expect(list).toContain('• Tea cup — 0 points')
    expect(list).not.toContain('茶杯')
    expect(buttons(user).map((b) => b.text)).toEqual(
      expect.arrayContaining([expect.stringContaining('龙井茶包')]),
    )
  })

  it('quiz questions and answers are asked in the member’s language', async () => {
    const quiz = await get().domain.quizzes.create({
      title: { 'zh-CN': '茶知识', en: 'Tea quiz' },
      questions: [
        {
          text: { 'zh-CN': '普洱茶属于哪一类？', en: 'Which kind of tea is Pu-erh?' },
          choices: [
            { 'zh-CN': '绿茶', en: 'Green' },
            { 'zh-CN': '黑茶', en: 'Dark' },
          ],
          answer: 1,
        },
      ],
      reward: { mode: 'per_correct', points: 5 },
      ...window(),
    })
    const user = await tgMember('en')
    const [question] = await press(user, `quiz:${quiz.id}`)
    expect(question).toContain('Tea quiz (question 1 of 1)\nWhich kind of tea is Pu-erh?')
    expect(buttons(user).map((b) => b.text)).toEqual(['Green', 'Dark'])
    const [feedback] = await press(user, `qa:${quiz.id}:0:0`)
    expect(feedback).toContain('Dark')
  })

  it('a survey is answered with one tap on the 7-level scale, then an optional comment', async () => {
    const survey = await get().domain.surveys.create({
      title: '到店体验',
      question: '你对本次到店体验满意吗？',
      rewardPoints: 5,
    })
    const user = await tgMember()
    const [ask] = await say(user, '/survey')
    expect(ask).toContain('1 非常不满意 … 7 非常满意')
    expect(buttons(user).map((b) => b.text)).toEqual(['1', '2', '3', '4', '5', '6', '7'])
    const [thanks, comment] = await press(user, `survey:${survey.id}:6`)
    expect(thanks).toBe('谢谢你的评价！ +5 积分。')
    expect(comment).toContain('跳过')
    expect((await say(user, '店员很热情'))[0]).toContain('已收到你的意见')
    const summary = await get().domain.surveys.summary(survey.id)
    expect(summary).toMatchObject({
      responses: 1,
      average: 6,
      comments: [{ score: 6, comment: '店员很热情' }],
    })
    expect((await say(user, '/survey'))[0]).toContain('没有需要填写的问卷')
  })

  it('on WeChat a survey score is answered with the score itself, whatever was offered before', async () => {
    const shopper = await wxMember('评分者')
    const [ask] = await wx.say(shopper, '评价')
    expect(ask).toContain('回复 1 1\n回复 2 2')
    expect(ask).toContain('回复 7 7')
    const [thanks, comment] = await wx.say(shopper, '6')
    expect(thanks).toContain('谢谢你的评价')
    expect(comment).toMatch(/回复 \d+ 跳过/)
    expect(comment).not.toContain('点「')
    const member = await get().domain.members.get({ wechatId: shopper.id })
    const answered = await get()
      .store.db.selectFrom('surveyResponses')
      .select('score')
      .where('memberId', '=', member.id)
      .execute()
    expect(answered).toEqual([{ score: 6 }])
  })

  it('a survey question is asked in the member’s language', async () => {
    // The newest survey is the one asked: this one, after those of the tests before.
    get().clock.advance(1_000)
    await get().domain.surveys.create({
      title: { 'zh-CN': '新品', en: 'New tea' },
      question: { 'zh-CN': '你喜欢新茶吗？', en: 'Do you like the new tea?' },
    })
    const [ask] = await say(await tgMember('en'), '/survey')
    expect(ask).toMatch(/^Do you like the new tea\?\n/)
    const [zh] = await say(await tgMember(), '/survey')
    expect(zh).toMatch(/^你喜欢新茶吗？\n/)
  })

  it('/app opens the member page: a web-app button on Telegram, a one-time signed link on WeChat', async () => {
    const user = await tgMember('en')
    expect((await say(user, '/app'))[0]).toContain('open your member page')
    expect(buttons(user)[0]!.web_app).toEqual({ url: 'https://shop.example/miniapp/' })
    const shopper = await wxMember('链接')
    const [reply] = await wx.say(shopper, '会员中心')
    const url = /https:\/\/shop\.example\/miniapp\/#token=([\w.-]+)&lang=zh-CN/.exec(reply!)
    expect(url).not.toBeNull()
    expect((await get().domain.miniapp.sessionFromLink(url![1]!)).memberId).toBe(
      (await get().domain.members.get({ wechatId: shopper.id })).id,
    )
  })

  it('the send-time step asks once, with an example time that is still to come (tomorrow 10:00, the shop’s zone)', async () => {
    const manager = { id: ++ids, first_name: '店长', language_code: 'zh-hans' }
    const { code } = await get().domain.staff.createInvite('manager')
    await say(manager, `/admin ${code}`)
    await say(manager, '/broadcast')
    await press(manager, 'bc-seg:all')
    await say(manager, '周末双倍积分！')
    await press(manager, 'bc-noimage')
    await press(manager, 'bc-nobutton')
    await press(manager, 'bc-nocost')
    const tomorrow = DateTime.fromJSDate(get().clock.now(), { zone: 'Asia/Shanghai' })
      .plus({ days: 1 })
      .toISODate()
    const [ask] = await press(manager, 'bc-later')
    expect(ask).toBe(`请发送计划的时间（本店时区），例如 ${tomorrow} 10:00：`)
    expect((await say(manager, '1999-01-01 10:00'))[0]).toContain(`按 ${tomorrow} 10:00 的格式`)
    await say(manager, '/cancel')
  })

  it('a manager broadcasts from the bot: audience, message, link button, preview, confirm; /campaign shows the results', async () => {
    const owner = { id: ++ids, first_name: 'Boss', language_code: 'en' }
    const { code } = await get().domain.staff.createInvite('manager')
    await say(owner, `/admin ${code}`)
    const member = await tgMember()
    expect((await say(member, '/broadcast'))[0]).toContain('仅限店长及以上使用')

    const [audience] = await say(owner, '/broadcast')
    expect(audience).toContain('Who should get it?')
    const everyone = buttons(owner)[0]!
    expect(everyone.text).toMatch(/^Every subscribed member \(\d+\)$/)
    expect((await press(owner, everyone.callback_data!))[0]).toMatch(
      /To "Every subscribed member", \d+ members/,
    )
    expect((await say(owner, 'Double points this weekend!'))[0]).toContain('Add an image?')
    expect((await say(owner, 'not-a-link'))[0]).toContain('starting with https://')
    expect((await say(owner, 'https://shop.example/sale.jpg'))[0]).toContain('Add a button?')
    expect((await say(owner, 'no link here'))[0]).toContain('Please send "Button text https://…"')
    expect((await say(owner, 'Shop now https://shop.example/sale'))[0]).toContain('What did')
    const [previewTitle, preview, when] = await press(owner, 'bc-nocost')
    expect(previewTitle).toContain('Preview')
    expect(preview).toBe('Double points this weekend!\n🖼 https://shop.example/sale.jpg')
    expect(when).toContain('When should it go out?')
    await press(owner, 'bc-later')
    expect((await say(owner, '1999-01-01 10:00'))[0]).toContain('in the future')
    const [confirm] = await say(owner, '2099-06-01 10:00')
    expect(confirm).toMatch(/Send to \d+ members of "Every subscribed member" \(2099-06-01 10:00\)/)
    const [done] = await press(owner, buttons(owner)[0]!.callback_data!)
    const id = /\((cmp_[\w-]+)\)/.exec(done!)![1]!
    const campaign = await get().domain.campaigns.get(id)
    expect(campaign).toMatchObject({
      status: 'scheduled',
      sendAt: '2099-06-01T02:00:00.000Z',
      message: {
        // Typed once in the chat: every member reads it, whatever their language.
        text: { 'zh-CN': 'Double points this weekend!', en: 'Double points this weekend!' },
        imageUrl: 'https://shop.example/sale.jpg',
        buttons: [
          { label: { 'zh-CN': 'Shop now', en: 'Shop now' }, url: 'https://shop.example/sale' },
        ],
      },
    })
    expect((await say(owner, `/campaign ${id}`))[0]).toContain('(scheduled)')
    await get().domain.campaigns.cancel(id)
  })

  it('/broadcast asks for the cost and offers a member-page button: /campaign shows the ROI and the members who opened it', async () => {
    const { domain, clock } = get()
    const owner = { id: ++ids, first_name: 'Boss', language_code: 'en' }
    const { code } = await domain.staff.createInvite('manager')
    await say(owner, `/admin ${code}`)
    const member = await tgMember()
    const memberId = (await domain.members.get({ telegramId: String(member.id) })).id
    await say(owner, '/broadcast')
    await press(owner, 'bc-seg:all')
    await say(owner, 'Tea tasting on Saturday')
    await press(owner, 'bc-noimage')
    expect(buttons(owner).map((b) => b.text)).toEqual(['Member page button', 'No button'])
    expect((await press(owner, 'bc-miniapp'))[0]).toContain('What did this broadcast cost?')
    expect((await say(owner, '12.345'))[0]).toContain('at most two decimals')
    const [, preview] = await say(owner, '¥50.5')
    expect(preview).toBe('Tea tasting on Saturday\n🔘 Open my points')
    await press(owner, 'bc-now')
    const [done] = await press(owner, buttons(owner)[0]!.callback_data!)
    const id = /\((cmp_[\w-]+)\)/.exec(done!)![1]!
    expect(await domain.campaigns.get(id)).toMatchObject({
      message: {
        text: { 'zh-CN': 'Tea tasting on Saturday', en: 'Tea tasting on Saturday' },
        // The bot's own label: each member reads it in their language, not the manager's.
        miniappButton: { 'zh-CN': '打开会员中心', en: 'Open my points' },
      },
      stats: { cost: 5_050 },
    })
    await domain.campaigns.dispatchDue()
    for (const row of await domain.outbox.claim('w', ['telegram'], 1_000)) {
      await domain.outbox.begin('w', row)
      await domain.outbox.settle('w', row, { status: 'sent' })
    }
    clock.advance(60_000)
    await domain.campaigns.recordOpen(id, memberId)
    await domain.orders.ingest({ id: `bc-roi-${id}`, member: { id: memberId }, amount: 10_100 })
    const [results] = await say(owner, `/campaign ${id}`)
    expect(results).toContain('opened 1')
    expect(results).toContain('sales ¥101.00, ROI 200%')
  })

  it('/campaign shows a delivered-but-uncertain message as unconfirmed, not as failed', async () => {
    const { domain, clock } = get()
    const owner = { id: ++ids, first_name: 'Boss', language_code: 'en' }
    const { code } = await domain.staff.createInvite('manager')
    await say(owner, `/admin ${code}`)
    await tgMember()
    const campaign = await domain.campaigns.create(
      { name: 'Flash', message: { text: 'Flash sale' }, segment: {} },
      'test',
    )
    await domain.campaigns.dispatchDue()
    // The worker dies mid-request: the platform may have the message, so it is not resent.
    for (const row of await domain.outbox.claim('w', ['telegram'], 1_000))
      await domain.outbox.begin('w', row)
    clock.advance(120_000)
    await domain.outbox.claim('w', ['telegram'], 1_000)
    const { stats } = await domain.campaigns.get(campaign.id)
    expect(stats.uncertain).toBeGreaterThan(0)
    const [results] = await say(owner, `/campaign ${campaign.id}`)
    expect(results).toContain('Failed 0')
    expect(results).toContain(`unconfirmed ${stats.uncertain}`)
    await domain.campaigns.cancel(campaign.id)
  })
})
