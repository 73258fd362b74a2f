/// <reference lib="dom" />
import { DateTime } from 'luxon'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ARTIFACTS,
  CHROMIUM,
  type PageServer,
  consoleSignedIn,
  expectFits,
  goTo,
  runBrowser,
  startPageServer,
} from '../helpers/page-server.ts'
import type { Domain } from '../../src/domain/index.ts'
import type { StaffRole } from '../../src/domain/staff/staff.service.ts'

const PHONE = { width: 360, height: 740 }
const DESKTOP = { width: 1280, height: 800 }

describe.skipIf(!runBrowser)(
  `the console's Programme and Reminders pages in headless Chromium${runBrowser ? '' : ` (skipped: no ${CHROMIUM})`}`,
  () => {
    let pages: PageServer | undefined
    let domain: Domain
    beforeAll(async () => {
      pages = await startPageServer()
      ;({ domain } = pages)
      // A soap bought today plans a re-purchase reminder: the results have a row to show.
      await domain.reminders.upsertProduct('SOAP-30', {
        name: { 'zh-CN': '手工皂', en: 'Handmade soap' },
        usageCycleDays: 30,
      })
      const buyer = await domain.members.register({
        displayName: '陈小红',
        telegramId: '5550101',
        marketingConsent: true,
      })
      await domain.orders.ingest({
        id: 'o-soap-1',
        member: { id: buyer.id },
        amount: 3_000,
        items: [{ sku: 'SOAP-30', quantity: 1, unitPrice: 3_000 }],
      })
    })
    afterAll(async () => {
      await pages?.close()
    })

    const open = (role: StaffRole, name: string, lang: string, viewport = PHONE) =>
      consoleSignedIn(pages!, role, name, lang, viewport)

    it('an owner changes the first-order bonus: the save confirms the change, a new version appears and its diff shows it', async () => {
      const before = await domain.programme.current()
      const page = await open('owner', '周店主', 'zh-CN')
      await goTo(page, 'programme')
      // A tier's benefits: free shipping a till applies, and the perks members read.
      const gold = page.locator('[data-tier="gold"]')
      expect(await gold.getByLabel('免运费').isChecked()).toBe(true)
      expect(await gold.getByLabel('其他权益（English，每行一条）').inputValue()).toBe(
        '1.25× points',
      )
      await gold.scrollIntoViewIfNeeded()
      await page.screenshot({ path: `${ARTIFACTS}/console-programme-tier-360x740.png` })
      await page.getByLabel('首单奖励积分').fill('50')
      await expectFits(page, PHONE.width)
      await page.screenshot({ path: `${ARTIFACTS}/console-programme-360x740.png` })
      await page.getByRole('button', { name: '检查并保存' }).click()
      const summary = page.getByTestId('summary')
      await expect.poll(() => summary.textContent()).toContain('首单奖励积分: 0 → 50')
      expect(await page.getByTestId('question').textContent()).toBe('保存以下 1 项改动为新版本？')
      await page.screenshot({ path: `${ARTIFACTS}/console-programme-confirm-360x740.png` })
      await page.getByTestId('confirm').click()

      const saved = before.version + 1
      const versions = page.getByTestId('versions')
      await expect.poll(() => versions.textContent()).toContain(`第 ${saved} 版`)
      expect((await domain.programme.current()).config.earning.firstOrderBonus).toBe(50)
      const row = page.locator(`[data-version="${saved}"]`)
      await row.getByRole('button', { name: '查看改动' }).click()
      await expect.poll(() => row.getByTestId('diff').textContent()).toBe('首单奖励积分: 0 → 50')
      await page.close()

      const desktop = await open('owner', 'Zhou', 'en', DESKTOP)
      await goTo(desktop, 'programme')
      await expect
        .poll(() => desktop.getByLabel('First-order bonus points').inputValue())
        .toBe('50')
      await expectFits(desktop, DESKTOP.width)
      await desktop.screenshot({ path: `${ARTIFACTS}/console-programme-1280x800.png` })
      const desktopRow = desktop.locator(`[data-version="${saved}"]`)
      await desktopRow.getByRole('button', { name: 'Show changes' }).click()
      await expect
        .poll(() => desktopRow.getByTestId('diff').textContent())
        .toBe('First-order bonus points: 0 → 50')
      expect(await desktopRow.textContent()).toContain('周店主')
      await desktop.screenshot({ path: `${ARTIFACTS}/console-programme-versions-1280x800.png` })
      await desktop.close()
    })

    it('a bad setting is refused with the field named beside it, and nothing is saved', async () => {
      const before = await domain.programme.current()
      const page = await open('owner', '周店主', 'zh-CN')
      await goTo(page, 'programme')
      await page.getByLabel('单笔订单积分上限（超出待审核）').fill('0')
      await page.getByRole('button', { name: '检查并保存' }).click()
      const note = page.getByTestId('note')
      await expect
        .poll(() => note.textContent())
        .toBe('「单笔订单积分上限（超出待审核）」填写得不对，请检查后再保存。什么都没有保存。')
      const field = page.locator('[data-field="caps.pointsPerOrder"]')
      expect(await field.locator('.field-error').textContent()).toBe('这一项填写得不对。')
      expect(await page.getByTestId('summary').count()).toBe(0)
      await field.scrollIntoViewIfNeeded()
      await page.screenshot({ path: `${ARTIFACTS}/console-programme-refused-360x740.png` })
      expect((await domain.programme.current()).version).toBe(before.version)
      await page.close()
    })

    it('an owner types member prices and amounts in yuan: the programme keeps fen, the summary and the diff say yuan', async () => {
      const page = await open('owner', '周店主', 'zh-CN')
      await goTo(page, 'programme')
      const gold = page.locator('[data-tier="gold"]')
      // Spend counts toward tiers: gold's ¥5,000 threshold is typed in yuan, not 500000 fen.
      expect(await gold.getByLabel('升级门槛（评估周期内累计消费，元）').inputValue()).toBe(
        '5000.00',
      )
      expect(await gold.textContent()).toContain('还没有商品设置会员价。')
      await gold.getByRole('button', { name: '新增会员价商品' }).click()
      const row = gold.locator('.price-row').last()
      await row.getByLabel('商品编码（SKU）').fill('SOAP-30')
      await row.getByLabel('会员价（元）').fill('88.50')
      await page.getByLabel('奖励所需最低订单金额（元）').fill('12.5')
      await expectFits(page, PHONE.width)
      await row.evaluate((el) => el.scrollIntoView({ block: 'center' }))
      await page.screenshot({ path: `${ARTIFACTS}/console-programme-member-prices-360x740.png` })
      await page.getByRole('button', { name: '检查并保存' }).click()
      const summary = page.getByTestId('summary')
      await expect.poll(() => summary.textContent()).toContain('（新增） → SOAP-30 ¥88.50')
      expect(await summary.textContent()).toContain('奖励所需最低订单金额（元）: ¥0.00 → ¥12.50')
      await page.getByTestId('confirm').click()
      const goldNow = async () =>
        (await domain.programme.current()).config.tiers.find((t) => t.code === 'gold')!
      await expect
        .poll(async () => (await goldNow()).benefits)
        .toContainEqual({ kind: 'member_prices', prices: { 'SOAP-30': 8850 } })
      expect((await domain.programme.current()).config.earning.qualifyingOrderAmount).toBe(1250)
      await page.close()

      const desktop = await open('owner', 'Zhou', 'en', DESKTOP)
      await goTo(desktop, 'programme')
      const price = desktop.locator('[data-tier="gold"] .price-row').getByLabel('Member price (¥)')
      await expect.poll(() => price.inputValue()).toBe('88.50')
      await price.fill('90')
      await price.evaluate((el) => el.scrollIntoView({ block: 'center' }))
      await expectFits(desktop, DESKTOP.width)
      await desktop.screenshot({
        path: `${ARTIFACTS}/console-programme-member-prices-1280x800.png`,
      })
      await desktop.getByRole('button', { name: 'Check and save' }).click()
      await expect
        .poll(() => desktop.getByTestId('summary').textContent())
        .toBe('Member price (¥) #3 SOAP-30: ¥88.50 → ¥90.00')
      await desktop.getByTestId('confirm').click()
      await expect
        .poll(async () => (await goldNow()).benefits)
        .toContainEqual({ kind: 'member_prices', prices: { 'SOAP-30': 9000 } })
      const saved = (await domain.programme.current()).version
      const versionRow = desktop.locator(`[data-version="${saved}"]`)
      await versionRow.getByRole('button', { name: 'Show changes' }).click()
      await expect
        .poll(() => versionRow.getByTestId('diff').textContent())
        .toBe('Member price (¥) #3 SOAP-30: ¥88.50 → ¥90.00')
      await desktop.close()
    })

    it('a member price not in yuan, or a product typed twice, is refused beside its row and nothing is saved; removing the rows removes the benefit', async () => {
      const before = await domain.programme.current()
      const page = await open('owner', '周店主', 'zh-CN')
      await goTo(page, 'programme')
      const gold = page.locator('[data-tier="gold"]')
      const soap = gold.locator('[data-field$=".prices.SOAP-30"]')
      await soap.getByLabel('会员价（元）').fill('88.505')
      await page.getByRole('button', { name: '检查并保存' }).click()
      await expect
        .poll(() => page.getByTestId('note').textContent())
        .toBe('「会员价（元） #3 SOAP-30」填写得不对，请检查后再保存。什么都没有保存。')
      expect(await soap.locator('.field-error').textContent()).toBe('这一项填写得不对。')
      expect(await page.getByTestId('summary').count()).toBe(0)
      await gold.getByRole('button', { name: '新增会员价商品' }).click()
      const twice = gold.locator('.price-row').last()
      await twice.getByLabel('商品编码（SKU）').fill('SOAP-30')
      expect(await twice.locator('.field-error').textContent()).toBe('这个商品编码上面已经填过了。')
      await expectFits(page, PHONE.width)
      await twice.evaluate((el) => el.scrollIntoView({ block: 'center' }))
      await page.screenshot({
        path: `${ARTIFACTS}/console-programme-member-price-refused-360x740.png`,
      })
      expect((await domain.programme.current()).version).toBe(before.version)

      await gold.getByRole('button', { name: '删除 SOAP-30 的会员价' }).first().click()
      await gold.getByRole('button', { name: '删除 SOAP-30 的会员价' }).click()
      expect(await gold.textContent()).toContain('还没有商品设置会员价。')
      await page.getByRole('button', { name: '检查并保存' }).click()
      await expect
        .poll(() => page.getByTestId('summary').textContent())
        .toBe('等级权益 #3 #3: SOAP-30 ¥90.00 → （删除）')
      await page.getByTestId('confirm').click()
      await expect
        .poll(async () => (await domain.programme.current()).version)
        .toBe(before.version + 1)
      const gold2 = (await domain.programme.current()).config.tiers.find((t) => t.code === 'gold')!
      expect(gold2.benefits.some((b) => 'kind' in b && b.kind === 'member_prices')).toBe(false)
      await page.close()
    })

    it('a save made from a version someone else replaced meanwhile is refused, and the page reloads theirs', async () => {
      const page = await open('owner', '周店主', 'zh-CN')
      await goTo(page, 'programme')
      const bonus = page.getByLabel('首单奖励积分')
      await expect.poll(() => bonus.inputValue()).toBe('50')
      const { config } = await domain.programme.current()
      await domain.programme.replace({
        ...config,
        earning: { ...config.earning, firstOrderBonus: 70 },
      })
      await bonus.fill('60')
      await page.getByRole('button', { name: '检查并保存' }).click()
      await page.getByTestId('confirm').click()
      await expect
        .poll(() => page.getByTestId('overtaken').textContent())
        .toBe('会员规则刚被别人修改过。页面已重新载入，请再改一次。')
      await expect.poll(() => bonus.inputValue()).toBe('70')
      expect((await domain.programme.current()).config.earning.firstOrderBonus).toBe(70)
      await page.close()
    })

    it('an owner restores an earlier version after a confirm, as a new version', async () => {
      const before = await domain.programme.current()
      const page = await open('owner', '周店主', 'zh-CN')
      await goTo(page, 'programme')
      await page.locator('[data-version="1"]').getByRole('button', { name: '恢复此版本' }).click()
      expect(await page.getByTestId('question').textContent()).toContain(
        '把第 1 版的规则恢复为当前规则？',
      )
      await page.getByTestId('confirm').click()
      const versions = page.getByTestId('versions')
      await expect.poll(() => versions.textContent()).toContain('restored version 1')
      const now = await domain.programme.current()
      expect(now.version).toBe(before.version + 1)
      expect(now.config).toEqual((await domain.programme.at(1)).config)
      // The editor shows the restored rules.
      await expect.poll(() => page.getByLabel('首单奖励积分').inputValue()).toBe('0')
      await page.close()
    })

    it('a manager turns a reminder off, previews its text in Chinese as typed, and saves; the Programme page is not theirs and the API refuses them', async () => {
      const page = await open('manager', '李店长', 'zh-CN')
      expect(await page.locator('[data-page="programme"]').count()).toBe(0)
      await goTo(page, 'reminders')
      const winBack = page.locator('[data-kind="win_back"]')
      await expect.poll(() => winBack.locator('h2').textContent()).toBe('唤醒久未购买的客户')
      const preview = winBack.getByTestId('reminder-preview')
      await expect
        .poll(() => preview.locator('[data-locale="zh-CN"]').textContent())
        .toContain('王小明，好久不见！')
      expect(await winBack.textContent()).toContain(
        '{name} {programme} {balance} {tier} {days} {offer}',
      )
      await winBack
        .getByLabel('消息文字（简体中文）')
        .fill('{name}，我们想你了！你还有{balance}积分。')
      await expect
        .poll(() => preview.locator('[data-locale="zh-CN"]').textContent())
        .toContain('王小明，我们想你了！你还有1280积分。')
      await winBack.getByLabel('开启').uncheck()
      await winBack.getByLabel('未购买多少天时提醒（逗号分隔）').fill('40, 80')
      await expectFits(page, PHONE.width)
      // The preview in view, above the save bar that stays at the bottom of a phone.
      await preview.evaluate((el) => el.scrollIntoView({ block: 'center' }))
      await page.screenshot({ path: `${ARTIFACTS}/console-reminders-360x740.png` })
      await winBack.getByRole('button', { name: '保存文字' }).click()
      await expect.poll(() => winBack.textContent()).toContain('文字已保存。')
      await page.getByRole('button', { name: '保存提醒设置' }).click()
      await expect
        .poll(() => page.getByTestId('summary').textContent())
        .toContain('唤醒久未购买的客户: 关闭')
      await page.getByTestId('confirm').click()
      await expect
        .poll(async () => (await domain.programme.current()).config.reminders.winBack.enabled)
        .toBe(false)
      const { reminders } = (await domain.programme.current()).config
      expect(reminders.winBack.steps).toEqual([{ days: 40 }, { days: 80 }])
      expect(reminders.templates.win_back?.['zh-CN']).toBe(
        '{name}，我们想你了！你还有{balance}积分。',
      )

      const results = page.getByTestId('reminder-results')
      await expect
        .poll(() => results.locator('tbody tr').first().textContent())
        .toContain('复购提醒（按使用周期）1')
      // The results of the reminders planned in the period picked, in the merchant's days.
      const { timezone } = (await domain.programme.current()).config
      const day = (ago: number) =>
        DateTime.now().setZone(timezone).minus({ days: ago }).toISODate()!
      const stats = page.getByTestId('reminder-stats')
      const shown = (from: number, to: number) =>
        `${day(from).replaceAll('-', '/')} – ${day(to).replaceAll('-', '/')}`
      await expect.poll(() => stats.getByTestId('reminder-period').textContent()).toBe(shown(29, 0))
      await stats.locator('input[name="from"]').fill(day(3))
      await stats.locator('input[name="to"]').fill(day(1))
      await expect.poll(() => stats.getByTestId('reminder-period').textContent()).toBe(shown(3, 1))
      await expect.poll(() => stats.textContent()).toContain('这段时间没有安排或发出的提醒。')
      await stats.locator('input[name="to"]').fill(day(0))
      await expect
        .poll(() => results.locator('tbody tr').first().textContent())
        .toContain('复购提醒（按使用周期）1')
      await stats.scrollIntoViewIfNeeded()
      await expectFits(page, PHONE.width)
      await page.screenshot({ path: `${ARTIFACTS}/console-reminders-results-360x740.png` })

      const refused = await page.evaluate(async () => {
        const response = await fetch('/api/v1/programme/versions/1/restore', {
          method: 'POST',
          headers: { authorization: `Bearer ${sessionStorage.getItem('jifen.session')}` },
        })
        return response.status
      })
      expect(refused).toBe(403)
      await page.close()

      const desktop = await open('manager', 'Li', 'en', DESKTOP)
      await goTo(desktop, 'reminders')
      await expect
        .poll(() => desktop.locator('[data-kind="win_back"] [data-locale="en"]').textContent())
        .toContain('Alex Wang')
      await expectFits(desktop, DESKTOP.width)
      await desktop.screenshot({ path: `${ARTIFACTS}/console-reminders-1280x800.png` })
      await desktop.getByTestId('reminder-results').scrollIntoViewIfNeeded()
      await desktop.screenshot({ path: `${ARTIFACTS}/console-reminders-results-1280x800.png` })
      await desktop.close()
    })
  },
)
