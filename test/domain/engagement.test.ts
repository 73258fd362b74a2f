import { randomInt } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { pickPrize } from '../../src/domain/interactions/lottery.ts'
import { localizeStep } from '../../src/domain/interactions/quizzes.service.ts'
import { describeOnDatabases, programmeWith } from '../helpers/domain.ts'
import { expectLedgerConsistent } from '../helpers/invariants.ts'

const questions = [
  { text: 'Which tea is fermented?', choices: ['Green', 'Pu-erh', 'White'], answer: 1 },
  { text: 'Best water for oolong?', choices: ['95°C', '60°C'], answer: 0 },
  { text: 'Our shop opened in?', choices: ['2001', '2011', '2021', '1991'], answer: 2 },
]

describe('lottery draws are fair', () => {
  /** Pearson's chi-square statistic of observed counts against expected probabilities. */
  function chiSquare(observed: number[], probabilities: number[], n: number): number {
    return observed.reduce(
      (sum, o, i) => sum + (o - n * probabilities[i]!) ** 2 / (n * probabilities[i]!),
      0,
    )
  }

  it('the frequencies of 100,000 simulated draws match the weights (chi-square, 3 degrees of freedom)', () => {
    const prizes = [
      { id: 'a', weight: 50, stock: null },
      { id: 'b', weight: 30, stock: null },
      { id: 'c', weight: 15, stock: null },
      { id: 'd', weight: 5, stock: null },
    ]
    const n = 100_000
    const counts = new Map(prizes.map((p) => [p.id, 0]))
    for (let i = 0; i < n; i++) {
      const won = pickPrize(prizes, randomInt(100))
      counts.set(won.id, counts.get(won.id)! + 1)
    }
    const observed = prizes.map((p) => counts.get(p.id)!)
    // 21.11 is the 0.9999 quantile for 3 degrees of freedom: a fair draw fails 1 run in 10,000.
    expect(chiSquare(observed, [0.5, 0.3, 0.15, 0.05], n)).toBeLessThan(21.11)
    // ...and the test can tell: the same counts are far from a wrong set of odds.
    expect(chiSquare(observed, [0.45, 0.35, 0.15, 0.05], n)).toBeGreaterThan(21.11)
  })

  it('every roll lands on exactly one prize, in proportion to its weight', () => {
    const prizes = [
      { id: 'a', weight: 2, stock: null },
      { id: 'b', weight: 1, stock: null },
    ]
    expect([0, 1, 2].map((roll) => pickPrize(prizes, roll).id)).toEqual(['a', 'a', 'b'])
    expect(() => pickPrize(prizes, 3)).toThrow(RangeError)
  })
})

