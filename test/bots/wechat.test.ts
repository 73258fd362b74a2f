import { FileBox } from 'file-box'
import pino from 'pino'
import QRCode from 'qrcode'
import { types } from 'wechaty'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createConversation } from '../../src/bots/core/conversation.ts'
import { FLOOD_DEFAULTS, FloodGuard } from '../../src/bots/core/flood-guard.ts'
import { describeOnDatabases } from '../helpers/domain.ts'
import { mock } from 'wechaty-puppet-mock'
import { createWechatBot } from '../../src/bots/wechat/create-bot.ts'
import {
  type ContactMock,
  TestPuppet,
  type WechatHarness,
  startWechatHarness,
} from '../helpers/wechat.ts'

const PUBLIC_URL = 'https://shop.example'

describeOnDatabases('WeChat bot', (get) => {
  let wx: WechatHarness
  let names = 0
  /** The flood guard's clock (ms): still unless a test moves it. */
  let floodNow = 0

  beforeAll(async () => {
    const conversation = createConversation({
      domain: get().domain,
      logger: pino({ level: 'silent' }),
      publicUrl: PUBLIC_URL,
      floodGuard: new FloodGuard(FLOOD_DEFAULTS, () => floodNow),
    })
    wx = await startWechatHarness(conversation)
  })
  afterAll(async () => {
    await wx?.stop()
  })

  const newContact = (name = `会员${++names}`) => wx.contact(name)
  const memberOf = (contact: ContactMock) => get().domain.members.get({ wechatId: contact.id })
  const say = (contact: ContactMock, text: string) => wx.say(contact, text)

  async function join(contact: ContactMock): Promise<void> {
    await say(contact, '注册')
    await say(contact, '1')
    // The marketing question is a new offer: its numbers follow the consent's 1 and 2.
    const [welcome] = await say(contact, '3')
    expect(welcome).toContain('欢迎加入')
  }

  it('accepts a friend request and greets the new friend with how to join', async () => {
    const friend = newContact()
    const before = wx.sent.length
    await wx.requestFriendship(friend, '你好')
    expect(wx.puppet.accepted).toHaveLength(1)
    const greeting = wx.sent.slice(before).filter((s) => s.to === friend.id)
    expect(greeting).toHaveLength(1)
    expect(greeting[0]!.text).toContain('回复「注册」加入会员')
    expect(greeting[0]!.text).toContain('reply "join"')
  })

  it('registers by words: 注册, then consent and marketing by numbered replies', async () => {
    const shopper = newContact('王小明')
    const [intro, consent] = await say(shopper, '注册')
    expect(intro).toContain('欢迎来到「会员积分计划」')
    expect(consent).toContain('是否同意')
    expect(consent).toContain('回复 1 同意并加入\n回复 2 暂不加入')
    const [marketing] = await say(shopper, '1')
    expect(marketing).toContain('回复 3 接收\n回复 4 不接收')
    expect(marketing).not.toContain('/stop')
    expect(marketing).toContain('「退订」')
    const [welcome] = await say(shopper, '4')
    expect(welcome).toContain('🎉 王小明，欢迎加入！你现在是【普通会员】')
    expect(welcome).toContain('发送「积分」查看积分，「签到」每日签到，「兑换」兑换礼品。')
    expect(await memberOf(shopper)).toMatchObject({
      displayName: '王小明',
      sourceChannel: 'wechat',
      marketingConsent: false,
    })
    expect((await say(shopper, '加入'))[0]).toContain('欢迎回来')
  })

  it('帮助 at the consent step gives help and the consent question again, and joining goes on', async () => {
    const shopper = newContact()
    await say(shopper, '注册')
    const [help, prompt] = await say(shopper, '帮助')
    expect(help).toContain('注册 — 加入会员')
    expect(prompt).toContain('还没有完成加入')
    expect(prompt).toContain('是否同意')
    const [, agree] = /回复 (\d+) 同意并加入/.exec(prompt!)!
    const [marketing] = await say(shopper, agree!)
    expect(marketing).toContain('是否愿意接收活动和优惠消息')
  })

  it('asks strangers to join, in words rather than slash commands', async () => {
    const [answer] = await say(newContact(), '积分')
    expect(answer).toBe('你还不是会员。发送「注册」加入，只需一分钟。')
  })

  it('answers every member word', async () => {
    const shopper = newContact()
    await join(shopper)
    await get().domain.orders.ingest({
      id: `wx-words-${shopper.id}`,
      member: { wechatId: shopper.id },
      amount: 12_300,
    })
    expect((await say(shopper, '积分'))[0]).toMatch(/当前积分：123[\s\S]*银卡会员[\s\S]*还差/)
    expect((await say(shopper, '明细'))[0]).toContain('+123  消费积分')
    expect(await say(shopper, '签到')).toEqual([expect.stringContaining('签到成功，+5')])
    expect(await say(shopper, '签到')).toEqual(['今天已经签到过了，明天再来吧！'])
    expect((await memberOf(shopper)).points.balance).toBe(128)

    const code = (await memberOf(shopper)).code
    expect(await say(shopper, '会员码')).toEqual([
      '[image]',
      `你的会员码：${code}\n结账时向店员出示即可积分。`,
    ])
    expect((await say(shopper, '绑定'))[0]).toMatch(/绑定码：[2-9A-HJ-NP-Z]{6}/)
    expect((await say(shopper, '退订'))[0]).toBe(
      '已退订活动消息。积分和兑换不受影响，想恢复时发送「订阅」。',
    )
    expect((await memberOf(shopper)).marketingConsent).toBe(false)
    expect((await say(shopper, '订阅'))[0]).toContain('已恢复')
    expect((await memberOf(shopper)).marketingConsent).toBe(true)

    const [help] = await say(shopper, '帮助')
    const [words, link] = help!.split('\n\n')
    expect(words).toContain('签到 — 每日签到')
    expect(words).not.toMatch(/\/[a-z]/)
    // The mini-app link signs the member in once.
    const token = new RegExp(
      `^打开会员中心：${PUBLIC_URL}/miniapp/#token=([\\w.-]+)&lang=zh-CN$`,
    ).exec(link!)?.[1]
    const session = await get().domain.miniapp.sessionFromLink(token!)
    expect(session.memberId).toBe((await memberOf(shopper)).id)
    await expect(get().domain.miniapp.sessionFromLink(token!)).rejects.toMatchObject({
      code: 'unauthorized',
    })
  })

  it('understands the English words and answers in English', async () => {
    const shopper = newContact('Alice')
    await say(shopper, 'language')
    expect((await say(shopper, '2'))[0]).toBe('Language set to English.')
    const [, consent] = await say(shopper, 'join')
    expect(consent).toContain('Reply 3 Agree and join\nReply 4 Not now')
    await say(shopper, '3')
    expect((await say(shopper, '1'))[0]).toContain('Send "points" for your points')
    expect((await say(shopper, 'points'))[0]).toContain('Points: 0')
    expect((await say(shopper, 'checkin'))[0]).toContain('Checked in: +5')
    expect((await say(shopper, 'help'))[0]).toContain('checkin — Daily check-in')
  })

  it('redeems a reward by numbered replies and ends with the coupon code', async () => {
    const shopper = newContact()
    await join(shopper)
    await get().domain.adjust((await memberOf(shopper)).id, { points: 100, reason: 't' }, 'test')
    const mug = await get().domain.rewards.create({
      name: 'Mug',
      kind: 'coupon',
      pointsCost: 60,
      stock: 5,
      value: 1_000,
      validDays: 30,
    })
    const [list] = await say(shopper, '兑换')
    const line = new RegExp(`回复 (\\d+) 兑换 Mug（60）`).exec(list!)
    expect(line).not.toBeNull()
    const [confirm] = await say(shopper, line![1]!)
    expect(confirm).toContain('确认用 60 积分兑换「Mug」吗？兑换后剩余 40 积分。')
    const [, yes] = /回复 (\d+) 确认兑换\n回复 \d+ 取消/.exec(confirm!)!
    expect(yes).not.toBe(line![1])
    const [done] = await say(shopper, yes!)
    expect(done).toMatch(/已兑换「Mug」，剩余 40 积分[\s\S]*券码：[2-9A-HJ-NP-Z]{10}/)
    expect((await memberOf(shopper)).points.balance).toBe(40)
    expect((await get().domain.rewards.get(mug.id)).stock).toBe(4)
    // The choices were used: the same number again redeems nothing.
    expect((await say(shopper, yes!))[0]).toContain('这个选项已经过期了')
    expect((await memberOf(shopper)).points.balance).toBe(40)
  })

  it('numbers each offer of a turn apart: the second lottery’s number draws the second lottery', async () => {
    const shopper = newContact()
    await join(shopper)
    await get().domain.adjust((await memberOf(shopper)).id, { points: 100, reason: 't' }, 'test')
    const lottery = (title: string, points: number) =>
      get().domain.lotteries.create({
        title,
        costPoints: 10,
        freeDrawsPerDay: 0,
        opensAt: new Date(get().clock.now().getTime() - 60_000).toISOString(),
        closesAt: new Date(get().clock.now().getTime() + 86_400_000).toISOString(),
        prizes: [{ name: `${points}积分`, kind: 'points', points, weight: 1 }],
      })
    await lottery('春季抽奖', 1)
    await lottery('秋季抽奖', 7)
    const offers = await say(shopper, '抽奖')
    const numbers = offers.map((offer) => /回复 (\d+) 抽一次/.exec(offer)![1]!)
    expect(new Set(numbers).size).toBe(2)
    const second = offers.findIndex((offer) => offer.includes('秋季抽奖'))
    const [won] = await say(shopper, numbers[second]!)
    expect(won).toContain('恭喜抽中「7积分」')
    expect((await memberOf(shopper)).points.balance).toBe(97)
    expect(won).not.toContain(`回复 ${numbers[second]} `)
    // The history names the draw and the prize in words, not as codes.
    const [history] = await say(shopper, '明细')
    expect(history).toContain('-10  抽奖')
    expect(history).toContain('+7  抽奖奖品')
  })

  it('answers a number of an older offer that it has expired, and draws nothing', async () => {
    const shopper = newContact()
    await join(shopper)
    await get().domain.adjust((await memberOf(shopper)).id, { points: 100, reason: 't' }, 'test')
    const offers = await say(shopper, '抽奖')
    const old = /回复 (\d+) 抽一次/.exec(offers[0]!)![1]!
    await say(shopper, '积分')
    const [expired] = await say(shopper, old)
    expect(expired).toContain('这个选项已经过期了')
    expect((await memberOf(shopper)).points.balance).toBe(100)
  })

  it('in a group, a number that is no choice never shows the member’s private choices', async () => {
    const alice = newContact('Alice')
    await join(alice)
    await get().domain.rewards.create({ name: 'Pen', kind: 'gift', pointsCost: 0 })
    await get().domain.lotteries.create({
      title: '群抽奖',
      costPoints: 0,
      freeDrawsPerDay: 1,
      opensAt: new Date(get().clock.now().getTime() - 60_000).toISOString(),
      closesAt: new Date(get().clock.now().getTime() + 86_400_000).toISOString(),
      prizes: [{ name: '谢谢参与', kind: 'nothing', weight: 1 }],
    })
    const group = wx.room(alice, newContact())
    expect((await wx.say(alice, '抽奖', group, true))[0]).toContain('抽一次')
    expect((await say(alice, '兑换'))[0]).toContain('兑换 Pen')
    const [answer] = await wx.say(alice, '9', group)
    expect(answer).toContain('这个选项已经过期了')
    expect(answer).not.toContain('Pen')
  })

  it('asks again, with the choices, when a number is not one of them', async () => {
    const shopper = newContact()
    await say(shopper, '注册')
    const [again] = await say(shopper, '9')
    expect(again).toContain('没有这个选项，请从下面选择：')
    expect(again).toContain('回复 1 同意并加入\n回复 2 暂不加入')
    const [marketing] = await say(shopper, '1')
    expect(marketing).toContain('是否愿意接收活动和优惠消息')
  })

  it('in a group answers only when mentioned or to its words, and members join and check in there', async () => {
    const alice = newContact('Alice')
    const bob = newContact('Bob')
    const group = wx.room(alice, bob)
    const inGroup = (from: ContactMock, text: string, mention = false) =>
      wx.say(from, text, group, mention)

    expect(await inGroup(bob, '今天天气不错')).toEqual([])
    expect(await inGroup(bob, 'points please')).toEqual([])
    expect(await inGroup(bob, '1')).toEqual([])
    const [intro, consent] = await inGroup(alice, '注册', true)
    expect(intro).toMatch(/^@Alice\u2005? 欢迎来到/)
    expect(consent).toContain('回复 1 同意并加入')
    // The number answers the choice just offered to Alice; Bob's numbers stay chat.
    expect(await inGroup(bob, '1')).toEqual([])
    expect((await inGroup(alice, '1'))[0]).toContain('回复 3 接收')
    expect((await inGroup(alice, '3'))[0]).toContain('欢迎加入')
    expect((await memberOf(alice)).sourceChannel).toBe('wechat')

    expect(await inGroup(alice, '签到')).toEqual([expect.stringMatching(/^@Alice.*签到成功，\+5/s)])
    expect((await memberOf(alice)).points.balance).toBe(5)
    expect((await inGroup(alice, '积分', true))[0]).toContain('当前积分：5')
    for (const privateWord of ['会员码', '明细', '绑定', '兑换'])
      expect((await inGroup(alice, privateWord))[0]).toContain('请私聊我使用')
    const [help] = await inGroup(alice, '帮助')
    expect(help).not.toContain('#token=')
    expect(await say(bob, '积分')).toEqual(['你还不是会员。发送「注册」加入，只需一分钟。'])
  })

  it('邀请 sends the words a friend registers with, as text and as a QR code, with what both sides earn', async () => {
    const shopper = newContact()
    await join(shopper)
    const { code } = await memberOf(shopper)
    const [image, caption] = await say(shopper, '邀请')
    expect(image).toBe('[image]')
    expect(caption).toContain(`注册 ref_${code}`)
    expect(caption).toContain('你得 100 积分')
    const friend = newContact()
    await say(friend, `注册 ref_${code}`)
    await say(friend, '1')
    await say(friend, '3')
    expect((await memberOf(friend)).referrerId).toBe((await memberOf(shopper)).id)
  })

  it('refuses the admin words to members, politely', async () => {
    const shopper = newContact()
    await join(shopper)
    for (const word of ['统计', '核销 ABCDEFGHJK', '查会员 13800138000'])
      expect((await say(shopper, word))[0]).toMatch(/^「(统计|核销|查会员)」仅限店员及以上使用。$/)
    expect((await say(shopper, '调整积分'))[0]).toBe('「调整积分」仅限店长及以上使用。')
    expect((await say(shopper, '管理员 NOT-A-CODE'))[0]).toContain('无效')
  })

  it('refuses 群发 to a clerk in words, naming the role it needs and the one held', async () => {
    const clerk = newContact('店员小李')
    const { code } = await get().domain.staff.createInvite('staff')
    expect((await say(clerk, `管理员 ${code}`))[0]).toContain('你现在是本店的店员')
    expect(await say(clerk, '群发')).toEqual(['「群发」仅限店长及以上使用，你现在是店员。'])
    expect(await say(clerk, '问答 开始')).toEqual([
      '「问答 开始」仅限店长及以上使用，你现在是店员。',
    ])
  })

  it('gives staff 管理员, 统计, 查会员 and 核销 with a numbered confirm', async () => {
    const owner = newContact('店长')
    const { code } = await get().domain.staff.createInvite('owner')
    expect((await say(owner, `管理员 ${code}`))[0]).toBe(
      '✅ 你现在是本店的店主。发送「帮助」查看你能用的商家命令。',
    )
    // WeChat has no captions: the chart first, the figures after it.
    const [chart, figures] = await say(owner, '统计')
    expect(chart).toBe('[image]')
    expect(figures).toMatch(/会员总数：\d+/)
    expect((await say(owner, '帮助'))[0]).toContain('核销 <券码> — 核销优惠券')
    const customer = newContact()
    await join(customer)
    const member = await memberOf(customer)
    expect((await say(owner, `查会员 ${member.code}`))[0]).toContain(member.displayName)
    const cup = await get().domain.rewards.create({ name: 'Cup', kind: 'gift', pointsCost: 0 })
    const { couponCode } = await get().domain.rewards.redeem(member.id, cup.id)
    const [shown] = await say(owner, `核销 ${couponCode}`)
    expect(shown).toContain('状态：可使用')
    expect(shown).toContain('回复 1 确认核销')
    expect((await say(owner, '1'))[0]).toBe(`✅ 已核销 ${couponCode}（Cup）。`)
    expect((await say(owner, `核销 ${couponCode}`))[0]).toContain('状态：已核销')
  })

  it('keeps the member when the WeChat contact id changes: by 绑定, and by the merchant', async () => {
    const before = newContact('老会员')
    await join(before)
    const member = await memberOf(before)
    await get().domain.adjust(member.id, { points: 30, reason: 't' }, 'test')
    const code = /[2-9A-HJ-NP-Z]{6}/.exec((await say(before, '绑定'))[0]!)![0]
    const after = newContact('老会员')
    expect((await say(after, `绑定 ${code}`))[0]).toBe(
      '✅ 绑定成功！这个账号已连接到你的会员账号，当前积分 30。',
    )
    expect((await memberOf(after)).id).toBe(member.id)

    // A member who has no other account left: staff find them by member code, and the
    // merchant's system links the new contact id to them.
    const owner = newContact('店员')
    await say(owner, `管理员 ${(await get().domain.staff.createInvite('staff')).code}`)
    expect((await say(owner, `查会员 ${member.code}`))[0]).toContain('积分：30')
    const third = newContact('老会员')
    await get().domain.members.update(member.id, { wechatId: third.id }, 'staff:test')
    expect((await say(third, '积分'))[0]).toContain('当前积分：30')
  })

  it('ignores its own messages, official accounts and history replayed after login', async () => {
    const before = wx.sent.length
    expect(await say(newContact(), 'hello')).toHaveLength(1)
    // Its own answer came back to it as a message too, and was not answered.
    expect(wx.sent.length - before).toBe(1)
    const official = wx.contact('某公众号', { type: types.Contact.Official })
    expect(await say(official, '积分')).toEqual([])
    const shopper = newContact()
    const old = wx.mocker.MessageMock.create({
      id: `old-${shopper.id}`,
      talkerId: shopper.id,
      listenerId: wx.self.id,
      text: '积分',
      timestamp: Date.now() - 5 * 60_000,
      type: types.Message.Text,
    })
    expect(await wx.deliver(shopper, old.id)).toEqual([])
  })

  it('answers a picture with a hint, in a private chat only', async () => {
    const shopper = newContact()
    const png = await QRCode.toBuffer('hello', { type: 'png' })
    const picture = FileBox.fromBase64(png.toString('base64'), 'photo.png')
    expect(await wx.say(shopper, picture)).toEqual(['没太明白 🤔 发送「帮助」查看我能做什么。'])
    expect(await wx.say(shopper, picture, wx.room(shopper))).toEqual([])
  })

  it('sends a campaign message’s stored picture as its bytes, then the text with its links', async () => {
    const shopper = newContact()
    const png = await QRCode.toBuffer('autumn range', { type: 'png' })
    const before = wx.sent.length
    const result = await wx.bot.messageSender.send(shopper.id, {
      text: '秋季新品到店',
      buttons: [{ label: '去看看', url: 'https://shop.example/autumn' }],
      imageSha256: 'a'.repeat(64),
      image: { bytes: png, contentType: 'image/png' },
    })
    expect(result).toEqual({ ok: true })
    await wx.bot.idle()
    const sent = wx.sent.slice(before).filter((s) => s.to === shopper.id)
    expect(sent.map((s) => s.text)).toEqual([
      '[image]',
      '秋季新品到店\n去看看：https://shop.example/autumn',
    ])
    expect((await sent[0]!.picture!).equals(png)).toBe(true)
  })

  it('retries a message WeChat refused before sending it, keeping the order', async () => {
    const shopper = newContact()
    const send = wx.puppet.messageSendText.bind(wx.puppet)
    let failures = 0
    wx.puppet.messageSendText = async (conversationId: string, text: string) => {
      if (failures++ === 0) throw new Error('not logged in')
      return send(conversationId, text)
    }
    try {
      const [intro, consent] = await say(shopper, '注册')
      expect(intro).toContain('欢迎来到')
      expect(consent).toContain('是否同意')
    } finally {
      wx.puppet.messageSendText = send
    }
    expect(failures).toBe(3)
    expect(wx.logs.some((l) => l.msg === 'wechat message failed: retrying')).toBe(true)
  })

  it('paces 50 outgoing messages through Wechaty within the configured rate', async () => {
    const pacing = { perMinute: 12, chatIntervalMs: 2_000, recipientPauseMs: [500, 1_000] as const }
    const paced = await startWechatHarness(
      createConversation({ domain: get().domain, logger: pino({ level: 'silent' }) }),
      { pacing },
    )
    try {
      const times: { chat: string; at: number }[] = []
      const send = paced.puppet.messageSendText.bind(paced.puppet)
      paced.puppet.messageSendText = async (chat: string, text: string) => {
        times.push({ chat, at: paced.clock.now() })
        return send(chat, text)
      }
      const strangers = Array.from({ length: 5 }, (_, i) => paced.contact(`路人${i}`))
      await Promise.all(
        strangers.flatMap((stranger) =>
          Array.from({ length: 10 }, () => paced.post(stranger, '你好')),
        ),
      )
      await paced.bot.idle()
      expect(times).toHaveLength(50)
      for (let i = pacing.perMinute; i < times.length; i++)
        expect(times[i]!.at - times[i - pacing.perMinute]!.at).toBeGreaterThanOrEqual(60_000)
      for (let i = 1; i < times.length; i++) {
        const earlier = times
          .slice(0, i)
          .filter((t) => t.chat === times[i]!.chat)
          .at(-1)
        if (earlier) expect(times[i]!.at - earlier.at).toBeGreaterThanOrEqual(2_000)
        if (times[i - 1]!.chat !== times[i]!.chat)
          expect(times[i]!.at - times[i - 1]!.at).toBeGreaterThanOrEqual(500)
      }
      expect(times.at(-1)!.at - times[0]!.at).toBeGreaterThanOrEqual(3 * 60_000)
    } finally {
      await paced.stop()
    }
  })

  it('answers 1,000 random texts (unicode, very long, words with junk) without a crash', async () => {
    const shopper = newContact()
    await join(shopper)
    const pieces = [
      '积分',
      '签到',
      '兑换',
      '绑定',
      '核销',
      '调整积分',
      '管理员',
      '注册',
      '/start',
      'points',
      '1',
      '2',
      '99',
      '-5',
      '🎉',
      '\u202e',
      'ｆｕｌｌ',
      '𠀀',
      ' ',
      '\n',
      '%s',
      '${x}',
      '<a href="x">',
      "'; drop table members; --",
      '@JifenBot',
      'null',
    ]
    let seed = 7
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31
    const texts = Array.from({ length: 1_000 }, (_, i) => {
      if (i % 100 === 0) return '长'.repeat(10_000 + i)
      const length = 1 + Math.floor(random() * 5)
      return Array.from({ length }, () => pieces[Math.floor(random() * pieces.length)]).join(
        random() < 0.5 ? ' ' : '',
      )
    })
    const before = wx.sent.length
    // At a person's pace, a message a second: faster is a flood, answered with silence.
    for (const text of texts) {
      floodNow += 1_000
      await wx.post(shopper, text)
      await wx.bot.idle()
    }
    const answers = wx.sent.slice(before).filter((s) => s.to === shopper.id)
    expect(answers.length).toBeGreaterThanOrEqual(1_000)
    expect(answers.filter((a) => a.text.includes('出了点问题'))).toEqual([])
    expect((await memberOf(shopper)).points.balance).toBeGreaterThanOrEqual(0)
  })
})

