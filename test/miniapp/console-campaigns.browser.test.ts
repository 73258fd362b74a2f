/// <reference lib="dom" />
import pino from 'pino'
import type { Page } from 'playwright-core'
import { Telegraf } from 'telegraf'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TelegramSender } from '../../src/bots/telegram/sender.ts'
import type { Domain } from '../../src/domain/index.ts'
import { startOutboxWorker } from '../../src/jobs/outbox-worker.ts'
import { programmeWith } from '../helpers/domain.ts'
import { FakeBotApi } from '../helpers/fake-telegram.ts'
import { picture } from '../helpers/png.ts'
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

/** The campaign's picture: a real PNG, as a phone saves it. */
const TEA = picture('png', '#27ae60', 160)
const PHONE = { width: 360, height: 740 }
const DESKTOP = { width: 1280, height: 800 }
const TOKEN = '123456:TEST-token-for-the-fake-bot-api'
/** Long enough for the page's debounced preview and its two-second refresh of the list. */
const SLOW = { timeout: 15_000 }

/** An instant as a datetime-local field takes it, to the second, in the browser's time zone. */
function localSeconds(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`
}

describe.skipIf(!runBrowser)(
  `the console's Campaigns page in headless Chromium${runBrowser ? '' : ` (skipped: no ${CHROMIUM})`}`,
  () => {
    let pages: PageServer | undefined
    let domain: Domain
    let api: FakeBotApi
    const tagged: { id: string; chat: string; locale: string }[] = []

    beforeAll(async () => {
      pages = await startPageServer()
      ;({ domain } = pages)
      api = await new FakeBotApi().start()
      // Sending is at whatever hour the test runs: no quiet hours to wait through.
      await domain.programme.replace(programmeWith({ quietHours: null }))
      for (let i = 0; i < 12; i++) {
        const chat = String(7_700_000 + i)
        const locale = i % 2 ? 'en' : 'zh-CN'
        const member = await domain.members.register({
          displayName: `茶客${i}`,
          telegramId: chat,
          marketingConsent: true,
          locale,
        })
        if (i < 10) {
          await domain.tags.add(member.id, ['茶友'])
          tagged.push({ id: member.id, chat, locale })
        }
      }
      await domain.segments.recompute()
    })
    afterAll(async () => {
      await pages?.close()
      await api?.close()
    })

    let meiChat = ''
    async function manager(name: string, lang: string, viewport: typeof PHONE): Promise<Page> {
      const member = await staffMember(domain, 'manager', name)
      if (name === 'Mei') meiChat = String(member.telegramId)
      const { code } = await domain.staffSessions.createLink(member.id)
      const page = await openConsole(pages!, `code=${code}&lang=${lang}`, viewport)
      await goTo(page, 'campaigns')
      return page
    }

    it('a manager composes a scheduled campaign to a tag with a holdout, watching the audience, and previews it in her own chat; it sends through the Bot API after a pause and resume, and its progress and results are on the page', async () => {
      const phone = await manager('Mei', 'zh-CN', PHONE)
      await phone.getByRole('button', { name: '新建群发' }).click()
      const size = phone.getByTestId('audience-size')
      await expect.poll(() => size.textContent(), SLOW).toBe('约 12 位会员')
      await phone.getByLabel('标签（逗号分隔，带任一标签即可）').fill('茶友')
      await expect.poll(() => size.textContent(), SLOW).toBe('约 10 位会员')
      // The sample names five of the tagged members (茶客0–9), never the two untagged.
      const sample = await phone.getByTestId('audience').textContent()
      expect(sample!.match(/茶客\d+/g)).toHaveLength(5)
      expect(sample).not.toMatch(/茶客1[01]/)
      // A condition nobody meets shows at once that it reaches no one.
      await phone.getByLabel('流失风险').check()
      await expect.poll(() => size.textContent(), SLOW).toBe('约 0 位会员')
      await phone.getByLabel('流失风险').uncheck()
      await expect.poll(() => size.textContent(), SLOW).toBe('约 10 位会员')

      await phone.getByLabel('活动名称（只有商家看得到）').fill('新茶上市')
      await phone.getByLabel('消息正文（简体中文）').fill('春茶到店，凭此消息第二杯半价。')
      await phone
        .getByLabel('消息正文（English）')
        .fill('Spring tea is in: a second cup at half price.')
      // The picture goes up when chosen and shows in the form; a file that is no picture is refused.
      const chooser = phone.getByLabel('图片（可不加；PNG、JPEG 或 WebP，不超过 1 MB）')
      await chooser.setInputFiles({
        name: 'menu.png',
        mimeType: 'image/png',
        buffer: Buffer.from('not a picture'),
      })
      await expect
        .poll(() => phone.getByRole('alert').textContent(), SLOW)
        .toBe('图片只能是 PNG、JPEG 或 WebP 格式。')
      await chooser.setInputFiles({ name: 'tea.png', mimeType: 'image/png', buffer: TEA })
      const shown = phone.getByTestId('picture')
      await shown.waitFor()
      expect(await shown.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(160)
      await phone.getByRole('button', { name: '添加链接按钮' }).click()
      await phone.getByLabel('按钮 1 的文字（简体中文）').fill('看看新茶')
      await phone.getByLabel('按钮 1 的文字（English）').fill('See the new teas')
      const link = phone.getByLabel('按钮 1 的链接（以 https:// 开头）')
      await link.fill('http://tea.example/spring')
      await phone.getByRole('button', { name: '发给我预览' }).click()
      // The server's refusal names the field in the form's own words.
      await expect
        .poll(() => phone.getByRole('alert').textContent(), SLOW)
        .toBe('「按钮 1 的链接（以 https:// 开头）」填写得不对，请检查。')
      await link.fill('https://tea.example/spring')
      await phone.getByRole('button', { name: '发给我预览' }).click()
      await expect
        .poll(() => phone.getByTestId('previewed').textContent(), SLOW)
        .toContain('预览已发到你自己的聊天窗口')
      await phone.getByLabel('对照组比例（%，不发送，用来衡量效果）').fill('20')
      await phone.getByLabel('活动成本（元，可留空；用于计算投入产出比）').fill('50')
      await phone.getByLabel('定时发送').check()
      const sendAt = new Date(Date.now() + 4_000)
      await phone.getByLabel('发送时间', { exact: true }).fill(localSeconds(sendAt))
      await expectFits(phone, PHONE.width)
      await phone.screenshot({
        path: `${ARTIFACTS}/console-campaigns-compose-360x740.png`,
        fullPage: true,
      })
      await phone.getByRole('button', { name: '检查并创建' }).click()
      const question = await phone.getByTestId('question').textContent()
      expect(question).toContain(
        '创建群发「新茶上市」？约 10 位会员符合条件，其中约 2 位作为对照组不发送',
      )
      expect(question).toContain('将于')
      expect(question).toContain('成本 ¥50.00')
      await phone.getByTestId('confirm').click()

      const row = phone.locator('.campaign-row').filter({ hasText: '新茶上市' })
      await expect.poll(() => row.getByTestId('status').textContent(), SLOW).toBe('待发送')
      const [campaign] = await domain.campaigns.list()
      expect(campaign).toMatchObject({
        name: '新茶上市',
        segment: { tags: ['茶友'], optedIn: true },
        holdoutPercent: 20,
        sendAt: new Date(Math.floor(sendAt.getTime() / 1000) * 1000).toISOString(),
        stats: { cost: 5_000 },
      })

      // The scheduler's turn once the time has come: the campaign starts, nothing is sent yet.
      await expect.poll(() => domain.campaigns.dispatchDue(), SLOW).toBe(1)
      const desk = await manager('Max', 'en', DESKTOP)
      const deskRow = desk.locator('.campaign-row').filter({ hasText: '新茶上市' })
      await expect.poll(() => deskRow.getByTestId('status').textContent(), SLOW).toBe('Sending')
      expect(await deskRow.getByTestId('progress').textContent()).toBe('0 of 8 done')
      await deskRow.getByRole('button', { name: 'Pause' }).click()
      expect(await desk.getByTestId('question').textContent()).toContain('Pause "新茶上市"?')
      await desk.getByTestId('confirm').click()
      await expect.poll(() => deskRow.getByTestId('status').textContent(), SLOW).toBe('Paused')

      const telegram = new TelegramSender(
        new Telegraf(TOKEN, { telegram: { apiRoot: api.url } }).telegram,
        { perSecond: 1_000, perChatMs: 0 },
      )
      const members = new Set(tagged.map((m) => m.chat))
      const toChats = (chats: (chat: string) => boolean) =>
        api.calls.filter((c) => c.method === 'sendPhoto' && chats(String(c.payload.chat_id)))
      const labels = (call: (typeof api.calls)[number]) =>
        (
          JSON.parse(call.payload.reply_markup as string) as {
            inline_keyboard: { text: string; url: string }[][]
          }
        ).inline_keyboard.map((row) => `${row[0]!.text} ${row[0]!.url}`)
      const sends = () => toChats((chat) => members.has(chat))
      const worker = startOutboxWorker({
        domain,
        logger: pino({ level: 'silent' }),
        senders: { telegram },
        idleMs: 10,
      })
      try {
        // The preview reaches the manager's own chat; paused, the campaign's messages wait.
        await expect
          .poll(() => toChats((chat) => chat === meiChat).map((c) => c.payload.caption), SLOW)
          .toEqual(['春茶到店，凭此消息第二杯半价。'])
        const [previewed] = toChats((chat) => chat === meiChat)
        expect((previewed!.payload.photo as { content: Buffer }).content.equals(TEA)).toBe(true)
        expect(labels(previewed!)).toEqual(['看看新茶 https://tea.example/spring'])
        await new Promise((resolve) => setTimeout(resolve, 300))
        expect(sends()).toHaveLength(0)
        await deskRow.getByRole('button', { name: 'Resume' }).click()
        await desk.getByTestId('confirm').click()
        await expect.poll(() => sends().length, SLOW).toBe(8)
        // The worker marks the campaign completed once its outbox is empty.
        await expect
          .poll(async () => (await domain.campaigns.get(campaign!.id)).status, SLOW)
          .toBe('completed')
      } finally {
        await worker.stop()
      }
      // Eight of the ten tagged, once each, every one in their own language.
      const byChat = new Map(tagged.map((m) => [m.chat, m]))
      const messaged = sends().map((c) => String(c.payload.chat_id))
      expect(new Set(messaged).size).toBe(8)
      for (const call of sends()) {
        const english = byChat.get(String(call.payload.chat_id))!.locale === 'en'
        expect(call.payload.caption).toBe(
          english
            ? 'Spring tea is in: a second cup at half price.'
            : '春茶到店，凭此消息第二杯半价。',
        )
        expect(labels(call)).toEqual([
          `${english ? 'See the new teas' : '看看新茶'} https://tea.example/spring`,
        ])
        expect((call.payload.photo as { content: Buffer }).content.equals(TEA)).toBe(true)
      }

      // One messaged member buys: the order and its sales are the campaign's.
      const buyer = tagged.find((m) => m.chat === messaged[0])!
      await domain.orders.ingest({ id: 'o-tea-1', member: { id: buyer.id }, amount: 12_000 })
      await desk.reload()
      await goTo(desk, 'campaigns')
      await expect.poll(() => deskRow.getByTestId('status').textContent(), SLOW).toBe('Completed')
      expect(await deskRow.getByTestId('progress').textContent()).toBe('8 of 8 done')
      await deskRow.getByRole('button', { name: 'Results' }).click()
      const results = deskRow.getByTestId('results')
      await expect.poll(() => results.textContent(), SLOW).toContain('Orders attributed1')
      const text = await results.textContent()
      for (const figure of [
        'Targeted8',
        'Sent8',
        'Failed0',
        'Blocked0',
        'Sales attributed¥120.00',
        'Cost¥50.00',
        'ROI240%',
        'Held out2',
      ])
        expect(text).toContain(figure)
      expect(await results.getByTestId('uplift').textContent()).toMatch(
        /^Conversion uplift over the holdout: \+12\.5 points \(95% interval -?\d+\.\d to \+?\d+\.\d\) Too few members yet to tell\.$/,
      )
      await desk.screenshot({ path: `${ARTIFACTS}/console-campaigns-results-1280x800.png` })
      // The composer on a desk, with a picture and a button, as an English manager reads it.
      await desk.getByRole('button', { name: 'New campaign' }).click()
      await desk
        .getByLabel('Picture (optional; PNG, JPEG or WebP, up to 1 MB)')
        .setInputFiles({ name: 'tea.png', mimeType: 'image/png', buffer: TEA })
      await desk.getByTestId('picture').waitFor()
      await desk.getByRole('button', { name: 'Add a link button' }).click()
      await desk.getByLabel('Button 1 label (English)').fill('See the new teas')
      await desk.getByLabel('Button 1 address (starting https://)').fill('https://tea.example/')
      await expectFits(desk, DESKTOP.width)
      await desk.getByTestId('picture').evaluate((img) => {
        img.scrollIntoView({ block: 'start' })
        window.scrollBy(0, -200)
      })
      await desk.screenshot({ path: `${ARTIFACTS}/console-campaigns-compose-1280x800.png` })
      await desk.close()

      // A reload opens in the browser's language (the link's lang is gone with its hash).
      await phone.reload()
      await phone.getByRole('button', { name: '简体中文' }).click()
      await goTo(phone, 'campaigns')
      await expect.poll(() => row.getByTestId('status').textContent(), SLOW).toBe('已完成')
      await row.getByRole('button', { name: '效果' }).click()
      await expect.poll(() => row.getByTestId('results').textContent(), SLOW).toContain('归因订单1')
      await expectFits(phone, PHONE.width)
      await phone.screenshot({
        path: `${ARTIFACTS}/console-campaigns-results-360x740.png`,
        fullPage: true,
      })
      await phone.close()
    })

    it('a clerk is not offered the page and is refused by the API', async () => {
      const clerk = await staffMember(domain, 'staff', 'Chen')
      const { code } = await domain.staffSessions.createLink(clerk.id)
      const page = await openConsole(pages!, `code=${code}&lang=en`, DESKTOP)
      await page.getByTestId('signed-in').waitFor()
      expect(await page.locator('[data-page="campaigns"]').count()).toBe(0)
      const status = await page.evaluate(async () => {
        const response = await fetch('/api/v1/campaigns', {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${sessionStorage.getItem('jifen.session')}`,
          },
          body: JSON.stringify({ name: 'x', message: { text: 'x' } }),
        })
        return response.status
      })
      expect(status).toBe(403)
      await page.close()
    })
  },
)
