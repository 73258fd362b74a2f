/// <reference lib="dom" />
import { createCanvas } from '@napi-rs/canvas'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ARTIFACTS,
  CHROMIUM,
  type PageServer,
  goTo,
  runBrowser,
  startPageServer,
} from '../helpers/page-server.ts'
import type { Domain } from '../../src/domain/index.ts'
import type { StaffRole } from '../../src/domain/staff/staff.service.ts'

/** A picture as a merchant would upload it: a red square with a white band. */
function picture(): Buffer {
  const canvas = createCanvas(240, 240)
  const ctx = canvas.getContext('2d')
  ctx.fillStyle = '#c0392b'
  ctx.fillRect(0, 0, 240, 240)
  ctx.fillStyle = '#ffffff'
  ctx.fillRect(0, 100, 240, 40)
  return canvas.toBuffer('image/png')
}

describe.skipIf(!runBrowser)(
  `the console's catalogue in headless Chromium${runBrowser ? '' : ` (skipped: no ${CHROMIUM})`}`,
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

    let nextId = 880_000
    async function console(role: StaffRole, name: string, lang: string, viewport: Viewport) {
      const { code: invite } = await domain.staff.createInvite(role)
      const record = await domain.staff.acceptInvite(invite, 'telegram', String(++nextId), name)
      const { code } = await domain.staffSessions.createLink(record.id)
      const page = await open(`/miniapp/console/#code=${code}&lang=${lang}`, viewport)
      // Staff open on their home page (the counter, the dashboard); the catalogue is in the menu.
      await goTo(page, 'catalogue')
      return page
    }
    type Viewport = { width: number; height: number }
    async function open(path: string, viewport: Viewport): Promise<Page> {
      const page = await browser.newPage({ viewport })
      page.setDefaultTimeout(10_000)
      const outside: string[] = []
      page.on('request', (request) => {
        if (!request.url().startsWith(base) && !request.url().startsWith('data:'))
          outside.push(request.url())
      })
      page.on('close', () => expect(outside).toEqual([]))
      await page.goto(`${base}${path}`)
      return page
    }
    async function memberPage(): Promise<Page> {
      const member = await domain.members.register({
        displayName: 'Lin',
        telegramId: String(++nextId),
        locale: 'en',
      })
      await domain.adjust(member.id, { points: 800, reason: 'goodwill' }, 'test')
      const { token } = await domain.miniapp.createLink(member.id)
      const page = await open(`/miniapp/#token=${encodeURIComponent(token)}&lang=en`, {
        width: 360,
        height: 740,
      })
      await page.locator('[data-tab="rewards"]').click()
      return page
    }
    const noWiderThan = async (page: Page, width: number) =>
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        width,
      )

    it('a manager creates a reward in both languages with a picture, previews it, pauses it away from members and retires it', async () => {
      const page = await console('manager', 'Mei', 'zh-CN', { width: 360, height: 740 })
      await page.getByRole('button', { name: '新增礼品' }).click()
      await page.getByLabel('名称（简体中文）').fill('20元代金券')
      await page.getByLabel('名称（English）').fill('¥20 voucher')
      await page.getByLabel('说明（简体中文）').fill('满100元可用，每人限兑一次')
      await page.getByLabel('说明（English）').fill('On orders of ¥100 or more, once per member')
      await page.getByLabel('类型').selectOption('coupon')
      await page.getByLabel('所需积分').fill('500')
      await page.getByLabel('面值（元）').fill('20')
      await page.getByLabel('库存（留空为不限量）').fill('50')
      await page.getByLabel('每人限兑次数（留空为不限）').fill('1')
      await page.getByLabel('图片（PNG、JPEG 或 WebP，不超过 1 MB）').setInputFiles({
        name: 'voucher.png',
        mimeType: 'image/png',
        buffer: picture(),
      })
      await noWiderThan(page, 360)
      await page.screenshot({
        path: `${ARTIFACTS}/console-catalogue-form-360x740.png`,
        fullPage: true,
      })
      await page.getByRole('button', { name: '保存并预览' }).click()

      // The preview is the member page's own card, once per language, with the picture.
      const preview = page.getByTestId('preview')
      await expect
        .poll(() => preview.locator('[data-locale="en"] h3').textContent())
        .toBe('¥20 voucher')
      expect(await preview.locator('[data-locale="zh-CN"] h3').textContent()).toBe('20元代金券')
      expect(await preview.locator('[data-locale="en"] .cost').textContent()).toBe(
        '500 points · 50 left',
      )
      await expect
        .poll(() =>
          preview
            .locator('[data-locale="en"] img')
            .evaluate((img: HTMLImageElement) => img.naturalWidth),
        )
        .toBe(240)
      await page.screenshot({ path: `${ARTIFACTS}/console-catalogue-preview-360x740.png` })
      const [reward] = (await domain.rewards.list()).filter((r) => r.name.en === '¥20 voucher')
      expect(reward).toMatchObject({
        name: { 'zh-CN': '20元代金券', en: '¥20 voucher' },
        kind: 'coupon',
        value: 2000,
        pointsCost: 500,
        stock: 50,
        perMemberLimit: 1,
        status: 'active',
      })
      expect(reward!.imageUrl).toMatch(/^\/media\/rewards\//)
      await page.getByRole('button', { name: '关闭' }).click()

      // A member reading English sees it with its picture, then no more once paused.
      const member = await memberPage()
      const card = member.locator(`[data-reward="${reward!.id}"]`)
      await expect.poll(() => card.locator('h3').textContent()).toBe('¥20 voucher')
      expect(await card.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(
        240,
      )
      await member.screenshot({ path: `${ARTIFACTS}/member-reward-picture-360x740.png` })

      const row = page.locator(`.catalogue-row[data-reward="${reward!.id}"]`)
      await row.getByRole('button', { name: '暂停兑换' }).click()
      await expect.poll(() => row.getByTestId('status').textContent()).toBe('已暂停')
      await member.reload()
      await member.locator('[data-tab="rewards"]').click()
      await expect.poll(() => member.locator('.rewards, .empty').count()).toBeGreaterThan(0)
      expect(await card.count()).toBe(0)
      await member.close()

      await row.getByRole('button', { name: '停用' }).click()
      expect(await page.getByRole('dialog').textContent()).toContain('停用「20元代金券」？')
      await page.getByTestId('confirm').click()
      await expect.poll(() => row.getByTestId('status').textContent()).toBe('已停用')
      expect(await row.getByRole('button', { name: '编辑' }).count()).toBe(0)
      expect((await domain.rewards.get(reward!.id)).status).toBe('retired')
      await page.close()
    })

    it('a clerk sees the catalogue and its preview but is offered no change; in English on a desktop', async () => {
      await domain.rewards.create({
        name: { 'zh-CN': '招牌奶茶', en: 'House milk tea' },
        description: { 'zh-CN': '任意门店可用', en: '' },
        kind: 'gift',
        pointsCost: 300,
      })
      const manager = await console('manager', 'Max', 'en', { width: 1280, height: 800 })
      await expect
        .poll(() => manager.getByTestId('catalogue').textContent())
        .toContain('House milk tea')
      await manager.getByRole('button', { name: 'New reward' }).waitFor()
      await manager.screenshot({ path: `${ARTIFACTS}/console-catalogue-1280x800.png` })
      await manager.close()

      const clerk = await console('staff', 'Chen', 'en', { width: 1280, height: 800 })
      const list = clerk.getByTestId('catalogue')
      await expect.poll(() => list.textContent()).toContain('House milk tea')
      expect(await clerk.textContent('main')).toContain(
        'adding and changing rewards is for managers',
      )
      for (const name of ['New reward', 'Edit', 'Pause', 'Retire'])
        expect(await clerk.getByRole('button', { name, exact: true }).count()).toBe(0)
      await list
        .locator('.catalogue-row')
        .filter({ hasText: 'House milk tea' })
        .getByRole('button', { name: 'Preview' })
        .click()
      const preview = clerk.getByTestId('preview')
      // The English member reads the Chinese description the merchant left alone.
      await expect
        .poll(() => preview.locator('[data-locale="en"] .reward .hint').textContent())
        .toBe('任意门店可用')
      await clerk.screenshot({ path: `${ARTIFACTS}/console-catalogue-clerk-preview-1280x800.png` })
      await clerk.close()
    })
  },
)