describe('WeChat bot lifecycle', () => {
  const conversation = createConversation({
    domain: undefined as never,
    logger: pino({ level: 'silent' }),
  })

  it('accepts only friend requests with the keyword, and paces the acceptances', async () => {
    const wx = await startWechatHarness(conversation, {
      friendKeyword: '会员',
      friendIntervalMs: 60_000,
    })
    try {
      const stranger = wx.contact('Stranger')
      await wx.requestFriendship(stranger, 'hi')
      expect(wx.puppet.accepted).toEqual([])
      expect(wx.sent).toEqual([])
      const first = wx.contact('A')
      const second = wx.contact('B')
      const start = wx.clock.now()
      await wx.requestFriendship(first, '我想加入会员')
      await wx.requestFriendship(second, '会员')
      expect(wx.puppet.accepted).toHaveLength(2)
      expect(wx.clock.now() - start).toBeGreaterThanOrEqual(60_000)
      expect(wx.sent.map((s) => s.to)).toEqual([first.id, second.id])
    } finally {
      await wx.stop()
    }
  })

  it('prints the login QR code, logs its URL, logins, logouts and errors, and keeps running', async () => {
    const printed: string[] = []
    const wx = await startWechatHarness(conversation, { printQr: (art) => printed.push(art) })
    try {
      wx.mocker.scan('https://login.weixin.qq.com/l/abc123', types.ScanStatus.Waiting)
      await new Promise((resolve) => setImmediate(resolve))
      expect(printed).toHaveLength(1)
      expect(printed[0]!.split('\n').length).toBeGreaterThan(10)
      const scan = wx.logs.find((l) => l.qrcode === 'https://login.weixin.qq.com/l/abc123')
      expect(scan?.image).toContain(encodeURIComponent('https://login.weixin.qq.com/l/abc123'))
      expect(wx.logs.some((l) => l.msg === 'wechat logged in' && l.name === 'JifenBot')).toBe(true)
      wx.puppet.emit('error', { data: 'something broke' })
      await wx.puppet.logout()
      await new Promise((resolve) => setImmediate(resolve))
      expect(wx.logs.map((l) => l.msg)).toEqual(
        expect.arrayContaining(['wechat error', 'wechat logged out: waiting for a new login']),
      )
      wx.mocker.login(wx.self)
      await new Promise((resolve) => setImmediate(resolve))
      expect(wx.bot.wechaty.isLoggedIn).toBe(true)
    } finally {
      await wx.stop()
    }
  })

  it('starts the puppet again when it fails to start, instead of dying', async () => {
    const logs: string[] = []
    const puppet = new TestPuppet({ mocker: new mock.Mocker() })
    puppet.failStarts = 1
    const bot = createWechatBot({
      conversation,
      logger: pino({ level: 'info' }, { write: (line: string) => void logs.push(line) }),
      puppet,
      restartDelayMs: 5,
    })
    try {
      await bot.start()
      expect(logs.join()).toContain('wechat bot could not start: trying again')
      const deadline = Date.now() + 5_000
      while (!puppet.state.active() && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 5))
      expect(puppet.state.active()).toBe(true)
      expect(logs.join()).toContain('"msg":"wechat bot started"')
    } finally {
      await bot.stop()
    }
  })
})
