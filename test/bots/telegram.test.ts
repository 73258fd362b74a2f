import pino from 'pino'
import QRCode from 'qrcode'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createApp } from '../../src/api/app.ts'
import { createConversation } from '../../src/bots/core/conversation.ts'
import { FLOOD_DEFAULTS, FloodGuard } from '../../src/bots/core/flood-guard.ts'
import { type TelegramBot, createBot } from '../../src/bots/telegram/create-bot.ts'
import { FakeBotApi } from '../helpers/fake-telegram.ts'
import { describeOnDatabases, programmeWith } from '../helpers/domain.ts'
import { type TgUser, buttonUpdate, textUpdate } from '../helpers/telegram-updates.ts'

const TOKEN = '123456:TEST-token-for-the-fake-bot-api'
const SECRET = 'webhook-secret-123'
const QR_OPTIONS = { type: 'png', width: 360, margin: 2, errorCorrectionLevel: 'M' } as const

describeOnDatabases('Telegram bot', (get) => {
  let api: FakeBotApi
  let telegram: TelegramBot
  let nextUserId = 70_000
  /** The flood guard's clock (ms): still unless a test moves it. */
  let floodNow = 0
  const floodGuard = new FloodGuard(FLOOD_DEFAULTS, () => floodNow)
  const newUser = (language_code = 'zh-hans', first_name = 'Wang'): TgUser => ({
    id: ++nextUserId,
    first_name,
    language_code,
  })

  beforeAll(async () => {
    api = await new FakeBotApi().start()
    const logger = pino({ level: 'silent' })
    const conversation = createConversation({
      domain: get().domain,
      logger,
      publicUrl: 'https://shop.example',
      floodGuard,
    })
    telegram = createBot(TOKEN, {
      conversation,
      logger,
      apiRoot: api.url,
      publicUrl: 'https://shop.example',
    })
    await telegram.start({ url: 'https://shop.example/telegram/webhook', secret: SECRET })
  })
  afterAll(async () => {
    await telegram?.stop()
    await api?.close()
  })

  /** Delivers an update and returns what the bot sent to that user in answer. */
  async function deliver(user: TgUser, update: unknown): Promise<string[]> {
    const before = api.sentTo(user.id).length
    await telegram.handleUpdate(update as never)
    await telegram.idle()
    return api.sentTo(user.id).slice(before)
  }
  const say = (user: TgUser, text: string) => deliver(user, textUpdate(user, text))
  const press = (user: TgUser, data: string) => deliver(user, buttonUpdate(user, data))
  const buttonsOf = (user: TgUser) => {
    const markup = api.lastTo(user.id).payload.reply_markup as
      { inline_keyboard: { text: string; callback_data?: string }[][] } | undefined
    return markup?.inline_keyboard.flat() ?? []
  }
  async function join(user: TgUser, payload = ''): Promise<string[]> {
    await say(user, `/start${payload ? ` ${payload}` : ''}`)
    await press(user, 'reg:agree')
    return press(user, 'reg:marketing:yes')
  }
  const memberOf = (user: TgUser) => get().domain.members.get({ telegramId: String(user.id) })

  it('sets the command menu in both languages and the mini-app menu button at start', () => {
    const menus = api.calls.filter((c) => c.method === 'setMyCommands')
    expect(menus.map((m) => [m.payload.language_code, m.payload.scope])).toEqual([
      [undefined, undefined],
      [undefined, { type: 'all_group_chats' }],
      ['zh', undefined],
      ['zh', { type: 'all_group_chats' }],
    ])
    const [en, enGroup, zh] = menus.map((m) => m.payload.commands as { command: string }[])
    expect(zh).toContainEqual({ command: 'invite', description: '邀请好友，一起得积分' })
    expect(en!.map((c) => c.command)).toEqual(zh!.map((c) => c.command))
    expect(enGroup!.map((c) => c.command)).toEqual([
      'points',
      'checkin',
      'quiz',
      'lottery',
      'lang',
      'help',
    ])
    expect(api.calls.find((c) => c.method === 'setChatMenuButton')?.payload).toMatchObject({
      menu_button: { type: 'web_app', web_app: { url: 'https://shop.example/miniapp/' } },
    })
    expect(api.calls.find((c) => c.method === 'setWebhook')?.payload).toMatchObject({
      secret_token: SECRET,
    })
  })

  it('/start asks for consent, registers once, and welcomes with tier and benefits in Chinese', async () => {
    await get().domain.programme.replace(programmeWith({}))
    const user = newUser()
    const [intro, consent] = await say(user, '/start')
    expect(intro).toContain('欢迎来到')
    expect(consent).toContain('是否同意')
    expect(buttonsOf(user).map((b) => b.callback_data)).toEqual(['reg:agree', 'reg:decline'])
    await press(user, 'reg:agree')
    const [welcome] = await press(user, 'reg:marketing:no')
    expect(welcome).toContain('欢迎加入')
    expect(welcome).toContain('普通会员')
    expect(welcome).toContain('消费1元得1积分')
    const member = await memberOf(user)
    expect(member).toMatchObject({
      displayName: 'Wang',
      locale: 'zh-CN',
      marketingConsent: false,
      sourceChannel: 'telegram',
    })
    expect(member.privacyConsentAt).not.toBeNull()
    const [again] = await say(user, '/start')
    expect(again).toContain('欢迎回来')
    const all = await get()
      .store.db.selectFrom('memberIdentities')
      .selectAll()
      .where('externalId', '=', String(user.id))
      .execute()
    expect(all).toHaveLength(1)
  })

  it('declining consent registers nobody', async () => {
    const user = newUser('en')
    await say(user, '/start')
    const [answer] = await press(user, 'reg:decline')
    expect(answer).toContain('you have not joined')
    await expect(memberOf(user)).rejects.toMatchObject({ code: 'member_not_found' })
  })

  it('a /start deep link carries the referral: both are rewarded once the new member qualifies', async () => {
    const referrer = newUser()
    await join(referrer)
    const { code } = await memberOf(referrer)
    const friend = newUser()
    await join(friend, `ref_${code}`)
    const joined = await memberOf(friend)
    expect(joined.referrerId).toBe((await memberOf(referrer)).id)
    await get().domain.orders.ingest({
      id: `tg-ref-${friend.id}`,
      member: { telegramId: String(friend.id) },
      amount: 10_000,
    })
    expect((await memberOf(referrer)).points.balance).toBe(100)
    expect((await memberOf(friend)).points.balance).toBe(100 + 50)
  })

  it('a restricted programme asks for its invite code first', async () => {
    await get().domain.programme.replace(
      programmeWith({
        membership: { type: 'restricted', inviteCodes: ['VIP8'], requiredFields: ['phone'] },
      }),
    )
    const user = newUser()
    const [, ask] = await say(user, '/start')
    expect(ask).toContain('邀请码')
    expect((await say(user, 'WRONG'))[0]).toContain('邀请码不正确')
    expect((await say(user, 'VIP8'))[0]).toContain('是否同意')
    await press(user, 'reg:agree')
    expect((await press(user, 'reg:marketing:yes'))[0]).toContain('手机号')
    expect((await say(user, '12345'))[0]).toContain('手机号格式不正确')
    expect((await say(user, '13912345678'))[0]).toContain('欢迎加入')
    expect((await memberOf(user)).phone).toBe('+8613912345678')
    await get().domain.programme.replace(programmeWith({}))
  })

  it('the registration birthday step refuses impossible and future dates', async () => {
    await get().domain.programme.replace(
      programmeWith({
        membership: { type: 'open', inviteCodes: [], requiredFields: ['birthday'] },
      }),
    )
    const user = newUser()
    await say(user, '/start')
    await press(user, 'reg:agree')
    expect((await press(user, 'reg:marketing:yes'))[0]).toContain('生日')
    expect((await say(user, '1990-02-30'))[0]).toContain('不是有效的生日')
    expect((await say(user, '2030-01-01'))[0]).toContain('不是有效的生日')
    expect((await say(user, '1990-05-20'))[0]).toContain('欢迎加入')
    expect((await memberOf(user)).birthday).toBe('1990-05-20')
    await get().domain.programme.replace(programmeWith({}))
  })

  it('answers every member command', async () => {
    const user = newUser()
    await join(user)
    await get().domain.orders.ingest({
      id: `tg-cmd-${user.id}`,
      member: { telegramId: String(user.id) },
      amount: 12_300,
    })
    expect((await say(user, '/points'))[0]).toMatch(/当前积分：123[\s\S]*银卡会员[\s\S]*还差/)
    expect((await say(user, '/history'))[0]).toContain('+123  消费积分')
    expect((await say(user, '/checkin'))[0]).toContain('签到成功，+5')
    const code = await say(user, '/code')
    expect(api.lastTo(user.id)).toMatchObject({
      method: 'sendPhoto',
      payload: { photo: { bytes: expect.any(Number) } },
    })
    expect(code[0]).toContain((await memberOf(user)).code)
    expect((await say(user, '/bind'))[0]).toMatch(/绑定码：[2-9A-HJ-NP-Z]{6}/)
    expect((await say(user, '/stop'))[0]).toContain('已退订')
    expect((await memberOf(user)).marketingConsent).toBe(false)
    expect((await say(user, '/resume'))[0]).toContain('已恢复')
    expect((await memberOf(user)).marketingConsent).toBe(true)
    const [help] = await say(user, '/help')
    expect(help).toContain('/checkin')
    expect(buttonsOf(user)).toEqual([
      expect.objectContaining({ web_app: { url: 'https://shop.example/miniapp/' } }),
    ])
    expect((await say(user, '/rewards'))[0]).toBeDefined()
  })

  it('/points gives the real last day of the soonest expiring points, not today + 30 days', async () => {
    await get().domain.programme.replace(programmeWith({ expiry: { mode: 'rolling', months: 1 } }))
    get().clock.set('2025-01-10T04:00:00Z')
    const user = newUser()
    await join(user)
    const member = await memberOf(user)
    await get().domain.adjust(member.id, { points: 40, reason: 'test' }, 'test')
    get().clock.set('2025-01-25T04:00:00Z')
    const [answer] = await say(user, '/points')
    expect(answer).toContain('40 积分的有效期到 2025-02-10')
    expect(answer).not.toContain('2025-02-24')
    get().clock.set('2025-01-10T04:00:00Z')
    await get().domain.programme.replace(programmeWith({}))
  })

  it('/points says why the member holds the tier and what keeping it takes, in both languages', async () => {
    await get().domain.programme.replace(programmeWith({}))
    get().clock.set('2025-01-10T04:00:00Z')
    const user = newUser()
    await join(user)
    const member = await memberOf(user)
    await get().domain.adjust(member.id, { points: 800, reason: 'test' }, 'test')
    const gold = await get().domain.rewards.create({
      name: 'gold',
      kind: 'tier_upgrade',
      pointsCost: 800,
      tierCode: 'gold',
    })
    await get().domain.rewards.redeem(member.id, gold.id)
    const [zh] = await say(user, '/points')
    expect(zh).toContain('【金卡会员】是你用积分兑换的')
    expect(zh).toContain(
      '本期到 2026-01-10 为止：再消费 ¥5000.00即可保级，否则将调整为【银卡会员】',
    )
    await say(user, '/lang')
    await press(user, 'lang:en')
    const [en] = await say(user, '/points')
    expect(en).toContain('You got Gold for points.')
    expect(en).toContain('This period ends on 2026-01-10: ¥5000.00 of spend more keeps your tier')
  })

  it('/bind links a second Telegram account to the same member, keeping both balances', async () => {
    const phone = newUser()
    const tablet = newUser()
    await join(phone)
    await join(tablet)
    await get().domain.adjust((await memberOf(phone)).id, { points: 30, reason: 'test' }, 'test')
    await get().domain.adjust((await memberOf(tablet)).id, { points: 12, reason: 'test' }, 'test')
    const code = /[2-9A-HJ-NP-Z]{6}/.exec((await say(phone, '/bind'))[0]!)![0]
    expect((await say(tablet, `/bind ${code}`))[0]).toContain('当前积分 42')
    expect((await memberOf(tablet)).id).toBe((await memberOf(phone)).id)
    expect((await say(tablet, `/bind ${code}`))[0]).toContain('绑定码无效')
  })

  it('/bind says two memberships were merged only when they were, and records the member as who merged them', async () => {
    const phone = newUser()
    const tablet = newUser()
    await join(phone)
    await join(tablet)
    const source = await memberOf(tablet)
    const code = /[2-9A-HJ-NP-Z]{6}/.exec((await say(phone, '/bind'))[0]!)![0]
    const [merged] = await say(tablet, `/bind ${code}`)
    expect(merged).toContain('两个会员账号已合并')
    const target = await memberOf(phone)
    const entries = await get()
      .store.db.selectFrom('ledgerEntries')
      .select(['memberId', 'actor'])
      .where('kind', '=', 'merge')
      .where('memberId', 'in', [source.id, target.id])
      .execute()
    expect(entries.map((e) => e.actor)).toEqual([`member:${target.id}`, `member:${target.id}`])

    // A Telegram account with no membership of its own: it is linked, nothing is merged.
    const laptop = newUser()
    const second = /[2-9A-HJ-NP-Z]{6}/.exec((await say(phone, '/bind'))[0]!)![0]
    const [linked] = await say(laptop, `/bind ${second}`)
    expect(linked).toContain('已连接到你的会员账号')
    expect(linked).not.toContain('合并')
    expect((await memberOf(laptop)).id).toBe(target.id)
    const identity = await get()
      .store.db.selectFrom('memberIdentities')
      .select('linkedBy')
      .where('externalId', '=', String(laptop.id))
      .executeTakeFirstOrThrow()
    expect(identity.linkedBy).toBe(`member:${target.id}`)
  })

  it('redeems a reward through inline buttons with a confirm step, and says when points or stock are short', async () => {
    const user = newUser()
    await join(user)
    await get().domain.adjust((await memberOf(user)).id, { points: 100, reason: 'test' }, 'test')
    const mug = await get().domain.rewards.create({
      name: 'Mug',
      kind: 'coupon',
      pointsCost: 60,
      stock: 1,
      value: 1_000,
      validDays: 30,
    })
    const pricey = await get().domain.rewards.create({
      name: 'Bike',
      kind: 'gift',
      pointsCost: 999_999,
    })
    await say(user, '/rewards')
    expect(buttonsOf(user).map((b) => b.callback_data)).toContain(`redeem:${mug.id}`)
    expect((await press(user, `redeem:${pricey.id}`))[0]).toContain('积分不足')
    const [confirm] = await press(user, `redeem:${mug.id}`)
    expect(confirm).toContain('确认用 60 积分兑换「Mug」')
    const confirmAction = buttonsOf(user)[0]!.callback_data!
    const [done] = await press(user, confirmAction)
    expect(done).toMatch(/已兑换「Mug」，剩余 40 积分[\s\S]*券码：[2-9A-HJ-NP-Z]{10}/)
    expect(await press(user, confirmAction)).toEqual([expect.stringContaining('已经失效')])
    expect((await memberOf(user)).points.balance).toBe(40)
    const other = newUser()
    await join(other)
    await get().domain.adjust((await memberOf(other)).id, { points: 100, reason: 'test' }, 'test')
    expect((await press(other, `redeem:${mug.id}`))[0]).toContain('兑完')
  })

  it('a cancelled redemption changes nothing', async () => {
    const user = newUser()
    await join(user)
    await get().domain.adjust((await memberOf(user)).id, { points: 10, reason: 'test' }, 'test')
    const pen = await get().domain.rewards.create({ name: 'Pen', kind: 'gift', pointsCost: 5 })
    await press(user, `redeem:${pen.id}`)
    expect((await press(user, 'cancel'))[0]).toContain('积分没有变化')
    expect((await memberOf(user)).points.balance).toBe(10)
  })

  it('/rewards lists rewards a member cannot redeem with the reason and no button', async () => {
    const user = newUser()
    await join(user)
    const member = await memberOf(user)
    await get().domain.adjust(member.id, { points: 30, reason: 'test' }, 'test')
    const create = (input: Record<string, unknown>) =>
      get().domain.rewards.create({ kind: 'gift', pointsCost: 10, ...input } as never)
    const soldOut = await create({ name: 'Sold out', stock: 0 })
    const held = await create({ name: 'Member card', kind: 'tier_upgrade', tierCode: 'member' })
    const scarf = await create({ name: 'Scarf', pointsCost: 40 })
    const tea = await create({ name: 'Tea', pointsCost: 20 })
    const [list] = await say(user, '/rewards')
    expect(list).toContain('• Sold out — 10 积分 · 已兑完')
    expect(list).toContain('• Member card — 10 积分 · 你已是这个等级')
    expect(list).toContain('• Scarf — 40 积分 · 还差 10 积分')
    expect(list).toContain('• Tea — 20 积分')
    const actions = buttonsOf(user).map((b) => b.callback_data)
    expect(actions).toContain(`redeem:${tea.id}`)
    for (const blocked of [soldOut, held, scarf])
      expect(actions).not.toContain(`redeem:${blocked.id}`)
    expect((await press(user, `redeem:${held.id}`))[0]).toContain('你已经是这个等级或更高等级')
    expect((await memberOf(user)).points.balance).toBe(30)
  })

  it('checks in once a day: the second check-in the same day pays nothing', async () => {
    const user = newUser()
    await join(user)
    expect((await say(user, '/checkin'))[0]).toContain('+5')
    expect((await say(user, '签到'))[0]).toContain('已经签到过')
    expect((await memberOf(user)).points.balance).toBe(5)
  })

  it('a restart mid-dialog loses nothing: a new bot process continues the registration', async () => {
    const user = newUser()
    await say(user, '/start')
    await press(user, 'reg:agree')
    await telegram.stop()
    const logger = pino({ level: 'silent' })
    telegram = createBot(TOKEN, {
      conversation: createConversation({ domain: get().domain, logger, floodGuard }),
      logger,
      apiRoot: api.url,
    })
    await telegram.start({ url: 'https://shop.example/telegram/webhook', secret: SECRET })
    const [welcome] = await say(user, '3')
    expect(welcome).toContain('欢迎加入')
    expect((await memberOf(user)).marketingConsent).toBe(true)
  })

  it('an update delivered twice (same update_id) is handled once', async () => {
    const user = newUser()
    await join(user)
    const update = textUpdate(user, '/checkin')
    expect(await deliver(user, update)).toHaveLength(1)
    expect(await deliver(user, update)).toHaveLength(0)
  })

  it('speaks English to an English Telegram user, and /lang switches', async () => {
    const user = newUser('en-GB', 'Alice')
    const [intro] = await say(user, '/start')
    expect(intro).toContain('Welcome to Members programme')
    await press(user, 'reg:agree')
    expect((await press(user, 'reg:marketing:yes'))[0]).toContain('Welcome, Alice! You are Member')
    expect((await say(user, '/points'))[0]).toContain('Points: 0')
    await say(user, '/lang')
    expect((await press(user, 'lang:zh-CN'))[0]).toBe('已切换为简体中文。')
    expect((await say(user, '/points'))[0]).toContain('当前积分')
  })

  it('refuses admin commands to members, politely', async () => {
    const user = newUser()
    await join(user)
    for (const command of ['/stats', '/verify ABC', '/member 13800138000'])
      expect((await say(user, command))[0]).toContain('仅限店员及以上使用。')
    expect((await say(user, '/adjust'))[0]).toBe('/adjust 仅限店长及以上使用。')
    expect((await say(user, '/admin NOT-A-CODE'))[0]).toContain('无效')
  })

  it('gives staff /stats, /member, /verify (the reward in the staff member’s language) with a use button, and /adjust with a confirm step', async () => {
    const owner = newUser('en', 'Owner')
    const { code } = await get().domain.staff.createInvite('owner')
    expect((await say(owner, `/admin ${code}`))[0]).toContain("this shop's owner")
    expect((await say(owner, '/stats'))[0]).toMatch(/Members: \d+/)
    const customer = newUser()
    await join(customer)
    const member = await memberOf(customer)
    expect((await say(owner, `/member ${member.code}`))[0]).toContain(member.displayName)
    const cup = await get().domain.rewards.create({
      name: { 'zh-CN': '杯子', en: 'Cup' },
      kind: 'gift',
      pointsCost: 0,
    })
    const { couponCode } = await get().domain.rewards.redeem(member.id, cup.id)
    // The member is Chinese; the owner reads the reward in their own language.
    const verified = (await say(owner, `/verify ${couponCode}`))[0]
    expect(verified).toContain('Status: valid')
    expect(verified).toContain('Cup')
    expect(verified).not.toContain('杯子')
    expect((await press(owner, buttonsOf(owner)[0]!.callback_data!))[0]).toContain(
      `Used ${couponCode}`,
    )
    expect((await say(owner, `/verify ${couponCode}`))[0]).toContain('Status: used')

    await say(owner, '/adjust')
    expect((await say(owner, member.code))[0]).toContain('has 0 points')
    expect((await say(owner, 'lots'))[0]).toContain('whole number')
    await say(owner, '25')
    expect((await say(owner, 'birthday gift'))[0]).toContain('Adjust')
    expect((await press(owner, buttonsOf(owner)[0]!.callback_data!))[0]).toContain(
      'now has 25 points',
    )
    const entries = await get()
      .store.db.selectFrom('ledgerEntries')
      .select(['note', 'actor'])
      .where('memberId', '=', member.id)
      .where('kind', '=', 'adjust')
      .execute()
    expect(entries).toEqual([{ note: 'birthday gift', actor: `telegram:${owner.id}` }])
    await say(owner, `/adjust ${member.code} -5 correction`)
    expect((await press(owner, buttonsOf(owner)[0]!.callback_data!))[0]).toContain(
      'now has 20 points',
    )
  })

  it('/adjust refuses a deduction larger than the member’s balance before the confirm, in staff wording', async () => {
    const manager = newUser()
    const { code } = await get().domain.staff.createInvite('manager')
    await say(manager, `/admin ${code}`)
    const customer = newUser()
    await join(customer)
    const member = await memberOf(customer)
    await get().domain.adjust(member.id, { points: 20, reason: 'test' }, 'test')

    await say(manager, '/adjust')
    expect((await say(manager, member.code))[0]).toContain('当前 20 积分')
    const [refused] = await say(manager, '-50')
    expect(refused).toContain('该会员只有 20 积分')
    expect(refused).not.toContain('你有')
    expect(buttonsOf(manager)).toEqual([])
    // Still at the points step: a deduction the balance covers goes on to the reason.
    expect((await say(manager, '-20'))[0]).toContain('调整原因')

    const [direct] = await say(manager, `/adjust ${member.code} -21 correction`)
    expect(direct).toContain('该会员只有 20 积分')
    expect(buttonsOf(manager)).toEqual([])
    expect((await memberOf(customer)).points.balance).toBe(20)
  })

  it('a staff member (not a manager) cannot adjust points', async () => {
    const clerk = newUser()
    const { code } = await get().domain.staff.createInvite('staff')
    await say(clerk, `/admin ${code}`)
    expect((await say(clerk, '/stats'))[0]).toContain('会员总数')
    expect((await say(clerk, '/adjust'))[0]).toBe('/adjust 仅限店长及以上使用，你现在是店员。')
  })

  it('after /admin for the staff role, /broadcast is refused naming the role it needs and the one held', async () => {
    const clerk = newUser()
    const { code } = await get().domain.staff.createInvite('staff')
    expect((await say(clerk, `/admin ${code}`))[0]).toContain('店员')
    expect((await say(clerk, '/broadcast'))[0]).toBe(
      '/broadcast 仅限店长及以上使用，你现在是店员。',
    )
  })

  it('staff help lists each command a manager may use once, /quiz start included', async () => {
    const manager = newUser('en', 'Manager')
    await join(manager)
    const { code } = await get().domain.staff.createInvite('manager')
    await say(manager, `/admin ${code}`)
    const [help] = await say(manager, '/help')
    for (const command of ['/broadcast', '/adjust', '/stats', '/points', '/invite'])
      expect(help!.split(command).length - 1).toBe(1)
    expect(help).toContain('/quiz start')
    expect(help).not.toContain('/export')
  })

  it('/invite sends the member their referral link and its QR code, with what both sides earn', async () => {
    const user = newUser()
    await join(user)
    const { code } = await memberOf(user)
    const link = `https://t.me/jifen_test_bot?start=ref_${code}`
    const [caption] = await say(user, '/invite')
    expect(caption).toContain(link)
    expect(caption).toContain('你得 100 积分')
    expect(caption).toContain('好友得 50 积分')
    expect(caption).toContain('¥50.00')
    const qr = await QRCode.toBuffer(link, QR_OPTIONS)
    expect(api.lastTo(user.id)).toMatchObject({
      method: 'sendPhoto',
      payload: { photo: { bytes: qr.length } },
    })
  })

  it('answers anything else with a short hint, in groups only when addressed', async () => {
    const user = newUser()
    expect((await say(user, 'hello'))[0]).toContain('/start')
    await join(user)
    expect((await say(user, 'what is this?'))[0]).toContain('/help')
    const group = { id: -100_123, type: 'group' }
    await telegram.handleUpdate(textUpdate(user, 'chatting with friends', { chat: group }) as never)
    await telegram.handleUpdate(
      textUpdate(user, '/points@jifen_test_bot', { chat: group }) as never,
    )
    await telegram.idle()
    expect(api.sentTo(group.id)).toHaveLength(1)
    expect(api.sentTo(group.id)[0]).toContain('当前积分')
  })

  it('answers 1,000 random texts (unicode, very long, commands with junk) without a crash', async () => {
    const user = newUser()
    await join(user)
    const pieces = [
      '积分',
      '签到',
      '/start',
      '/verify',
      '/adjust',
      '/member',
      '/bind',
      '/redeem',
      '/rewards',
      '1',
      '2',
      '99',
      '-5',
      '🎉',
      '\u0000',
      '\u202e',
      'ｆｕｌｌ',
      '𠀀',
      ' ',
      '\n',
      '%s',
      '${x}',
      '<b>',
      "'; drop table members; --",
      '/start ref_',
      'ref_ZZZZZZZZ',
      'null',
    ]
    let seed = 42
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31
    const texts = Array.from({ length: 1_000 }, (_, i) => {
      if (i % 100 === 0) return 'x'.repeat(10_000 + i)
      const length = 1 + Math.floor(random() * 5)
      return Array.from({ length }, () => pieces[Math.floor(random() * pieces.length)]).join(
        random() < 0.5 ? ' ' : '',
      )
    })
    const before = api.sentTo(user.id).length
    // At a person's pace, a message a second: faster is a flood, answered with silence.
    for (const text of texts) {
      floodNow += 1_000
      await telegram.handleUpdate(textUpdate(user, text) as never)
      await telegram.idle()
    }
    const answers = api.sentTo(user.id).slice(before)
    expect(answers.length).toBeGreaterThanOrEqual(1_000)
    expect(answers.filter((a) => a.includes('出了点问题'))).toEqual([])
    expect((await memberOf(user)).points.balance).toBeGreaterThanOrEqual(0)
  })

  it('a member sending 25 messages at once gets one 慢一点 and then silence; another is answered', async () => {
    const [flooder, other] = [newUser(), newUser('en')]
    await join(flooder)
    await join(other)
    floodNow += FLOOD_DEFAULTS.windowMs
    const before = api.sentTo(flooder.id).length
    for (let i = 0; i < 25; i++) await telegram.handleUpdate(textUpdate(flooder, '积分') as never)
    const answered = await say(other, '/points')
    await telegram.idle()
    const replies = api.sentTo(flooder.id).slice(before)
    const slowDown = '你发得太快了，请稍等几秒再试。'
    expect(replies.filter((text) => text === slowDown)).toHaveLength(1)
    expect(replies).toHaveLength(FLOOD_DEFAULTS.messages + 1)
    expect(replies.at(-1)).toBe(slowDown)
    expect(answered.join('\n')).toContain('Points')
    expect(await say(flooder, '积分')).toEqual([])
    floodNow += FLOOD_DEFAULTS.quietMs
    expect((await say(flooder, '积分')).join('\n')).toContain('当前积分')
  })

  it('serves the webhook through the API only with the right secret token', async () => {
    const app = createApp({
      domain: get().domain,
      logger: pino({ level: 'silent' }),
      telegramWebhook: {
        path: '/telegram/webhook',
        secret: SECRET,
        handle: (update) => telegram.handleUpdate(update as never),
      },
    })
    const user = newUser()
    const post = (headers: Record<string, string>, body: unknown) =>
      app.request('/telegram/webhook', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      })
    expect((await post({}, textUpdate(user, '/help'))).status).toBe(401)
    expect(
      (await post({ 'X-Telegram-Bot-Api-Secret-Token': 'wrong' }, textUpdate(user, '/help')))
        .status,
    ).toBe(401)
    expect((await post({ 'X-Telegram-Bot-Api-Secret-Token': SECRET }, { hello: 1 })).status).toBe(
      400,
    )
    await telegram.idle()
    expect(api.sentTo(user.id)).toEqual([])
    expect(
      (await post({ 'X-Telegram-Bot-Api-Secret-Token': SECRET }, textUpdate(user, '/help'))).status,
    ).toBe(200)
    await telegram.idle()
    expect(api.sentTo(user.id)).toHaveLength(1)
  })

  it('marks a member who blocks the bot unreachable for campaigns, and reachable again when they unblock', async () => {
    const user = newUser()
    await join(user)
    const statusUpdate = (status: 'kicked' | 'member') => ({
      update_id: Math.floor(Math.random() * 1e9),
      my_chat_member: {
        chat: { id: user.id, type: 'private', first_name: user.first_name },
        from: { ...user, is_bot: false },
        date: 0,
        old_chat_member: { status: status === 'kicked' ? 'member' : 'kicked', user: api.botUser },
        new_chat_member: {
          status,
          user: api.botUser,
          ...(status === 'kicked' ? { until_date: 0 } : {}),
        },
      },
    })
    const unreachable = async () =>
      (
        await get()
          .store.db.selectFrom('memberIdentities')
          .select('unreachableAt')
          .where('externalId', '=', String(user.id))
          .executeTakeFirstOrThrow()
      ).unreachableAt
    await telegram.handleUpdate(statusUpdate('kicked') as never)
    expect(await unreachable()).not.toBeNull()
    await telegram.handleUpdate(statusUpdate('member') as never)
    expect(await unreachable()).toBeNull()
  })
})