describeOnDatabases('quizzes, lotteries and surveys', (get) => {
  const hour = 3_600_000
  const window = () => ({
    opensAt: new Date(get().clock.now().getTime() - hour).toISOString(),
    closesAt: new Date(get().clock.now().getTime() + 24 * hour).toISOString(),
  })
  let n = 0
  const member = () => get().domain.members.register({ displayName: `Player ${++n}` })

  it('a quiz is taken question by question to the end, paid once, and a second attempt is refused', async () => {
    await get().domain.programme.replace(
      programmeWith({ interactions: { checkin: { points: 5 }, dailyCaps: { quiz: 50 } } }),
    )
    const quiz = await get().domain.quizzes.create({
      title: 'Tea quiz',
      questions,
      reward: { mode: 'per_correct', points: 10 },
      ...window(),
    })
    const m = await member()
    const first = localizeStep(await get().domain.quizzes.begin(m.id, quiz.id), 'en')
    expect(first).toMatchObject({
      index: 0,
      total: 3,
      question: { text: 'Which tea is fermented?', choices: ['Green', 'Pu-erh', 'White'] },
    })
    expect(first.question).not.toHaveProperty('answer')
    expect(await get().domain.quizzes.answer(m.id, quiz.id, 0, 1)).toMatchObject({
      wasCorrect: true,
      index: 1,
    })
    // a double tap on the same question changes nothing
    expect(await get().domain.quizzes.answer(m.id, quiz.id, 0, 0)).toMatchObject({ index: 1 })
    expect(await get().domain.quizzes.answer(m.id, quiz.id, 1, 1)).toMatchObject({
      wasCorrect: false,
      rightChoice: { 'zh-CN': '95°C', en: '95°C' },
    })
    const done = await get().domain.quizzes.answer(m.id, quiz.id, 2, 2)
    expect(done.result).toEqual({ correct: 2, total: 3, pointsAwarded: 20, capped: false })
    await expect(get().domain.quizzes.begin(m.id, quiz.id)).rejects.toMatchObject({
      code: 'already_done',
    })
    expect((await get().domain.members.view(m.id)).points.balance).toBe(20)
    expect(await get().domain.quizzes.openFor(m.id)).toEqual([])
  })

  it('a pass-threshold quiz pays only on passing; the leaderboard ranks by score, then speed', async () => {
    const quiz = await get().domain.quizzes.create({
      title: 'Pass',
      questions,
      reward: { mode: 'pass', threshold: 3, points: 30 },
      ...window(),
    })
    const [a, b] = [await member(), await member()]
    for (const [m, picks] of [
      [a, [1, 0, 2]],
      [b, [1, 1, 2]],
    ] as const) {
      await get().domain.quizzes.begin(m.id, quiz.id)
      for (const [i, pick] of picks.entries())
        await get().domain.quizzes.answer(m.id, quiz.id, i, pick)
    }
    expect((await get().domain.members.view(a.id)).points.balance).toBe(30)
    expect((await get().domain.members.view(b.id)).points.balance).toBe(0)
    const results = await get().domain.quizzes.results(quiz.id)
    expect(results).toMatchObject({
      started: 2,
      completed: 2,
      averageCorrect: 2.5,
      pointsAwarded: 30,
    })
    expect(results.leaderboard.map((r) => [r.memberId, r.correct])).toEqual([
      [a.id, 3],
      [b.id, 2],
    ])
  })

  it('answers after the window closes are refused with a clear error, and the attempt survives until then', async () => {
    const quiz = await get().domain.quizzes.create({
      title: 'Short',
      questions,
      reward: { mode: 'per_correct', points: 1 },
      ...window(),
    })
    const m = await member()
    await get().domain.quizzes.begin(m.id, quiz.id)
    await get().domain.quizzes.answer(m.id, quiz.id, 0, 1)
    expect(await get().domain.quizzes.begin(m.id, quiz.id)).toMatchObject({ index: 1 })
    get().clock.advance(25 * hour)
    await expect(get().domain.quizzes.answer(m.id, quiz.id, 1, 0)).rejects.toMatchObject({
      code: 'closed',
    })
    get().clock.set('2025-01-10T04:00:00Z')
  })

  it('1,000 concurrent draws against a prize with stock 10 award exactly 10', async () => {
    const lottery = await get().domain.lotteries.create({
      title: 'Spring draw',
      costPoints: 0,
      freeDrawsPerDay: 100,
      ...window(),
      prizes: [
        { name: 'Tea set', kind: 'points', points: 500, weight: 40, stock: 10 },
        { name: 'Thanks!', kind: 'nothing', weight: 60 },
      ],
    })
    const players = await Promise.all(Array.from({ length: 50 }, () => member()))
    const results = await Promise.allSettled(
      Array.from({ length: 1_000 }, (_, i) =>
        get().domain.lotteries.draw(players[i % 50]!.id, lottery.id),
      ),
    )
    expect(results.filter((r) => r.status === 'rejected')).toEqual([])
    const wins = results.filter(
      (r) => r.status === 'fulfilled' && r.value.prize.name.en === 'Tea set',
    )
    expect(wins).toHaveLength(10)
    const after = await get().domain.lotteries.get(lottery.id)
    expect(after.prizes[0]).toMatchObject({ stock: 0, won: 10, probability: 0 })
    expect(after.prizes[1]).toMatchObject({ won: 990, probability: 1 })
    expect(await get().domain.lotteries.draws(lottery.id, { winnersOnly: true })).toHaveLength(10)
    await expectLedgerConsistent(get().store.db)
  })

  const rewardPrizeLottery = async (title: string, reward: { stock: number; limit: number }) => {
    const voucher = await get().domain.rewards.create({
      name: `${title} voucher`,
      kind: 'gift',
      pointsCost: 0,
      stock: reward.stock,
      perMemberLimit: reward.limit,
    })
    const lottery = await get().domain.lotteries.create({
      title,
      costPoints: 0,
      freeDrawsPerDay: 20,
      ...window(),
      prizes: [
        { name: 'Voucher', kind: 'reward', rewardId: voucher.id, weight: 1_000 },
        { name: 'Thanks!', kind: 'nothing', weight: 1 },
      ],
    })
    const units = async () =>
      get()
        .store.db.selectFrom('redemptions')
        .select('memberId')
        .where('rewardId', '=', voucher.id)
        .execute()
    return { voucher, lottery, units }
  }

  it('12 parallel draws give a prize’s reward only as far as its stock and per-member limit allow', async () => {
    const limited = await rewardPrizeLottery('Limit draw', { stock: 5, limit: 1 })
    const one = await member()
    const alone = await Promise.all(
      Array.from({ length: 12 }, () => get().domain.lotteries.draw(one.id, limited.lottery.id)),
    )
    expect(alone.filter((d) => d.prize.name.en === 'Voucher')).toHaveLength(1)
    expect(await limited.units()).toEqual([{ memberId: one.id }])
    expect((await get().domain.rewards.get(limited.voucher.id)).stock).toBe(4)

    const scarce = await rewardPrizeLottery('Stock draw', { stock: 1, limit: 1 })
    const players = await Promise.all(Array.from({ length: 3 }, () => member()))
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        get().domain.lotteries.draw(players[i % 3]!.id, scarce.lottery.id),
      ),
    )
    expect(results.filter((d) => d.prize.name.en === 'Voucher')).toHaveLength(1)
    expect(await scarce.units()).toHaveLength(1)
    expect(await get().domain.rewards.get(scarce.voucher.id)).toMatchObject({ stock: 0, issued: 1 })
    await expectLedgerConsistent(get().store.db)
  })

  it('redemptions and draws racing for a reward’s last unit give it exactly once', async () => {
    const { voucher, lottery, units } = await rewardPrizeLottery('Race draw', {
      stock: 1,
      limit: 1,
    })
    const players = await Promise.all(Array.from({ length: 12 }, () => member()))
    const results = await Promise.allSettled(
      players.map((p, i) =>
        i % 2 === 0
          ? get().domain.rewards.redeem(p.id, voucher.id)
          : get().domain.lotteries.draw(p.id, lottery.id),
      ),
    )
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []))
    expect(refused.every((e) => e.code === 'out_of_stock')).toBe(true)
    expect(await units()).toHaveLength(1)
    expect(await get().domain.rewards.get(voucher.id)).toMatchObject({ stock: 0, issued: 1 })
  })

  it('a lottery with nothing left to give is shown as such and a draw on it is refused in its own words', async () => {
    const voucher = await get().domain.rewards.create({
      name: 'Cake voucher',
      kind: 'gift',
      pointsCost: 0,
      stock: 2,
      perMemberLimit: 1,
    })
    const lottery = await get().domain.lotteries.create({
      title: 'Cake draw',
      costPoints: 10,
      freeDrawsPerDay: 0,
      ...window(),
      prizes: [{ name: 'Cake', kind: 'reward', rewardId: voucher.id, weight: 1 }],
    })
    const [first, second, third] = await Promise.all([member(), member(), member()])
    for (const m of [first, second, third])
      await get().domain.adjust(m.id, { points: 50, reason: 'test' }, 'test')
    const shown = async (memberId?: string) =>
      (await get().domain.lotteries.list({ openOnly: true, memberId })).find(
        (l) => l.id === lottery.id,
      )!
    await get().domain.lotteries.draw(first.id, lottery.id)
    expect(await shown(first.id)).toMatchObject({ exhausted: true, prizes: [{ probability: 0 }] })
    expect(await shown(second.id)).toMatchObject({ exhausted: false, prizes: [{ probability: 1 }] })
    await expect(get().domain.lotteries.draw(first.id, lottery.id)).rejects.toMatchObject({
      code: 'lottery_exhausted',
      details: { title: 'Cake draw' },
    })
    await get().domain.lotteries.draw(second.id, lottery.id)
    expect(await shown()).toMatchObject({ exhausted: true })
    expect(await get().domain.lotteries.get(lottery.id)).toMatchObject({ exhausted: true })
    await expect(get().domain.lotteries.draw(third.id, lottery.id)).rejects.toMatchObject({
      code: 'lottery_exhausted',
    })
    expect((await get().domain.members.view(third.id)).points.balance).toBe(50)
    expect((await get().domain.members.view(first.id)).points.balance).toBe(40)
    expect(await get().domain.lotteries.draws(lottery.id)).toHaveLength(2)
  })

  it('draws are free first, then use a lottery chance, then cost points; limits and the window hold', async () => {
    const voucher = await get().domain.rewards.create({
      name: 'Cake voucher',
      kind: 'gift',
      pointsCost: 0,
    })
    const lottery = await get().domain.lotteries.create({
      title: 'Daily draw',
      costPoints: 20,
      freeDrawsPerDay: 1,
      maxDrawsPerMember: 4,
      ...window(),
      prizes: [{ name: 'Cake', kind: 'reward', rewardId: voucher.id, weight: 1 }],
    })
    expect(lottery.prizes[0]!.probability).toBe(1)
    const m = await member()
    await get().domain.adjust(m.id, { points: 30, reason: 'test' }, 'test')
    const chance = await get().domain.rewards.create({
      name: 'Extra draw',
      kind: 'lottery_chance',
      pointsCost: 0,
    })
    await get().domain.rewards.redeem(m.id, chance.id)
    const free = await get().domain.lotteries.draw(m.id, lottery.id, { idempotencyKey: 'tap-1' })
    expect(free).toMatchObject({
      paidWith: 'free',
      pointsPaid: 0,
      couponCode: expect.stringMatching(/^[2-9A-HJ-NP-Z]{10}$/),
    })
    expect(
      await get().domain.lotteries.draw(m.id, lottery.id, { idempotencyKey: 'tap-1' }),
    ).toMatchObject({ drawId: free.drawId, replayed: true })
    expect(await get().domain.lotteries.draw(m.id, lottery.id)).toMatchObject({
      paidWith: 'chance',
      pointsPaid: 0,
    })
    expect(await get().domain.lotteries.draw(m.id, lottery.id)).toMatchObject({
      paidWith: 'points',
      pointsPaid: 20,
      balance: 10,
    })
    await expect(get().domain.lotteries.draw(m.id, lottery.id)).rejects.toMatchObject({
      code: 'insufficient_points',
    })
    await get().domain.adjust(m.id, { points: 100, reason: 'test' }, 'test')
    await get().domain.lotteries.draw(m.id, lottery.id)
    await expect(get().domain.lotteries.draw(m.id, lottery.id)).rejects.toMatchObject({
      code: 'limit_reached',
    })
    const winners = await get().domain.lotteries.draws(lottery.id, { winnersOnly: true })
    await get().domain.lotteries.fulfil(winners[0]!.id, 'staff:1')
    await expect(get().domain.lotteries.fulfil(winners[0]!.id, 'staff:1')).rejects.toMatchObject({
      code: 'already_done',
    })
    get().clock.advance(25 * 3_600_000)
    await expect(get().domain.lotteries.draw(m.id, lottery.id)).rejects.toMatchObject({
      code: 'closed',
    })
    get().clock.set('2025-01-10T04:00:00Z')
  })

  it('a survey is answered once, rewarded within the daily cap, and summarised for the merchant', async () => {
    await get().domain.programme.replace(
      programmeWith({ interactions: { checkin: { points: 5 }, dailyCaps: { survey: 15 } } }),
    )
    const survey = await get().domain.surveys.create({
      title: 'How was your visit?',
      question: 'How satisfied are you?',
      rewardPoints: 10,
    })
    const scores = [7, 6, 6, 5, 3, 1]
    const members = await Promise.all(scores.map(() => member()))
    for (const [i, score] of scores.entries()) {
      const result = await get().domain.surveys.respond(members[i]!.id, survey.id, {
        score,
        comment: score < 4 ? 'too slow' : undefined,
      })
      expect(result.pointsAwarded).toBe(10)
    }
    await expect(
      get().domain.surveys.respond(members[0]!.id, survey.id, { score: 1 }),
    ).rejects.toMatchObject({ code: 'already_done' })
    const afterOrder = await get().domain.surveys.respond(members[0]!.id, survey.id, {
      score: 7,
      orderId: 'o-1',
    })
    expect(afterOrder).toMatchObject({ pointsAwarded: 5, capped: true })
    expect(await get().domain.surveys.currentFor(members[0]!.id)).toBeUndefined()
    const summary = await get().domain.surveys.summary(survey.id)
    expect(summary.responses).toBe(7)
    expect(summary.average).toBeCloseTo(35 / 7)
    expect(summary.satisfied).toBeCloseTo(5 / 7)
    expect(summary.distribution).toEqual(
      [1, 0, 1, 0, 1, 2, 2].map((responses, i) => ({ score: i + 1, responses })),
    )
    expect(summary.trend).toEqual([{ week: '2025-01-06', responses: 7, average: 5 }])
    expect(summary.comments.map((c) => c.comment)).toEqual(['too slow', 'too slow'])
    await get().domain.programme.replace(programmeWith({}))
  })
})
