/// <reference lib="dom" />
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ARTIFACTS,
  CHROMIUM,
  type PageServer,
  expectFits,
  goTo,
  openConsole,
  runBrowser,
  staffMember,
  startPageServer,
} from '../helpers/page-server.ts'
import type { Domain } from '../../src/domain/index.ts'
import type { StaffRole } from '../../src/domain/staff/staff.service.ts'
import { programmeWith } from '../helpers/domain.ts'
import { TELEGRAM_THEMES, telegramLaunchHash } from '../helpers/miniapp.ts'

const PHONE = { width: 360, height: 740 }
const DESKTOP = { width: 1280, height: 800 }

describe.skipIf(!runBrowser)(
  `the console's Dashboard and Members pages in headless Chromium${runBrowser ? '' : ` (skipped: no ${CHROMIUM})`}`,
  () => {
    let pages: PageServer | undefined
    let domain: Domain

    let lucky: { id: string }
    let chen: { id: string; code: string }
    let big: { id: string }
    beforeAll(async () => {
      pages = await startPageServer()
      ;({ domain } = pages)
      await domain.programme.replace(
        programmeWith({ caps: { pointsPerOrder: 1_000, pointsPerMemberPerDay: 1_000_000 } }),
      )
      chen = await domain.members.register({
        displayName: '陈小红',
        phone: '13800138000',
        telegramId: '5550001',
        birthday: '1990-05-01',
      })
      await domain.orders.ingest({ id: 'o-chen-1', member: { id: chen.id }, amount: 12_800 })
      await domain.tags.add(chen.id, ['老客'])
      big = await domain.members.register({ displayName: '王大客' })
      await domain.orders.ingest({ id: 'o-big-1', member: { id: big.id }, amount: 500_000 })
      const gift = await domain.rewards.create({
        name: { 'zh-CN': '蛋糕券', en: 'Cake voucher' },
        kind: 'gift',
        pointsCost: 0,
        stock: 3,
      })
      const lottery = await domain.lotteries.create({
        title: { 'zh-CN': '春季抽奖', en: 'Spring draw' },
        costPoints: 0,
        freeDrawsPerDay: 3,
        opensAt: new Date(Date.now() - 60_000).toISOString(),
        closesAt: new Date(Date.now() + 86_400_000).toISOString(),
        prizes: [
          { name: { 'zh-CN': '蛋糕', en: 'Cake' }, kind: 'reward', rewardId: gift.id, weight: 1 },
        ],
      })
      lucky = await domain.members.register({ displayName: 'Lucky Lin' })
      await domain.lotteries.draw(lucky.id, lottery.id)
    })
    afterAll(async () => {
      await pages?.close()
    })

    async function signedIn(role: StaffRole, name: string) {
      const member = await staffMember(domain, role, name)
      return { ...member, code: (await domain.staffSessions.createLink(member.id)).code }
    }

    async function open(
      hash: string,
      viewport: { width: number; height: number },
      telegram = false,
    ) {
      const page = await openConsole(pages!, hash, viewport, telegram)
      await page.getByTestId('signed-in').waitFor()
      return page
    }

    async function openMember(page: Page, field: string, text: string, id: string) {
      await goTo(page, 'members')
      await page.locator('select[name="field"]').selectOption(field)
      await page.locator('input[name="q"]').fill(text)
      await page.locator('form.search button[type="submit"]').click()
      await page.locator(`[data-member="${id}"]`).click()
      await page.getByTestId('profile').waitFor()
    }

    it('a manager finds a member by name, adjusts points and corrects the birthday with a confirm, and tags and untags them', async () => {
      const manager = await signedIn('manager', '李店长')
      const page = await open(`code=${manager.code}&lang=zh-CN`, PHONE)
      await openMember(page, 'name', '小红', chen.id)
      expect(await page.getByTestId('profile-balance').textContent()).toBe('128')
      // Orders and identities load after the profile opens: wait for them, as a reader would.
      await expect.poll(() => page.getByTestId('orders').textContent()).toContain('o-chen-1')
      const identities = page.getByTestId('identities')
      await expect.poll(() => identities.textContent()).toContain('5550001')
      expect(await identities.textContent()).toContain('注册时自带')
      expect(await page.getByTestId('outlook').textContent()).toMatch(/^来源：/)
      // Neither export nor erase: those are the owner's.
      expect(await page.getByRole('button', { name: '注销会员' }).count()).toBe(0)
      expect(await page.getByRole('button', { name: '导出会员数据' }).count()).toBe(0)

      const adjust = page.getByTestId('adjust')
      await adjust.locator('input[name="points"]').fill('50')
      await adjust.locator('input[name="reason"]').fill('补录门店活动积分')
      await adjust.locator('button[type="submit"]').click()
      expect(await page.getByTestId('question').textContent()).toBe(
        '确认给 陈小红（当前 128 积分）调整 +50 积分？原因：补录门店活动积分',
      )
      await page.getByRole('button', { name: '取消' }).click()
      expect((await domain.members.get({ id: chen.id })).points.balance).toBe(128)
      await adjust.locator('button[type="submit"]').click()
      await page.getByTestId('confirm').click()
      await expect.poll(() => page.getByTestId('profile-balance').textContent()).toBe('178')
      await expect
        .poll(() => page.getByTestId('ledger').textContent())
        .toContain('补录门店活动积分')

      // A deduction below zero is refused by the server and explained beside the form.
      await adjust.locator('input[name="points"]').fill('-1000')
      await adjust.locator('input[name="reason"]').fill('误操作')
      await adjust.locator('button[type="submit"]').click()
      await page.getByTestId('confirm').click()
      await expect.poll(() => page.getByTestId('refusal').textContent()).toContain('积分不足')

      const birthday = page.getByTestId('birthday')
      await birthday.locator('input[name="birthday"]').fill('1990-06-01')
      await birthday.locator('input[name="reason"]').fill('会员出示身份证更正')
      await birthday.locator('button[type="submit"]').click()
      expect(await page.getByTestId('question').textContent()).toContain(
        '从 1990-05-01 改为 1990-06-01',
      )
      await page.getByTestId('confirm').click()
      await expect.poll(() => page.getByTestId('profile-birthday').textContent()).toBe('1990-06-01')

      await page.locator('input[name="tag"]').fill('生日会员')
      await page.getByRole('button', { name: '添加标签' }).click()
      await expect.poll(() => page.getByTestId('tags').textContent()).toContain('生日会员')
      await page.getByRole('button', { name: '移除标签 老客' }).click()
      await expect.poll(() => page.getByTestId('tags').textContent()).not.toContain('老客')
      expect((await domain.tags.of(chen.id)).tags).toEqual(['生日会员'])
      await expectFits(page, PHONE.width)
      await page.screenshot({ path: `${ARTIFACTS}/console-member-360x740.png`, fullPage: true })
      await page.close()

      const wide = await open(
        `code=${(await domain.staffSessions.createLink(manager.id)).code}&lang=en`,
        DESKTOP,
      )
      await openMember(wide, 'tag', '生日会员', chen.id)
      // The ledger loads after the profile opens: wait for it, as a reader would.
      await expect
        .poll(() => wide.getByTestId('ledger').textContent())
        .toContain('补录门店活动积分')
      await wide.screenshot({ path: `${ARTIFACTS}/console-member-1280x800.png`, fullPage: true })
      await wide.close()
    })

    it('a clerk sees the dashboard and a profile, hands over a prize, and is shown no way to adjust, edit or erase', async () => {
      const clerk = await signedIn('staff', '小周')
      const page = await open(`code=${clerk.code}&lang=zh-CN`, PHONE)
      expect(await page.locator('[data-page="staff"]').count()).toBe(0)
      // A clerk opens on the counter; the dashboard is one of the menu's.
      await goTo(page, 'dashboard')
      const attention = page.getByTestId('attention')
      await expect.poll(() => attention.textContent()).toContain('蛋糕 · Lucky Lin')
      expect(await attention.textContent()).toContain('蛋糕券：剩 2（已发出 1）')
      // The figures are the managers': the clerk reads why instead of a refusal.
      expect(await page.textContent('main')).toContain('关键指标和走势仅店长和店主可见')
      // Pending points are counted, but approving is not the clerk's to do.
      expect(await page.getByTestId('pending').textContent()).toContain('等待审核')
      expect(await page.getByRole('button', { name: '发放', exact: true }).count()).toBe(0)

      await page.getByRole('button', { name: '已发放' }).click()
      expect(await page.getByTestId('question').textContent()).toBe(
        '确认已把「蛋糕」交给 Lucky Lin？',
      )
      await page.getByTestId('confirm').click()
      await expect.poll(() => page.getByTestId('prizes').count()).toBe(0)
      await page.screenshot({
        path: `${ARTIFACTS}/console-dashboard-clerk-360x740.png`,
        fullPage: true,
      })

      const chenCode = (await domain.members.get({ id: chen.id })).code
      await openMember(page, 'code', chenCode.toLowerCase(), chen.id)
      expect(await page.getByTestId('ledger').count()).toBe(1)
      for (const form of ['adjust', 'birthday'])
        expect(await page.getByTestId(form).count()).toBe(0)
      expect(await page.locator('input[name="tag"]').count()).toBe(0)
      expect(await page.getByRole('button', { name: '注销会员' }).count()).toBe(0)
      // The page only hides it; the server refuses it regardless.
      const refused = await page.evaluate(async (id) => {
        const response = await fetch(`/api/v1/members/${id}/adjustments`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${sessionStorage.getItem('jifen.session')}`,
            'content-type': 'application/json',
            'idempotency-key': crypto.randomUUID(),
          },
          body: JSON.stringify({ points: 10, reason: 'try' }),
        })
        return response.status
      }, chen.id)
      expect(refused).toBe(403)
      await page.close()
    })

    it('an owner reads the key figures and weekly chart, approves pending points, exports and erases a member', async () => {
      const owner = await signedIn('owner', 'Olivia')
      const page = await open(`code=${owner.code}&lang=en`, DESKTOP)
      const figures = page.getByTestId('figures')
      await expect.poll(() => figures.textContent()).toContain('Members')
      expect(await figures.textContent()).toContain('¥5,128.00')
      await page.getByLabel('Period').selectOption('90')
      // 90 days touch 13 or 14 of the merchant's weeks, one bar each.
      const bars = page.getByTestId('chart-members').locator('g[data-value]')
      await expect.poll(() => bars.count()).toBeGreaterThanOrEqual(13)
      const newMembers = await page
        .getByTestId('chart-members')
        .locator('g[data-value]')
        .evaluateAll((gs) => gs.map((g) => Number(g.getAttribute('data-value'))))
      expect(newMembers.reduce((a, b) => a + b, 0)).toBe(3)

      await page.locator('[data-pending] button', { hasText: 'Approve' }).click()
      expect(await page.getByTestId('question').textContent()).toBe(
        'Credit 王大客 with 5,000 points?',
      )
      await page.getByTestId('confirm').click()
      await expect.poll(() => page.getByTestId('pending').count()).toBe(0)
      expect((await domain.members.get({ id: big.id })).points.balance).toBe(5_000)
      await expectFits(page, DESKTOP.width)
      await page.screenshot({ path: `${ARTIFACTS}/console-dashboard-1280x800.png`, fullPage: true })

      await openMember(page, 'phone', '13800138000', chen.id)
      const download = page.waitForEvent('download')
      await page.getByRole('button', { name: 'Export member data' }).click()
      expect(await page.getByTestId('question').textContent()).toContain('personal data')
      await page.getByTestId('confirm').click()
      expect((await download).suggestedFilename()).toMatch(/^member-.+\.json$/)

      // The balance is whatever the earlier steps left; the question quotes it.
      const balance = (await domain.members.get({ id: chen.id })).points.balance
      await page.getByRole('button', { name: 'Erase member' }).click()
      expect(await page.getByTestId('question').textContent()).toContain(
        `Erase 陈小红? Name, phone, birthday, chat accounts, tags and comments are deleted for good; their ${balance.toLocaleString('en')} points`,
      )
      await page.getByTestId('confirm').click()
      await expect.poll(() => page.getByTestId('profile').textContent()).toContain('erased')
      expect((await domain.members.get({ id: chen.id })).status).toBe('erased')
      await page.close()
    })

    it('lays the dashboard out on a phone inside Telegram, in its dark theme, in Chinese', async () => {
      const manager = await signedIn('manager', '梅')
      const page = await open(
        telegramLaunchHash(
          { id: manager.telegramId, first_name: '梅', language_code: 'zh-hans' },
          { theme: TELEGRAM_THEMES.dark },
        ),
        PHONE,
        true,
      )
      await expect.poll(() => page.getByTestId('figures').textContent()).toContain('会员总数')
      expect(await page.evaluate(() => document.documentElement.style.colorScheme)).toBe('dark')
      await expectFits(page, PHONE.width)
      await page.screenshot({
        path: `${ARTIFACTS}/console-dashboard-dark-360x740.png`,
        fullPage: true,
      })
      await page.close()
    })
  },
)
