/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ARTIFACTS,
  CHROMIUM,
  type PageServer,
  expectFits,
  goTo,
  openConsole,
  runBrowser,
  staffMember as helperStaffMember,
  startPageServer,
} from '../helpers/page-server.ts'
import type { Domain } from '../../src/domain/index.ts'
import type { StaffRole } from '../../src/domain/staff/staff.service.ts'
import { TELEGRAM_THEMES, telegramLaunchHash } from '../helpers/miniapp.ts'

describe.skipIf(!runBrowser)(
  `the merchant console in headless Chromium${runBrowser ? '' : ` (skipped: no ${CHROMIUM})`}`,
  () => {
    let pages: PageServer | undefined
    let domain: Domain
    let base: string

    beforeAll(async () => {
      pages = await startPageServer()
      ;({ domain, base } = pages)
    })
    afterAll(async () => {
      await pages?.close()
    })

    const staffMember = (role: StaffRole, name: string) => helperStaffMember(domain, role, name)
    const open = (hash: string, viewport: { width: number; height: number }, telegram = false) =>
      openConsole(pages!, hash, viewport, telegram)

    it('a clerk revoked while the console is open is refused on the next page it loads, and told how to sign in again', async () => {
      const clerk = await staffMember('staff', 'Revoked Ruan')
      const { code } = await domain.staffSessions.createLink(clerk.id)
      const page = await open(`code=${code}&lang=zh-CN`, { width: 360, height: 740 })
      await expect.poll(() => page.getByTestId('role').textContent()).toBe('店员')
      await domain.staff.revoke(clerk.id)
      await goTo(page, 'members')
      await goTo(page, 'dashboard')
      await expect
        .poll(() => page.textContent('body'))
        .toContain('登录已失效或链接已用过。请在机器人里发送 /console（后台）获取新的登录链接。')
      expect(await page.getByTestId('signed-in').count()).toBe(0)
      await page.close()
    })

    it('an owner reads the audit log: a manager’s adjustment with who, when, before and after, filtered by operation and by who', async () => {
      const owner = await staffMember('owner', 'Owner Ou')
      const manager = await staffMember('manager', 'Manager Ma')
      const member = await domain.members.register({ displayName: '审计张' })
      const { code: managerCode } = await domain.staffSessions.createLink(manager.id)
      const { token } = await domain.staffSessions.openFromLink(managerCode)
      const adjusted = await fetch(`${base}/api/v1/members/${member.id}/adjustments`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'idempotency-key': `audit-${member.id}`,
        },
        body: JSON.stringify({ points: 30, reason: '补录积分' }),
      })
      expect(adjusted.status).toBe(201)

      const { code } = await domain.staffSessions.createLink(owner.id)
      const page = await open(`code=${code}&lang=zh-CN`, { width: 360, height: 740 })
      await goTo(page, 'audit')
      const list = page.getByTestId('audit-list')
      await expect.poll(() => list.textContent()).toContain('POST /api/v1/members/{id}/adjustments')
      const entry = list.locator('li').filter({ hasText: 'adjustments' }).first()
      expect(await entry.textContent()).toContain('Manager Ma')
      expect(await entry.textContent()).toContain(member.id)
      await entry.locator('summary', { hasText: '改后' }).click()
      expect(await entry.locator('pre').last().textContent()).toContain('补录积分')

      await page
        .locator('select[name="operation"]')
        .selectOption('POST /api/v1/members/{id}/adjustments')
      await page.getByRole('button', { name: '筛选' }).click()
      await expect
        .poll(async () =>
          (await list.locator('li').allTextContents()).every((t) => t.includes('adjustments')),
        )
        .toBe(true)
      await page.getByLabel('操作人（员工或 API 密钥编号）').fill(owner.id)
      await page.getByRole('button', { name: '筛选' }).click()
      await expect.poll(() => page.getByTestId('audit-empty').count()).toBe(1)
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        360,
      )
      await page.screenshot({ path: `${ARTIFACTS}/console-audit-360x740.png`, fullPage: true })
      await page.close()
    })

    it('an owner signs in through a one-time link, invites a manager and revokes a clerk', async () => {
      const owner = await staffMember('owner', 'Olivia')
      const clerk = await staffMember('staff', 'Clerk Chen')
      const clerkLink = await domain.staffSessions.createLink(clerk.id)
      const clerkSession = await domain.staffSessions.openFromLink(clerkLink.code)
      const { code } = await domain.staffSessions.createLink(owner.id)

      const page = await open(`code=${code}&lang=en`, { width: 1280, height: 800 })
      await expect.poll(() => page.getByTestId('signed-in').textContent()).toBe('Olivia')
      expect(await page.getByTestId('role').textContent()).toBe('owner')
      // The code is gone from the address bar once used.
      expect(page.url()).toBe(`${base}/miniapp/console/`)
      // The owner lands on the dashboard; the staff page is one of the menu's.
      await goTo(page, 'staff')
      await expect.poll(() => page.getByTestId('staff-list').textContent()).toContain('Clerk Chen')

      await page.getByLabel('Invite as').selectOption('manager')
      await page.getByRole('button', { name: 'Create invite code' }).click()
      const invite = await page.getByTestId('invite-code').textContent()
      expect(invite).toMatch(/^ADM-/)
      const joined = await domain.staff.acceptInvite(invite!, 'wechat', 'wx-invited', 'Wen')
      expect(joined.role).toBe('manager')
      await page.getByRole('button', { name: 'Close' }).click()

      await page.locator(`[data-staff="${clerk.id}"] button`).click()
      expect(await page.getByRole('dialog').textContent()).toContain('Revoke Clerk Chen?')
      await page.getByTestId('confirm').click()
      await expect
        .poll(() => page.getByTestId('staff-list').textContent())
        .not.toContain('Clerk Chen')
      await expect(domain.staffSessions.principalOf(clerkSession.token)).rejects.toMatchObject({
        code: 'unauthorized',
      })
      await page.screenshot({ path: `${ARTIFACTS}/console-staff-1280x800.png` })
      await page.close()

      const phone = await open(
        `code=${(await domain.staffSessions.createLink(owner.id)).code}&lang=zh-CN`,
        { width: 360, height: 740 },
      )
      await expect.poll(() => phone.getByTestId('role').textContent()).toBe('店主')
      await goTo(phone, 'staff')
      await expect.poll(() => phone.getByTestId('staff-list').textContent()).toContain('Wen')
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        360,
      )
      await phone.screenshot({ path: `${ARTIFACTS}/console-staff-360x740.png` })
      // A used link opens nothing: reloading with it again shows how to get a new one.
      await phone.getByRole('button', { name: '退出登录' }).click()
      await expect.poll(() => phone.textContent('main')).toContain('你已退出商家后台')
      await phone.close()
    })

    it('on a phone the pages fold into a button naming the open page: it unfolds the list, goes to a page and folds again, by keyboard too, in both languages', async () => {
      const owner = await staffMember('owner', 'Menu Meng')
      const PHONE = { width: 360, height: 740 }
      const page = await open(
        `code=${(await domain.staffSessions.createLink(owner.id)).code}&lang=zh-CN`,
        PHONE,
      )
      const menu = page.getByTestId('menu')
      await expect.poll(() => menu.textContent()).toBe('概览全部页面')
      const reports = page.locator('[data-page="reports"]')
      expect(await reports.isVisible()).toBe(false)
      // Folded, the twelve pages take one row, not the three they wrapped to.
      expect((await page.locator('nav.pages').boundingBox())!.height).toBeLessThan(50)
      await page.screenshot({ path: `${ARTIFACTS}/console-menu-folded-360x740.png` })

      await menu.click()
      expect(await menu.getAttribute('aria-expanded')).toBe('true')
      expect(await page.locator('[data-page]:visible').count()).toBe(12)
      await expectFits(page, PHONE.width)
      await page.screenshot({ path: `${ARTIFACTS}/console-menu-360x740.png` })
      await reports.click()
      await expect.poll(() => menu.textContent()).toBe('报表全部页面')
      expect(await menu.getAttribute('aria-expanded')).toBe('false')
      expect(await reports.isVisible()).toBe(false)
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(
        'menu',
      )
      // The keyboard: Enter unfolds, Tab reaches the first page, Escape folds back to the button.
      await page.keyboard.press('Enter')
      expect(await menu.getAttribute('aria-expanded')).toBe('true')
      await page.keyboard.press('Tab')
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-page'))).toBe(
        'dashboard',
      )
      await page.keyboard.press('Escape')
      expect(await menu.getAttribute('aria-expanded')).toBe('false')
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(
        'menu',
      )
      await page.close()

      const english = await open(
        `code=${(await domain.staffSessions.createLink(owner.id)).code}&lang=en`,
        PHONE,
      )
      await english.getByTestId('menu').click()
      await expect.poll(() => english.getByTestId('menu').textContent()).toBe('DashboardClose')
      await expectFits(english, PHONE.width)
      await english.screenshot({ path: `${ARTIFACTS}/console-menu-en-360x740.png` })
      await english.close()

      // A desktop shows every page as a tab and no menu button.
      const desktop = await open(
        `code=${(await domain.staffSessions.createLink(owner.id)).code}&lang=en`,
        { width: 1280, height: 800 },
      )
      await desktop.getByTestId('signed-in').waitFor()
      expect(await desktop.getByTestId('menu').isVisible()).toBe(false)
      expect(await desktop.locator('[data-page]:visible').count()).toBe(12)
      await desktop.screenshot({ path: `${ARTIFACTS}/console-menu-1280x800.png` })
      await desktop.close()

      // Between the two, a tablet keeps the tabs.
      const tablet = await open(
        `code=${(await domain.staffSessions.createLink(owner.id)).code}&lang=zh-CN`,
        { width: 900, height: 800 },
      )
      await tablet.getByTestId('signed-in').waitFor()
      expect(await tablet.getByTestId('menu').isVisible()).toBe(false)
      expect(await tablet.locator('[data-page]:visible').count()).toBe(12)
      await expectFits(tablet, 900)
      await tablet.screenshot({ path: `${ARTIFACTS}/console-menu-900x800.png` })
      await tablet.close()
    })

    it('a manager opens it inside Telegram from initData, in the Telegram theme, without the staff page', async () => {
      const manager = await staffMember('manager', 'Mei')
      const page = await open(
        telegramLaunchHash(
          { id: manager.telegramId, first_name: 'Mei', language_code: 'zh-hans' },
          { theme: TELEGRAM_THEMES.dark },
        ),
        { width: 360, height: 740 },
        true,
      )
      await expect.poll(() => page.getByTestId('role').textContent()).toBe('店长')
      expect(await page.getByTestId('staff-list').count()).toBe(0)
      expect(await page.locator('[data-page="staff"]').count()).toBe(0)
      await expect.poll(() => page.textContent('main')).toContain('核销台')
      expect(await page.textContent('main')).not.toContain('员工')
      const scheme = await page.evaluate(() => document.documentElement.style.colorScheme)
      expect(scheme).toBe('dark')
      await page.close()
    })
  },
)
