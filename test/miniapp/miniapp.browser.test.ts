/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ARTIFACTS,
  CHROMIUM,
  type PageServer,
  openPage,
  runBrowser,
  startPageServer,
} from '../helpers/page-server.ts'
import type { Domain } from '../../src/domain/index.ts'
import { decodeQr } from '../helpers/png.ts'
import {
  TELEGRAM_THEMES,
  fromTelegram,
  initDataFor,
  posted,
  telegramLaunchHash,
} from '../helpers/miniapp.ts'

describe.skipIf(!runBrowser)(
  `the mini-app in headless Chromium${runBrowser ? '' : ` (skipped: no ${CHROMIUM})`}`,
  () => {
    let pages: PageServer | undefined
    let domain: Domain
    let base: string
    let browser: Browser

    beforeAll(async () => {
      pages = await startPageServer()
      ;({ domain, base, browser } = pages)
    })
    afterAll(async () => {
      await pages?.close()
    })

    let nextId = 550_000
    async function memberWithHistory(language: 'zh-hans' | 'en') {
      const id = ++nextId
      const view = await domain.members.register({
        displayName: language === 'en' ? 'Alice' : '王小明',
        telegramId: String(id),
        locale: language,
      })
      await domain.orders.ingest({ id: `web-${id}-1`, member: { id: view.id }, amount: 56_800 })
      await domain.adjust(view.id, { points: 200, reason: 'welcome gift' }, 'test')
      return { view, user: { id, first_name: view.displayName, language_code: language } }
    }

    async function open(
      hash: string,
      search = '',
      { telegram = false, viewport = { width: 360, height: 740 } } = {},
    ): Promise<Page> {
      return openPage(browser, base, `${base}/miniapp/${search}#${hash}`, {
        viewport,
        deviceScaleFactor: 2,
        telegram,
      })
    }

    /** Opens the page as Telegram does: launch hash and the app's bridge. */
    function openInTelegram(
      user: Parameters<typeof telegramLaunchHash>[0],
      options: Parameters<typeof telegramLaunchHash>[1] & {
        search?: string
        viewport?: { width: number; height: number }
      } = {},
    ): Promise<Page> {
      return open(telegramLaunchHash(user, options), options.search, {
        telegram: true,
        viewport: options.viewport,
      })
    }

    it('opens from Telegram with signed initData: balance, tier, history, then a redemption shows the coupon', async () => {
      const { user } = await memberWithHistory('zh-hans')
      const reward = await domain.rewards.create({
        name: '拿铁咖啡券',
        kind: 'coupon',
        pointsCost: 300,
        stock: 5,
        value: 2_800,
        validDays: 30,
      })
      const page = await openInTelegram(user, { theme: TELEGRAM_THEMES.light })
      await expect.poll(() => page.getByTestId('balance').textContent()).toBe('768')
      expect(await page.locator('.tier').textContent()).toBe('普通会员')
      expect(await page.locator('.next').textContent()).toContain('银卡会员')
      const accent = await page.evaluate(() =>
        getComputedStyle(document.documentElement)
          .getPropertyValue('--tg-theme-button-color')
          .trim(),
      )
      expect(accent).toBe('#2481cc')
      await page.locator('.qr svg').waitFor()
      await page.screenshot({ path: `${ARTIFACTS}/miniapp-telegram-360x740.png` })

      await page.getByRole('tab', { name: '明细' }).click()
      await expect.poll(() => page.getByTestId('history').textContent()).toContain('消费积分')
      expect(await page.getByTestId('history').textContent()).toContain('人工调整 · welcome gift')

      await page.getByRole('tab', { name: '兑换' }).click()
      await page.locator(`[data-reward="${reward.id}"] button`).click()
      expect(await page.getByRole('dialog').textContent()).toContain(
        '确认用 300 积分兑换「拿铁咖啡券」',
      )
      await page.getByTestId('confirm').click()
      const code = await page.getByTestId('coupon-code').textContent()
      expect(code).toMatch(/^[2-9A-HJ-NP-Z]{10}$/)
      expect(await decodeQr(await page.getByTestId('coupon-qr').screenshot())).toBe(code)
      await page.screenshot({ path: `${ARTIFACTS}/miniapp-redeemed-360x740.png` })
      expect(await posted(page, 'web_app_trigger_haptic_feedback')).toEqual([
        { type: 'notification', notification_type: 'success' },
      ])
      expect(await posted(page, 'web_app_ready')).toHaveLength(1)
      expect(await posted(page, 'web_app_expand')).toHaveLength(1)
      await page.getByRole('button', { name: '好的' }).click()
      await expect.poll(() => page.getByTestId('balance').textContent()).toBe('468')
      await page.getByRole('tab', { name: '我的券' }).click()
      await expect.poll(() => page.locator('.list').textContent()).toContain(code!)
      const width = await page.evaluate(() => document.documentElement.scrollWidth)
      expect(width).toBeLessThanOrEqual(360)
      await page.close()
    })

    it('disables a reward the member cannot redeem and a lottery with nothing left, with the reason, in both languages', async () => {
      const held = await domain.rewards.create({
        name: '普通会员体验 Member pass',
        kind: 'tier_upgrade',
        pointsCost: 50,
        tierCode: 'member',
      })
      const gone = await domain.rewards.create({
        name: '限量茶具 Tea set',
        kind: 'gift',
        pointsCost: 100,
        stock: 0,
      })
      const lottery = await domain.lotteries.create({
        title: '茶具抽奖 Tea set draw',
        costPoints: 10,
        freeDrawsPerDay: 0,
        opensAt: new Date(Date.now() - 60_000).toISOString(),
        closesAt: new Date(Date.now() + 86_400_000).toISOString(),
        prizes: [{ name: '茶具 Tea set', kind: 'reward', rewardId: gone.id, weight: 1 }],
      })
      const words = {
        'zh-hans': {
          tab: '兑换',
          play: '活动',
          held: '你已是这个等级',
          gone: '已兑完',
          lottery: '奖品已抽完',
        },
        en: {
          tab: 'Rewards',
          play: 'Play',
          held: 'You hold this tier',
          gone: 'Out of stock',
          lottery: 'All prizes won',
        },
      } as const
      for (const language of ['zh-hans', 'en'] as const) {
        const { user } = await memberWithHistory(language)
        const page = await openInTelegram(user)
        const said = words[language]
        await page.getByRole('tab', { name: said.tab }).click()
        for (const [reward, reason] of [
          [held, said.held],
          [gone, said.gone],
        ] as const) {
          const button = page.locator(`[data-reward="${reward.id}"] button`)
          await expect.poll(() => button.textContent()).toBe(reason)
          expect(await button.isDisabled()).toBe(true)
        }
        await page.screenshot({
          path: `${ARTIFACTS}/miniapp-rewards-refused-${language}-360x740.png`,
        })
        await page.getByRole('tab', { name: said.play }).click()
        const draw = page.locator(`[data-lottery="${lottery.id}"] button`)
        await expect.poll(() => draw.textContent()).toBe(said.lottery)
        expect(await draw.isDisabled()).toBe(true)
        await page.close()
      }
    })

    it('shows an error page, not the member, when the initData signature is tampered with', async () => {
      const { user } = await memberWithHistory('zh-hans')
      const forged = initDataFor(user, new Date(), '999:not-our-bot')
      const page = await openInTelegram(user, { initData: forged })
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('链接无效或已过期')
      expect(await page.getByTestId('balance').count()).toBe(0)
      await page.screenshot({ path: `${ARTIFACTS}/miniapp-error-360x740.png` })
      await page.close()
    })

    it('opens from a WeChat signed link once, keeps the session on reload, and the link cannot be reused', async () => {
      const { view } = await memberWithHistory('zh-hans')
      const { token } = await domain.miniapp.createLink(view.id)
      const page = await open(`token=${encodeURIComponent(token)}&lang=zh-CN`)
      await expect.poll(() => page.getByTestId('balance').textContent()).toBe('768')
      expect(new URL(page.url()).hash).toBe('')
      await page.reload()
      await expect.poll(() => page.getByTestId('balance').textContent()).toBe('768')
      await page.close()
      const again = await open(`token=${encodeURIComponent(token)}&lang=zh-CN`)
      await expect.poll(() => again.getByRole('alert').textContent()).toContain('链接无效或已过期')
      await again.close()
    })

    it('speaks English to an English member and lets them edit their profile and consent', async () => {
      const { user, view } = await memberWithHistory('en')
      const page = await openInTelegram(user)
      await expect.poll(() => page.locator('.next').textContent()).toContain('more to reach Silver')
      await page.screenshot({ path: `${ARTIFACTS}/miniapp-english-360x740.png` })
      await page.getByRole('tab', { name: 'Me' }).click()
      await page.getByLabel('Send me news and offers').check()
      await page.getByLabel('Language').selectOption('zh-CN')
      // Inside Telegram the form's main action is Telegram's main button, not one of the page's.
      expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0)
      expect(await posted(page, 'web_app_setup_main_button')).toContainEqual(
        expect.objectContaining({ is_visible: true, text: 'Save' }),
      )
      await fromTelegram(page, 'main_button_pressed')
      await expect.poll(() => page.getByRole('tab', { name: '我的', exact: true }).count()).toBe(1)
      const saved = await domain.members.view(view.id)
      expect(saved).toMatchObject({ marketingConsent: true, locale: 'zh-CN' })
      await page.close()
    })

    it('says why the tier is held and how to keep it, and keeps a set birthday locked, in both languages', async () => {
      for (const language of ['zh-hans', 'en'] as const) {
        const { user, view } = await memberWithHistory(language)
        await domain.members.update(view.id, { birthday: '1990-05-20' }, `member:${view.id}`)
        await domain.adjust(view.id, { points: 800, reason: 'test' }, 'test')
        const gold = await domain.rewards.create({
          name: `gold ${language}`,
          kind: 'tier_upgrade',
          pointsCost: 800,
          tierCode: 'gold',
        })
        await domain.rewards.redeem(view.id, gold.id)
        const page = await openInTelegram(user)
        const outlook = page.getByTestId('tier-outlook')
        await expect
          .poll(() => outlook.textContent())
          .toContain(language === 'en' ? 'You got Gold for points.' : '金卡会员是你用积分兑换的')
        expect(await outlook.textContent()).toContain(
          language === 'en' ? 'keeps your tier' : '保级',
        )
        // Chinese sentences run on without a space between them; English ones take one.
        expect(await outlook.textContent()).toContain(
          language === 'en' ? 'for points. This period' : '兑换的。本期',
        )
        await page.screenshot({ path: `${ARTIFACTS}/miniapp-tier-${language}-360x740.png` })
        await page
          .getByRole('tab', { name: language === 'en' ? 'Me' : '我的', exact: true })
          .click()
        const birthday = page.locator('input[name=birthday]')
        await birthday.waitFor()
        expect(await birthday.isDisabled()).toBe(true)
        await page.screenshot({ path: `${ARTIFACTS}/miniapp-profile-${language}-360x740.png` })
        await page.close()
      }
    })

    it('shows open lotteries with their odds and open quizzes; a draw and a whole quiz work from the page', async () => {
      const { user, view } = await memberWithHistory('zh-hans')
      const window = {
        opensAt: new Date(Date.now() - 60_000).toISOString(),
        closesAt: new Date(Date.now() + 86_400_000).toISOString(),
      }
      const lottery = await domain.lotteries.create({
        title: '新春抽奖',
        costPoints: 0,
        freeDrawsPerDay: 1,
        ...window,
        prizes: [
          { name: '100积分', kind: 'points', points: 100, weight: 1 },
          { name: '谢谢参与', kind: 'nothing', weight: 3 },
        ],
      })
      const quiz = await domain.quizzes.create({
        title: '茶叶知识问答',
        questions: [
          { text: '普洱茶属于哪一类？', choices: ['绿茶', '黑茶'], answer: 1 },
          { text: '乌龙茶适合多少度的水？', choices: ['95°C', '60°C'], answer: 0 },
        ],
        reward: { mode: 'per_correct', points: 10 },
        ...window,
      })
      const page = await openInTelegram(user)
      await page.getByRole('tab', { name: '活动' }).click()
      const card = page.locator(`[data-lottery="${lottery.id}"]`)
      await expect.poll(() => card.textContent()).toContain('25.0%')
      expect(await card.textContent()).toContain('75.0%')
      await page.screenshot({ path: `${ARTIFACTS}/miniapp-play-360x740.png` })
      await card.getByRole('button', { name: '抽一次' }).click()
      await expect
        .poll(() => page.getByTestId('draw-result').textContent())
        .toMatch(/恭喜抽中「100积分」|谢谢参与/)
      await page.getByRole('button', { name: '好的' }).click()

      await page.getByRole('tab', { name: '活动' }).click()
      await page.locator(`[data-quiz="${quiz.id}"] button`).click()
      await page.getByRole('button', { name: '黑茶' }).click()
      await expect.poll(() => page.getByTestId('quiz').textContent()).toContain('回答正确')
      await page.getByRole('button', { name: '下一题' }).click()
      await page.getByRole('button', { name: '60°C' }).click()
      await expect
        .poll(() => page.getByTestId('quiz-result').textContent())
        .toBe('答对 1 / 2 题，获得 10 积分')
      expect((await domain.quizzes.results(quiz.id)).completed).toBe(1)
      const ledger = await domain.ledger.history(view.id)
      expect(ledger.items[0]).toMatchObject({ reason: 'quiz', points: 10 })
      await page.close()
    })

    /** A member holding one issued coupon, and its code. */
    async function memberWithCoupon(language: 'zh-hans' | 'en') {
      const member = await memberWithHistory(language)
      const reward = await domain.rewards.create({
        name: language === 'en' ? 'Latte coupon' : '拿铁咖啡券',
        kind: 'coupon',
        pointsCost: 100,
        value: 2_800,
        validDays: 30,
      })
      const { couponCode } = await domain.rewards.redeem(member.view.id, reward.id)
      return { ...member, code: couponCode! }
    }

    it('follows Telegram’s theme: a dark launch gives a dark page, and a theme change turns it light', async () => {
      const { user } = await memberWithHistory('en')
      const page = await openInTelegram(user, { theme: TELEGRAM_THEMES.dark })
      await page.locator('#panel .card').waitFor()
      const colours = () =>
        page.evaluate(() => {
          const card = getComputedStyle(document.querySelector('#panel .card')!)
          return {
            page: getComputedStyle(document.documentElement).backgroundColor,
            card: card.backgroundColor,
            text: card.color,
          }
        })
      expect(await colours()).toEqual({
        page: 'rgb(21, 30, 39)',
        card: 'rgb(33, 45, 59)',
        text: 'rgb(255, 255, 255)',
      })
      await fromTelegram(page, 'theme_changed', { theme_params: TELEGRAM_THEMES.light })
      await expect.poll(colours).toEqual({
        page: 'rgb(240, 242, 245)',
        card: 'rgb(255, 255, 255)',
        text: 'rgb(17, 17, 17)',
      })
      await page.close()
    })

    it('shows a coupon on its own view with a QR code that decodes to its code; the back button returns to the list, in Telegram and in a browser', async () => {
      const { user, view, code } = await memberWithCoupon('zh-hans')
      const page = await openInTelegram(user)
      await page.getByRole('tab', { name: '我的券' }).click()
      await page.getByRole('button', { name: '出示' }).click()
      const shown = page.getByTestId('coupon-view')
      await shown.waitFor()
      expect(await shown.textContent()).toContain(code)
      expect(await decodeQr(await shown.getByTestId('coupon-qr').screenshot())).toBe(code)
      // Telegram draws the back button; the page does not draw a second one.
      expect(await page.getByRole('button', { name: /返回/ }).count()).toBe(0)
      expect((await posted(page, 'web_app_setup_back_button')).at(-1)).toEqual({
        is_visible: true,
      })
      await fromTelegram(page, 'back_button_pressed')
      await expect.poll(() => shown.count()).toBe(0)
      expect(await page.locator('.list').textContent()).toContain(code)
      expect((await posted(page, 'web_app_setup_back_button')).at(-1)).toEqual({
        is_visible: false,
      })
      await page.close()

      const { token } = await domain.miniapp.createLink(view.id)
      const browserPage = await open(`token=${encodeURIComponent(token)}&lang=zh-CN`)
      await browserPage.getByRole('tab', { name: '我的券' }).click()
      await browserPage.getByRole('button', { name: '出示' }).click()
      await browserPage.getByTestId('coupon-view').waitFor()
      await browserPage.getByRole('button', { name: /返回/ }).click()
      await expect.poll(() => browserPage.getByTestId('coupon-view').count()).toBe(0)
      expect(await browserPage.locator('.list').textContent()).toContain(code)
      await browserPage.close()
    })

    it('lays out every view from a 360 px phone to a 1280 px desktop, in both languages, light and dark', async () => {
      const tabs = {
        'zh-hans': {
          code: '会员码',
          history: '明细',
          rewards: '兑换',
          play: '活动',
          coupons: '我的券',
          profile: '我的',
        },
        en: {
          code: 'My code',
          history: 'History',
          rewards: 'Rewards',
          play: 'Play',
          coupons: 'Coupons',
          profile: 'Me',
        },
      } as const
      for (const language of ['zh-hans', 'en'] as const) {
        const { user } = await memberWithCoupon(language)
        for (const scheme of ['light', 'dark'] as const) {
          for (const [width, height] of [
            [360, 740],
            [1280, 800],
          ] as const) {
            const page = await openInTelegram(user, {
              theme: TELEGRAM_THEMES[scheme],
              viewport: { width, height },
            })
            await page.getByTestId('balance').waitFor()
            for (const [view, label] of Object.entries(tabs[language])) {
              await page.getByRole('tab', { name: label, exact: true }).click()
              await expect.poll(() => page.locator('#panel > *').count()).toBeGreaterThan(0)
              const overflow = await page.evaluate(() => document.documentElement.scrollWidth)
              expect(overflow).toBeLessThanOrEqual(width)
              await page.screenshot({
                path: `${ARTIFACTS}/miniapp-${view}-${language}-${scheme}-${width}x${height}.png`,
              })
            }
            await page.getByRole('tab', { name: tabs[language].coupons }).click()
            await page.locator('.list button').first().click()
            await page.getByTestId('coupon-view').waitFor()
            await page.screenshot({
              path: `${ARTIFACTS}/miniapp-coupon-${language}-${scheme}-${width}x${height}.png`,
            })
            await page.close()
          }
        }
      }
    })

    it('counts a visit from a campaign’s button as the campaign opened, once per targeted member', async () => {
      const { user, view } = await memberWithHistory('zh-hans')
      await domain.members.update(view.id, { marketingConsent: true }, 'test')
      await domain.programme.replace({
        ...(await domain.programme.current()).config,
        quietHours: null,
      })
      await domain.tags.add(view.id, ['vip-open'])
      const campaign = await domain.campaigns.create(
        {
          name: 'Open me',
          message: { text: 'hi', miniappButton: '会员中心' },
          segment: { tags: ['vip-open'] },
        },
        'test',
      )
      await domain.campaigns.dispatchDue()
      for (const row of await domain.outbox.claim('w', ['telegram'], 50)) {
        if (row.campaignId === campaign.id) await domain.outbox.settle('w', row, { status: 'sent' })
      }
      const page = await openInTelegram(user, { search: `?c=${campaign.id}` })
      await expect.poll(() => page.getByTestId('balance').textContent()).toBe('768')
      await expect.poll(async () => (await domain.campaigns.stats(campaign.id)).opened).toBe(1)
      await page.reload()
      await expect.poll(() => page.getByTestId('balance').textContent()).toBe('768')
      expect((await domain.campaigns.stats(campaign.id)).opened).toBe(1)
      await page.close()
    })
  },
)
