/// <reference lib="dom" />
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

/** A minute ago as a datetime-local field takes it: the browser and the test share a zone. */
function aMinuteAgo(): string {
  const d = new Date(Date.now() - 60_000)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}

describe.skipIf(!runBrowser)(
  `the console's Interactions page in headless Chromium${runBrowser ? '' : ` (skipped: no ${CHROMIUM})`}`,
  () => {
    let pages: PageServer | undefined
    let domain: Domain
    let cake: { id: string }

    beforeAll(async () => {
      pages = await startPageServer()
      ;({ domain } = pages)
      cake = await domain.rewards.create({
        name: { 'zh-CN': '蛋糕', en: 'Cake' },
        kind: 'gift',
        pointsCost: 0,
        stock: 5,
      })
    })
    afterAll(async () => {
      await pages?.close()
    })

    const open = (role: StaffRole, name: string, lang: string, viewport: typeof PHONE) =>
      consoleSignedIn(pages!, role, name, lang, viewport)

    it('a manager with no API key creates and starts a quiz, a lottery with live odds and a survey, reads the leaderboard and the survey, and hands over a prize', async () => {
      const page = await open('manager', 'Mei', 'zh-CN', PHONE)
      await goTo(page, 'interactions')
      const quizzes = page.getByTestId('quizzes')
      await expect.poll(() => quizzes.textContent()).toContain('还没有')

      // A quiz in both languages, the right answer the second choice.
      await page.getByRole('button', { name: '新建问答' }).click()
      await page.getByLabel('标题（简体中文）').fill('茶知识')
      await page.getByLabel('标题（English）').fill('Tea quiz')
      const question = page.locator('[data-question="0"]')
      await question.getByLabel('题目（简体中文）').fill('普洱是哪类茶？')
      await question.getByLabel('题目（English）').fill('What kind of tea is Pu-erh?')
      await question.getByLabel('选项 1（简体中文）').fill('绿茶')
      await question.getByLabel('选项 1（English）').fill('Green')
      await question.getByLabel('选项 2（简体中文）').fill('黑茶')
      await question.getByLabel('选项 2（English）').fill('Dark')
      await question.locator('[data-choice="1"]').getByLabel('正确答案').check()
      await page.getByLabel('积分', { exact: true }).fill('20')
      // Paid under the programme's daily cap, which the form states.
      await expect
        .poll(() => page.getByTestId('daily-cap').textContent())
        .toContain('每天从问答最多获得 50 积分')
      await expectFits(page, PHONE.width)
      await page.screenshot({
        path: `${ARTIFACTS}/console-quiz-editor-360x740.png`,
        fullPage: true,
      })
      await page.getByRole('button', { name: '保存' }).click()

      const row = quizzes.locator('.interaction-row').filter({ hasText: '茶知识' })
      await expect.poll(() => row.getByTestId('status').textContent()).toBe('未开始')
      const [quiz] = await domain.quizzes.list()
      expect(await domain.quizzes.detail(quiz!.id)).toMatchObject({
        title: { 'zh-CN': '茶知识', en: 'Tea quiz' },
        reward: { mode: 'per_correct', points: 20 },
        questions: [
          {
            text: { 'zh-CN': '普洱是哪类茶？', en: 'What kind of tea is Pu-erh?' },
            choices: [
              { 'zh-CN': '绿茶', en: 'Green' },
              { 'zh-CN': '黑茶', en: 'Dark' },
            ],
            answer: 1,
          },
        ],
      })

      // Until it starts it can be changed: the editor opens with its questions and right answer.
      await row.getByRole('button', { name: '编辑' }).click()
      await page.getByRole('heading', { name: '编辑问答' }).waitFor()
      expect(
        await page
          .locator('[data-question="0"] [data-choice="1"]')
          .getByLabel('正确答案')
          .isChecked(),
      ).toBe(true)
      await page.getByLabel('积分', { exact: true }).fill('25')
      await page.getByRole('button', { name: '保存' }).click()
      await expect.poll(async () => (await domain.quizzes.get(quiz!.id)).reward.points).toBe(25)

      // Started now, after asking; a member takes it and tops the leaderboard.
      await row.getByRole('button', { name: '立即开始' }).click()
      expect(await page.getByTestId('question').textContent()).toContain('现在开始「茶知识」')
      await page.getByTestId('confirm').click()
      await expect.poll(() => row.getByTestId('status').textContent()).toBe('进行中')
      expect(await row.getByRole('button', { name: '编辑' }).count()).toBe(0)
      const lin = await domain.members.register({ displayName: '林小雨' })
      await domain.quizzes.begin(lin.id, quiz!.id)
      await domain.quizzes.answer(lin.id, quiz!.id, 0, 1)
      await row.getByRole('button', { name: '结果' }).click()
      const leaderboard = page.getByTestId('leaderboard')
      await expect.poll(() => leaderboard.textContent()).toContain('林小雨')
      expect(await leaderboard.textContent()).toContain('答对 1/1')
      await page.screenshot({ path: `${ARTIFACTS}/console-quiz-results-360x740.png` })
      await page.getByRole('button', { name: '返回' }).click()

      // A lottery whose odds the server computes as the merchant types.
      await page.getByRole('button', { name: '新建抽奖' }).click()
      await page.getByLabel('标题（简体中文）').fill('春季抽奖')
      await page.getByLabel('标题（English）').fill('Spring draw')
      await page.getByLabel('每次抽奖积分（0 为只有免费次数）').fill('0')
      await page.getByLabel('每天免费次数').fill('1')
      await page.getByLabel('开始时间').fill(aMinuteAgo())
      const first = page.locator('[data-prize="0"]')
      await first.getByLabel('奖品名（简体中文）').fill('10 积分')
      await first.getByLabel('奖品名（English）').fill('10 points')
      await expect.poll(() => first.getByTestId('odds').textContent()).toContain('100%')
      await page.getByRole('button', { name: '添加奖品' }).click()
      const second = page.locator('[data-prize="1"]')
      await second.getByLabel('奖品名（简体中文）').fill('蛋糕')
      await second.getByLabel('奖品名（English）').fill('Cake')
      await second.getByLabel('类型').selectOption('reward')
      await second.getByLabel('送出的礼品').selectOption(cake.id)
      await expect.poll(() => second.getByTestId('odds').textContent()).toContain('50%')
      await second.getByLabel('权重').fill('3')
      await expect.poll(() => second.getByTestId('odds').textContent()).toContain('75%')
      expect(await first.getByTestId('odds').textContent()).toContain('25%')
      // None left of the points: by the server's rule it has no chance.
      await first.getByLabel('数量（留空为不限）').fill('0')
      await expect.poll(() => second.getByTestId('odds').textContent()).toContain('100%')
      expect(await first.getByTestId('odds').textContent()).toMatch(/ 0%$/)
      await expectFits(page, PHONE.width)
      await page.screenshot({
        path: `${ARTIFACTS}/console-lottery-editor-360x740.png`,
        fullPage: true,
      })
      await page.getByRole('button', { name: '保存' }).click()
      const lotteries = page.getByTestId('lotteries')
      const lotteryRow = lotteries.locator('.interaction-row').filter({ hasText: '春季抽奖' })
      await expect.poll(() => lotteryRow.getByTestId('status').textContent()).toBe('进行中')
      const [lottery] = await domain.lotteries.list()
      expect(lottery).toMatchObject({
        title: { 'zh-CN': '春季抽奖', en: 'Spring draw' },
        costPoints: 0,
        freeDrawsPerDay: 1,
        prizes: [
          { kind: 'points', points: 10, weight: 1, stock: 0, probability: 0 },
          { kind: 'reward', rewardId: cake.id, weight: 3, stock: null, probability: 1 },
        ],
      })

      // The member wins the cake; the manager hands it over, after asking.
      const draw = await domain.lotteries.draw(lin.id, lottery!.id)
      expect(draw.prize.kind).toBe('reward')
      await lotteryRow.getByRole('button', { name: '中奖名单' }).click()
      const winner = page.locator(`[data-draw="${draw.drawId}"]`)
      await expect.poll(() => winner.textContent()).toContain('林小雨')
      await winner.getByRole('button', { name: '已发放' }).click()
      expect(await page.getByTestId('question').textContent()).toContain('「蛋糕」')
      await page.getByTestId('confirm').click()
      // The button's own words say 已发放 too: wait for the row's note of when.
      await expect.poll(() => winner.getByTestId('fulfilled').count()).toBe(1)
      expect(await winner.getByRole('button', { name: '已发放' }).count()).toBe(0)
      expect((await domain.lotteries.draws(lottery!.id))[0]!.fulfilledAt).not.toBeNull()
      await page.screenshot({ path: `${ARTIFACTS}/console-lottery-winners-360x740.png` })
      await page.getByRole('button', { name: '返回' }).click()

      // A survey in both languages, answered, its results read.
      await page.getByRole('button', { name: '新建调查' }).click()
      await page.getByLabel('标题（简体中文）').fill('到店体验')
      await page.getByLabel('标题（English）').fill('Your visit')
      await page.getByLabel('问题（简体中文）').fill('你对这次到店满意吗？')
      await page.getByLabel('问题（English）').fill('How satisfied are you with your visit?')
      await page.getByLabel('作答奖励积分').fill('5')
      await page.getByRole('button', { name: '保存' }).click()
      const surveys = page.getByTestId('surveys')
      await expect.poll(() => surveys.textContent()).toContain('到店体验')
      expect(await surveys.getByTestId('survey-sent').textContent()).toContain('送达后 24 小时发送')
      const [survey] = await domain.surveys.list()
      expect(survey).toMatchObject({
        title: { 'zh-CN': '到店体验', en: 'Your visit' },
        question: { 'zh-CN': '你对这次到店满意吗？', en: 'How satisfied are you with your visit?' },
        rewardPoints: 5,
      })
      await domain.surveys.respond(lin.id, survey!.id, { score: 6, comment: '店员很热情' })
      const wang = await domain.members.register({ displayName: '王五' })
      await domain.surveys.respond(wang.id, survey!.id, { score: 3 })
      await surveys.getByRole('button', { name: '结果' }).click()
      const distribution = page.getByTestId('distribution')
      await expect.poll(() => distribution.textContent()).toContain('非常满意')
      expect(await distribution.locator('[data-score="6"] .count').textContent()).toBe('1')
      expect(await distribution.locator('[data-score="3"] .count').textContent()).toBe('1')
      expect(await page.getByTestId('comments').textContent()).toContain('店员很热情')
      expect(await page.getByTestId('trend').count()).toBe(1)
      await expectFits(page, PHONE.width)
      await page.screenshot({ path: `${ARTIFACTS}/console-survey-results-360x740.png` })
      await page.getByRole('button', { name: '返回' }).click()

      // One saved as not active can be changed until it is asked; the asked one no longer.
      await page.getByRole('button', { name: '新建调查' }).click()
      await page.getByLabel('标题（简体中文）').fill('会员日')
      await page.getByLabel('问题（简体中文）').fill('你喜欢会员日的活动吗？')
      await page.getByLabel('现在就向会员提问').uncheck()
      await page.getByRole('button', { name: '保存' }).click()
      const draftRow = surveys.locator('.interaction-row').filter({ hasText: '会员日' })
      await expect.poll(() => draftRow.getByTestId('status').textContent()).toBe('未启用')
      const asked = surveys.locator('.interaction-row').filter({ hasText: '到店体验' })
      expect(await asked.getByRole('button', { name: '编辑' }).count()).toBe(0)
      await draftRow.getByRole('button', { name: '编辑' }).click()
      await page.getByRole('heading', { name: '编辑调查' }).waitFor()
      expect(await page.getByLabel('问题（简体中文）').inputValue()).toBe('你喜欢会员日的活动吗？')
      await page.getByLabel('问题（English）').fill('Did you enjoy members’ day?')
      await page.getByLabel('现在就向会员提问').check()
      await expectFits(page, PHONE.width)
      await page.screenshot({
        path: `${ARTIFACTS}/console-survey-editor-360x740.png`,
        fullPage: true,
      })
      await page.getByRole('button', { name: '保存' }).click()
      await expect.poll(() => draftRow.getByTestId('status').textContent()).toBe('进行中')
      expect(await draftRow.getByRole('button', { name: '编辑' }).count()).toBe(0)
      const memberDay = (await domain.surveys.list()).find((s) => s.title['zh-CN'] === '会员日')!
      expect(memberDay).toMatchObject({
        question: { 'zh-CN': '你喜欢会员日的活动吗？', en: 'Did you enjoy members’ day?' },
        active: true,
      })
      await expect.poll(() => lotteries.textContent()).toContain('春季抽奖')
      await expectFits(page, PHONE.width)
      await page.screenshot({
        path: `${ARTIFACTS}/console-interactions-360x740.png`,
        fullPage: true,
      })
      await page.close()

      // The same page on a desktop, in English.
      const draft = await domain.surveys.create({
        title: { 'zh-CN': '新品试吃', en: 'Tasting' },
        question: { 'zh-CN': '新品好吃吗？', en: 'Did you like the new cakes?' },
        active: false,
      })
      const desk = await open('manager', 'Max', 'en', DESKTOP)
      await goTo(desk, 'interactions')
      await expect.poll(() => desk.getByTestId('lotteries').textContent()).toContain('Spring draw')
      await expect.poll(() => desk.getByTestId('quizzes').textContent()).toContain('Tea quiz')
      await expect.poll(() => desk.getByTestId('surveys').textContent()).toContain('Your visit')
      await desk.screenshot({ path: `${ARTIFACTS}/console-interactions-1280x800.png` })
      await desk.getByRole('button', { name: 'New lottery' }).click()
      await desk.locator('[data-prize="0"]').getByLabel('Prize (English)').fill('A pot of tea')
      await expect.poll(() => desk.getByTestId('odds').textContent()).toContain('100%')
      await desk.screenshot({ path: `${ARTIFACTS}/console-lottery-editor-1280x800.png` })
      await desk.getByRole('button', { name: 'Back' }).click()
      await desk
        .getByTestId('surveys')
        .locator('.interaction-row')
        .filter({ hasText: 'Your visit' })
        .getByRole('button', { name: 'Results' })
        .click()
      await expect.poll(() => desk.getByTestId('distribution').textContent()).toContain('Satisfied')
      await desk.screenshot({ path: `${ARTIFACTS}/console-survey-results-1280x800.png` })
      await desk.getByRole('button', { name: 'Back' }).click()

      // Asked by someone else while it was open here: the save is refused, in the reader's words.
      await desk
        .getByTestId('surveys')
        .locator(`[data-survey="${draft.id}"]`)
        .getByRole('button', { name: 'Edit' })
        .click()
      await desk.getByRole('heading', { name: 'Edit survey' }).waitFor()
      await domain.surveys.update(draft.id, { ...draft, active: true })
      await desk.getByLabel('Title (English)').fill('New cakes')
      await desk.getByRole('button', { name: 'Save' }).click()
      await expect
        .poll(() => desk.getByRole('alert').textContent())
        .toBe('This has started already and can no longer be changed.')
      await desk.screenshot({ path: `${ARTIFACTS}/console-survey-editor-1280x800.png` })
      expect((await domain.surveys.get(draft.id)).title.en).toBe('Tasting')
      await desk.close()
    })

    it('a clerk, who may not create interactions, is not shown the page', async () => {
      const clerk = await open('staff', 'Chen', 'en', DESKTOP)
      await clerk.locator('[data-page="counter"]').waitFor({ state: 'attached' })
      expect(await clerk.locator('[data-page="interactions"]').count()).toBe(0)
      await clerk.close()
    })
  },
)
