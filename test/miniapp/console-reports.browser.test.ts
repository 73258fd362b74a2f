/// <reference lib="dom" />
import { readFile } from 'node:fs/promises'
import type { Download } from 'playwright-core'
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

/** Line 3 names nobody the import could find again: the dry run refuses it by its line. */
const MEMBERS_CSV = [
  '姓名,手机号,会员编号,标签',
  '赵一,13900000001,C-001,老客',
  '无名氏,,,',
  'Qian Er,13900000002,C-002,',
].join('\n')

describe.skipIf(!runBrowser)(
  `the console's Reports and Data pages in headless Chromium${runBrowser ? '' : ` (skipped: no ${CHROMIUM})`}`,
  () => {
    let pages: PageServer | undefined
    let domain: Domain
    let merchantZone: string
    /** The merchant's day `ago` days back: the calendar reports count in, wherever the reader is. */
    const day = (ago: number) =>
      DateTime.now().setZone(merchantZone).minus({ days: ago }).toISODate()!
    /**
     * A browser time zone whose date differs from the merchant's at this moment, so that a page
     * counting days in the browser's calendar asks for the wrong period whenever the test runs.
     */
    const elsewhere = () =>
      DateTime.now().setZone(merchantZone).hour < 18 ? 'Pacific/Pago_Pago' : 'Pacific/Kiritimati'

    beforeAll(async () => {
      pages = await startPageServer()
      ;({ domain } = pages)
      merchantZone = (await domain.programme.current()).config.timezone
      const member = await domain.members.register({ displayName: '陈小红' })
      await domain.orders.ingest({ id: 'o-1', member: { id: member.id }, amount: 12_800 })
      await domain.segments.recompute()
      // Three earlier days' snapshots, as the daily recompute would have left them, so that the
      // movement is a line; days of the merchant's calendar, which the page's period is in.
      await pages.store.db
        .insertInto('segmentSnapshots')
        .values(
          [3, 2, 1]
            .flatMap((ago) => [
              { day: day(ago), dimension: 'lifecycle', class: 'new', members: 4 - ago },
              { day: day(ago), dimension: 'lifecycle', class: 'first_time', members: ago },
              { day: day(ago), dimension: 'value', class: 'high', members: 1 },
            ])
            .map((row) => ({ ...row, computedAt: new Date().toISOString() })),
        )
        .onConflict((oc) => oc.doNothing())
        .execute()
    })
    afterAll(async () => {
      await pages?.close()
    })

    const open = (role: StaffRole, name: string, lang: string, viewport = PHONE, zone?: string) =>
      consoleSignedIn(pages!, role, name, lang, viewport, zone)

    const saved = async (download: Download) => readFile(await download.path(), 'utf8')

    it('an owner checks a member CSV, reads the refused line, imports it with its progress and downloads an export', async () => {
      const page = await open('owner', '王店主', 'zh-CN')
      await goTo(page, 'data')
      await page.locator('input[name="file"]').setInputFiles({
        name: 'members.csv',
        mimeType: 'application/vnd.ms-excel',
        buffer: Buffer.from(MEMBERS_CSV),
      })
      await page.getByRole('button', { name: '先检查文件（不写入）' }).click()
      const dryRun = page.getByTestId('dry-run')
      await expect.poll(() => dryRun.textContent()).toContain('共 3 行：将新建 2 位会员')
      const refused = page.getByTestId('refused-rows').locator('tbody tr')
      expect(await refused.count()).toBe(1)
      expect(await refused.getAttribute('data-line')).toBe('3')
      expect(await refused.textContent()).toContain('缺少可识别会员的列')
      // The dry run wrote nothing.
      expect(await domain.members.search({ name: '赵一' })).toEqual([])
      await page.screenshot({ path: `${ARTIFACTS}/console-data-360x740.png`, fullPage: true })

      await page.getByTestId('start-import').click()
      const progress = page.getByTestId('import-progress')
      await expect.poll(() => progress.getAttribute('data-status')).toBe('done')
      expect(await page.getByTestId('import-status').textContent()).toBe('已完成')
      expect(await page.getByTestId('import-result').textContent()).toBe(
        '新建 2，更新 0，不变 0，未导入 1',
      )
      expect(await domain.members.search({ name: '赵一' })).toHaveLength(1)
      await expectFits(page, PHONE.width)
      await page.setViewportSize(DESKTOP)
      await page.screenshot({ path: `${ARTIFACTS}/console-data-1280x800.png`, fullPage: true })
      await page.setViewportSize(PHONE)

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('[data-export="members"]').click(),
      ])
      expect(download.suggestedFilename()).toMatch(/^members-\d{4}-\d{2}-\d{2}\.csv$/)
      const csv = await saved(download)
      expect(csv).toContain('赵一')
      expect(csv).toContain('Qian Er')
      await page.close()
    })

    it("a manager reads the reports of a period in the merchant's calendar from a browser on another date, with their charts, and downloads one as CSV; the Data page is not theirs", async () => {
      const page = await open('manager', '李店长', 'zh-CN', PHONE, elsewhere())
      const browserDay = await page.evaluate(() => new Date().toLocaleDateString('sv'))
      expect(browserDay).not.toBe(day(0))
      expect(await page.locator('[data-page="data"]').count()).toBe(0)
      await goTo(page, 'reports')
      const programme = page.getByTestId('report-programme')
      await expect.poll(() => programme.textContent()).toContain('会员消费¥128.00')
      const weekly = page.getByTestId('report-weekly')
      await expect
        .poll(() => weekly.locator('[data-testid="chart-sales"] rect').count())
        .toBeGreaterThan(0)
      const segments = page.getByTestId('report-segments')
      const lifecycle = segments.getByTestId('chart-segments-lifecycle')
      await expect
        .poll(() => lifecycle.locator('[data-series="new"] circle').count())
        .toBeGreaterThanOrEqual(3)
      expect(await lifecycle.textContent()).toContain('新会员')
      expect(await segments.locator('tbody').textContent()).toContain('生命周期 · 新会员')
      expect(await page.getByTestId('report-campaigns').textContent()).toContain(
        '营销活动与提醒效果',
      )

      // A period picked end first: the start moves with it rather than the server refusing it.
      const period = page.getByTestId('report-period')
      const shown = (ago: number) => day(ago).replaceAll('-', '/')
      await page.fill('input[name="from"]', day(2))
      await expect.poll(() => period.textContent()).toBe(`${shown(2)} – ${shown(0)}`)
      await page.fill('input[name="to"]', day(3))
      await expect.poll(() => period.textContent()).toBe(`${shown(3)} – ${shown(3)}`)
      await page.fill('input[name="from"]', day(3))
      await page.fill('input[name="to"]', day(0))
      await expect.poll(() => period.textContent()).toBe(`${shown(3)} – ${shown(0)}`)

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('[data-csv="report-segments"]').click(),
      ])
      expect(download.suggestedFilename()).toMatch(
        /^segments-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/,
      )
      const csv = await saved(download)
      expect(csv.replace(/^\uFEFF/, '')).toMatch(/^day,dimension,class,members\r?\n/)
      expect(csv).toContain('lifecycle,first_time,3')
      await expectFits(page, PHONE.width)
      await page.screenshot({ path: `${ARTIFACTS}/console-reports-360x740.png`, fullPage: true })
      await page.close()

      const wide = await open('manager', 'Manager Li', 'en', DESKTOP)
      await goTo(wide, 'reports')
      await expect
        .poll(() => wide.getByTestId('report-segments').textContent())
        .toContain('Lifecycle · New')
      await wide.screenshot({ path: `${ARTIFACTS}/console-reports-1280x800.png`, fullPage: true })
      await wide.close()
    })
  },
)
