/// <reference lib="dom" />
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ARTIFACTS,
  CHROMIUM,
  type PageServer,
  launchChromium,
  openPage,
  runBrowser,
  staffInTelegram,
  startPageServer,
} from '../helpers/page-server.ts'
import type { Domain } from '../../src/domain/index.ts'
import type { StaffRole } from '../../src/domain/staff/staff.service.ts'
import { writeQrVideo } from '../helpers/fake-camera.ts'
import { TELEGRAM_THEMES, fromTelegram, posted, telegramLaunchHash } from '../helpers/miniapp.ts'

const PHONE = { width: 360, height: 740 }
const DESKTOP = { width: 1280, height: 800 }

describe.skipIf(!runBrowser)(
  `the console's counter in headless Chromium${runBrowser ? '' : ` (skipped: no ${CHROMIUM})`}`,
  () => {
    let pages: PageServer | undefined
    let domain: Domain
    let base: string
    let browser: Browser
    const videos = mkdtempSync(join(tmpdir(), 'jifen-camera-'))

    beforeAll(async () => {
      pages = await startPageServer()
      ;({ domain, base, browser } = pages)
    })
    afterAll(async () => {
      await pages?.close()
      rmSync(videos, { recursive: true, force: true })
    })

    let nextId = 770_000
    const staffMember = (role: StaffRole, name: string) =>
      staffInTelegram(domain, role, name, ++nextId)

    /** A member with points and a coupon worth showing at the counter. */
    async function memberWithCoupon(displayName: string, points = 300) {
      const member = await domain.members.register({
        displayName,
        telegramId: String(++nextId),
        locale: 'zh-CN',
      })
      await domain.adjust(member.id, { points, reason: 'welcome gift' }, 'test')
      const reward = await domain.rewards.create({
        name: { 'zh-CN': '拿铁咖啡券', en: 'Latte voucher' },
        kind: 'coupon',
        pointsCost: 100,
        value: 2_800,
        validDays: 30,
      })
      const redemption = await domain.rewards.redeem(member.id, reward.id, {
        idempotencyKey: `seed-${member.id}`,
      })
      return { member, reward, code: redemption.couponCode! }
    }

    const open = (
      on: Browser,
      hash: string,
      viewport: { width: number; height: number },
      telegram = false,
    ) => openPage(on, base, `${base}/miniapp/console/#${hash}`, { viewport, telegram })

    async function signedIn(
      staffId: string,
      lang: 'en' | 'zh-CN',
      viewport: { width: number; height: number },
      on = browser,
    ): Promise<Page> {
      const { code } = await domain.staffSessions.createLink(staffId)
      const page = await open(on, `code=${code}&lang=${lang}`, viewport)
      await expect.poll(() => page.getByTestId('signed-in').isVisible()).toBe(true)
      return page
    }

    const state = (page: Page) => page.getByTestId('coupon-state').textContent()

    it('a clerk verifies a coupon by its code and uses it once, even with a double tap; checked again it is refused', async () => {
      const clerk = await staffMember('staff', 'Clerk Chen')
      const { member, code } = await memberWithCoupon('王小明')
      const page = await signedIn(clerk.id, 'en', DESKTOP)

      await page.getByLabel('Coupon or member code').fill(code.toLowerCase())
      await page.getByRole('button', { name: 'Check' }).click()
      await expect.poll(() => state(page)).toContain('Valid, not used yet')
      expect(await page.getByTestId('coupon').textContent()).toContain('Latte voucher')
      expect(await page.getByTestId('coupon-owner').textContent()).toBe(`王小明 (${member.code})`)
      await page.screenshot({ path: `${ARTIFACTS}/console-counter-1280x800.png` })

      const uses: string[] = []
      page.on('request', (request) => {
        if (request.url().endsWith('/use')) uses.push(request.headers()['idempotency-key'] ?? '')
      })
      // Two taps in one moment, before the page can redraw the button as disabled.
      await page.getByTestId('use-coupon').evaluate((button: HTMLButtonElement) => {
        button.click()
        button.click()
      })
      await expect.poll(() => state(page)).toContain('✅ Used: Latte voucher')
      const used = await domain.rewards.verifyCoupon(code)
      expect(used.status).toBe('used')
      expect(await page.getByRole('alert').count()).toBe(0)
      expect(uses).toHaveLength(1)
      expect(uses[0]).toMatch(/^[0-9a-f-]{36}$/)

      await page.getByRole('button', { name: 'Check' }).click()
      await expect.poll(() => state(page)).toContain('This coupon was already used on')
      expect(await page.getByTestId('use-coupon').count()).toBe(0)
      await page.close()
    })

    it('a coupon another till used first is refused with a clear message, in Chinese on a phone', async () => {
      const clerk = await staffMember('staff', '店员小李')
      const { code } = await memberWithCoupon('李四')
      const page = await signedIn(clerk.id, 'zh-CN', PHONE)
      await page.getByLabel('券码或会员码').fill(code)
      await page.getByRole('button', { name: '查询' }).click()
      await expect.poll(() => state(page)).toContain('有效，尚未使用')
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        PHONE.width,
      )
      await page.screenshot({ path: `${ARTIFACTS}/console-counter-360x740.png` })

      await domain.rewards.useCoupon(code, 'pos:till-2')
      await page.getByTestId('use-coupon').click()
      await expect
        .poll(() => page.getByRole('alert').textContent())
        .toMatch(/^这张券已于 .+ 使用过，不能再次核销。$/)
      await page.getByLabel('券码或会员码').fill('NOSUCHCODE')
      await page.getByRole('button', { name: '查询' }).click()
      await expect
        .poll(() => page.getByTestId('not-found').textContent())
        .toContain('没有找到券码或会员码为「NOSUCHCODE」')
      await page.close()
    })

    it("a member's QR code read by the browser's camera opens the member, who redeems a reward whose coupon is then used", async () => {
      const clerk = await staffMember('staff', 'Clerk Chen')
      const { member } = await memberWithCoupon('Alice', 450)
      const video = join(videos, 'member.y4m')
      writeQrVideo(video, member.code)
      const camera = await launchChromium([
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-video-capture=${video}`,
      ])
      try {
        const page = await signedIn(clerk.id, 'en', PHONE, camera)
        await page.getByRole('button', { name: 'Scan' }).click()
        await expect.poll(() => page.getByTestId('member-balance').textContent()).toBe('350')
        expect(await page.getByTestId('camera').count()).toBe(0)
        expect(await page.getByTestId('member-coupons').textContent()).toContain('Latte voucher')

        const tea = await domain.rewards.create({
          name: { 'zh-CN': '', en: 'Green tea' },
          kind: 'coupon',
          pointsCost: 50,
        })
        const dear = await domain.rewards.create({
          name: 'Teapot',
          kind: 'gift',
          pointsCost: 5_000,
        })
        await page.getByRole('button', { name: 'Check' }).click()
        const row = page.locator(`[data-reward="${tea.id}"]`)
        await expect.poll(() => row.textContent()).toContain('Green tea')
        expect(await page.locator(`[data-reward="${dear.id}"] button`).textContent()).toBe(
          'Not enough points',
        )
        await page.screenshot({ path: `${ARTIFACTS}/console-counter-member-360x740.png` })
        await row.getByRole('button', { name: 'Redeem' }).click()
        expect(await page.getByRole('dialog').textContent()).toContain(
          'Redeem "Green tea" for Alice for 50 points? Their balance becomes 300 points.',
        )
        await page.getByTestId('confirm').dblclick()
        await expect
          .poll(() => page.getByRole('dialog').textContent())
          .toContain('✅ Redeemed: Green tea')
        expect((await domain.members.view(member.id)).points.balance).toBe(300)
        await page.getByRole('button', { name: 'Use this coupon now' }).click()
        await page.getByTestId('use-coupon').click()
        await expect.poll(() => state(page)).toContain('✅ Used: Green tea')
        await page.close()
      } finally {
        await camera.close()
      }
    })

    it("inside Telegram the clerk scans with Telegram's own scanner popup", async () => {
      const clerk = await staffMember('staff', 'Mei')
      const { code } = await memberWithCoupon('Bob')
      const page = await open(
        browser,
        telegramLaunchHash(
          { id: clerk.telegramId, first_name: 'Mei', language_code: 'en' },
          { theme: TELEGRAM_THEMES.dark },
        ),
        PHONE,
        true,
      )
      await expect.poll(() => page.getByTestId('role').textContent()).toBe('staff')
      await page.getByRole('button', { name: 'Scan' }).click()
      await expect
        .poll(() => posted(page, 'web_app_open_scan_qr_popup'))
        .toEqual([{ text: 'Scan a coupon or member code' }])
      expect(await page.getByTestId('camera').count()).toBe(0)
      await fromTelegram(page, 'qr_text_received', { data: code })
      await expect.poll(() => state(page)).toContain('Valid, not used yet')
      expect(await posted(page, 'web_app_close_scan_qr_popup')).toHaveLength(1)
      await page.close()
    })

    it("a member's mini-app session opens no counter and uses no coupon", async () => {
      const { member, code } = await memberWithCoupon('Carol')
      const session = await domain.miniapp.sessionFromLink(
        (await domain.miniapp.createLink(member.id)).token,
      )
      const page = await browser.newPage({ viewport: PHONE })
      await page.addInitScript(
        (token) => sessionStorage.setItem('jifen.session', token),
        session.token,
      )
      await page.goto(`${base}/miniapp/console/#lang=en`)
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('session has ended')
      expect(await page.getByLabel('Coupon or member code').count()).toBe(0)
      const status = await page.evaluate(
        async ([coupon, token]) =>
          (
            await fetch(`/api/v1/coupons/${coupon}/use`, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}` },
            })
          ).status,
        [code, session.token] as const,
      )
      expect(status).toBe(401)
      expect((await domain.rewards.verifyCoupon(code)).status).toBe('issued')
      await page.close()
    })
  },
)
