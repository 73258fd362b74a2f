import { type QuizStep, localizeStep } from '../../domain/interactions/quizzes.service.ts'
import type { LotteryView } from '../../domain/interactions/lotteries.service.ts'
import { localize } from '../../domain/programme/programme.ts'
import { refusedBelow } from './admin-commands.ts'
import { maskName } from '../../domain/members/members.ts'
import { t } from './i18n.ts'
import { nonce, requireMember } from './member-commands.ts'
import type { Button, Reply } from './messages.ts'
import type { Dialog, Turn } from './turn.ts'

const SHOWN = 5
const LEADERBOARD_SHOWN = 10

function text(body: string): Reply[] {
  return [{ text: body }]
}

// -- quizzes (问答) --------------------------------------------------------------------------

/** `/quiz`: the open quiz to take (or a choice of them). */
export async function quiz(turn: Turn): Promise<Reply[]> {
  const member = requireMember(turn)
  const open = await turn.deps.domain.quizzes.openFor(member.id)
  if (open.length === 0) {
    const [finished] = await turn.deps.domain.quizzes.finishedOpen(member.id)
    return text(finished ? await quizResults(turn, finished.id) : t(turn.locale, 'quiz.none'))
  }
  if (open.length === 1) return beginQuiz(turn, open[0]!.id)
  return [
    {
      text: t(turn.locale, 'quiz.choose'),
      buttons: open
        .slice(0, SHOWN)
        .map((q) => [{ label: localize(q.title, turn.locale), action: `quiz:${q.id}` }]),
    },
  ]
}

/** A finished quiz still open: the member's score and rank, and the leaderboard, names masked. */
async function quizResults(turn: Turn, quizId: string): Promise<string> {
  const member = requireMember(turn)
  const results = await turn.deps.domain.quizzes.results(quizId, { memberId: member.id })
  const board = results.leaderboard.slice(0, LEADERBOARD_SHOWN).map((entry) =>
    t(turn.locale, 'quiz.rank', {
      rank: entry.rank,
      name: entry.memberId === member.id ? member.displayName : maskName(entry.displayName),
      correct: entry.correct,
      you: entry.memberId === member.id,
    }),
  )
  return [
    t(turn.locale, 'quiz.results', {
      title: localize(results.quiz.title, turn.locale),
      correct: results.member?.correct ?? 0,
      total: results.quiz.questionCount,
      points: results.member?.pointsAwarded ?? 0,
      rank: results.member?.rank ?? results.completed,
      completed: results.completed,
    }),
    t(turn.locale, 'quiz.leaderboard'),
    ...board,
  ].join('\n')
}

function questionReply(turn: Turn, step: QuizStep<string>): Reply {
  const question = step.question!
  return {
    text: t(turn.locale, 'quiz.question', {
      title: step.title,
      index: step.index + 1,
      total: step.total,
      text: question.text,
    }),
    buttons: question.choices.map((choice, i) => [
      { label: choice, action: `qa:${step.quizId}:${step.index}:${i}` },
    ]),
  }
}

export async function beginQuiz(turn: Turn, quizId: string): Promise<Reply[]> {
  const step = await turn.deps.domain.quizzes.begin(requireMember(turn).id, quizId)
  return [questionReply(turn, localizeStep(step, turn.locale))]
}

/** An answer button: `qa:<quiz>:<question index>:<choice index>`; stale taps change nothing. */
export async function answerQuiz(turn: Turn, value: string): Promise<Reply[]> {
  const [quizId = '', index = '', choice = ''] = value.split(':')
  const step = localizeStep(
    await turn.deps.domain.quizzes.answer(
      requireMember(turn).id,
      quizId,
      Number(index),
      Number(choice),
    ),
    turn.locale,
  )
  if (step.stale) return [questionReply(turn, step)]
  const feedback = step.wasCorrect
    ? t(turn.locale, 'quiz.right')
    : t(turn.locale, 'quiz.wrong', { answer: step.rightChoice ?? '' })
  if (step.result) {
    const done = t(turn.locale, 'quiz.done', {
      correct: step.result.correct,
      total: step.result.total,
      points: step.result.pointsAwarded,
    })
    return text(
      [feedback, done, ...(step.result.capped ? [t(turn.locale, 'quiz.capped')] : [])].join('\n'),
    )
  }
  return [{ text: feedback }, questionReply(turn, step)]
}

/** `/quiz start`: the quizzes a manager may open now. */
export async function startableQuizzes(turn: Turn): Promise<Reply[]> {
  const now = turn.deps.domain.deps.clock.now().toISOString()
  const quizzes = (await turn.deps.domain.quizzes.list()).filter(
    (q) => q.closesAt > now && (!q.active || q.opensAt > now),
  )
  if (quizzes.length === 0) return text(t(turn.locale, 'quiz.noneToStart'))
  return [
    {
      text: t(turn.locale, 'quiz.startable'),
      buttons: quizzes
        .slice(0, SHOWN)
        .map((q) => [{ label: localize(q.title, turn.locale), action: `quizstart:${q.id}` }]),
    },
  ]
}

export async function startQuiz(turn: Turn, quizId: string): Promise<Reply[]> {
  const refusal = await refusedBelow(turn, 'manager', '/quiz start')
  if (refusal) return refusal
  const started = await turn.deps.domain.quizzes.start(quizId)
  turn.deps.logger.info(
    { channel: turn.inbound.channel, userId: turn.inbound.userId, quizId },
    'quiz started in chat',
  )
  return text(t(turn.locale, 'quiz.started', { title: localize(started.title, turn.locale) }))
}

// -- lotteries (抽奖) -------------------------------------------------------------------------

function percent(probability: number): string {
  return `${(probability * 100).toFixed(probability < 0.01 ? 2 : 1)}%`
}

async function lotteryReply(turn: Turn, lottery: LotteryView): Promise<Reply> {
  const member = requireMember(turn)
  const title = localize(lottery.title, turn.locale)
  if (lottery.exhausted) return { text: t(turn.locale, 'lottery.exhausted', { title }) }
  const allowance = await turn.deps.domain.lotteries.allowance(member.id, lottery.id)
  const price =
    allowance.freeLeftToday > 0
      ? t(turn.locale, 'lottery.free', { count: allowance.freeLeftToday })
      : member.lotteryChances > 0
        ? t(turn.locale, 'lottery.chances', { count: member.lotteryChances })
        : t(turn.locale, 'lottery.cost', { cost: lottery.costPoints })
  const odds = lottery.prizes
    .filter((p) => p.probability > 0)
    .map((p) => `• ${localize(p.name, turn.locale)} ${percent(p.probability)}`)
  return {
    text: t(turn.locale, 'lottery.show', { title, price, odds: odds.join('\n') }),
    buttons: [[{ label: t(turn.locale, 'lottery.draw'), action: `draw:${lottery.id}:${nonce()}` }]],
  }
}

/**
 * `/lottery`: each open lottery with its published odds for this member, the price of a draw
 * and a button; one with nothing left they can win says so and has no button.
 */
export async function lottery(turn: Turn): Promise<Reply[]> {
  const member = requireMember(turn)
  const open = await turn.deps.domain.lotteries.list({ openOnly: true, memberId: member.id })
  if (open.length === 0) return text(t(turn.locale, 'lottery.none'))
  return Promise.all(open.slice(0, SHOWN).map((l) => lotteryReply(turn, l)))
}

/** A draw button: `draw:<lottery>:<nonce>`; the nonce makes a double tap draw once. */
export async function draw(turn: Turn, value: string): Promise<Reply[]> {
  const [lotteryId = '', key = ''] = value.split(':')
  const member = requireMember(turn)
  const result = await turn.deps.domain.lotteries.draw(member.id, lotteryId, {
    idempotencyKey: `chat:${key}`,
  })
  const lines =
    result.prize.kind === 'nothing'
      ? [t(turn.locale, 'lottery.nothing')]
      : [
          t(turn.locale, 'lottery.won', { prize: localize(result.prize.name, turn.locale) }),
          ...(result.prize.points
            ? [
                t(turn.locale, 'lottery.wonPoints', {
                  points: result.prize.points,
                  balance: result.balance,
                }),
              ]
            : []),
          ...(result.couponCode
            ? [t(turn.locale, 'lottery.coupon', { code: result.couponCode })]
            : []),
        ]
  const again: Button[][] = [
    [{ label: t(turn.locale, 'lottery.again'), action: `draw:${lotteryId}:${nonce()}` }],
  ]
  return [{ text: lines.join('\n'), buttons: again }]
}

// -- surveys (满意度调查) -------------------------------------------------------------------

/**
 * `/survey`: the order the member was asked about after delivery, if one is waiting, else the
 * current survey; answered on the 7-level scale with one tap.
 */
export async function survey(turn: Turn): Promise<Reply[]> {
  const member = requireMember(turn)
  const { surveys } = turn.deps.domain
  const invited = await surveys.pendingOrderSurvey(member.id)
  const current = invited?.survey ?? (await surveys.currentFor(member.id))
  if (!current) return text(t(turn.locale, 'survey.none'))
  // The invitation's id, not the order id: it fits Telegram's 64-byte button data.
  const context = invited ? `:r${invited.reminderId}` : ''
  // The number to reply is the score itself: "回复 6" means 6, whatever was offered before.
  const score = (n: number): Button => ({
    label: String(n),
    action: `survey:${current.id}:${n}${context}`,
    number: n,
  })
  const question = t(turn.locale, 'survey.ask', {
    question: localize(current.question, turn.locale),
  })
  return [
    {
      text: invited
        ? `${t(turn.locale, 'survey.aboutOrder', { order: invited.orderId })}\n${question}`
        : question,
      buttons: [[1, 2, 3, 4].map(score), [5, 6, 7].map(score)],
    },
  ]
}

/** A score button: the answer is kept at once; the comment asked for next is optional. */
export async function scoreSurvey(turn: Turn, value: string): Promise<Reply[]> {
  const [surveyId = '', score = '', context = ''] = value.split(':')
  const member = requireMember(turn)
  // Buttons can be forged: an invitation counts only if it was this member's own.
  const orderId = context.startsWith('r')
    ? await turn.deps.domain.surveys.invitationOrder(member.id, Number(context.slice(1)))
    : undefined
  const result = await turn.deps.domain.surveys.respond(member.id, surveyId, {
    score: Number(score),
    ...(orderId ? { orderId } : {}),
  })
  turn.session.dialog = { kind: 'survey-comment', surveyId, ...(orderId ? { orderId } : {}) }
  const thanks = [
    t(turn.locale, 'survey.thanks'),
    ...(result.pointsAwarded > 0
      ? [t(turn.locale, 'survey.points', { points: result.pointsAwarded })]
      : []),
  ]
  return [
    { text: thanks.join(' ') },
    {
      text: t(turn.locale, 'survey.comment'),
      buttons: [[{ label: t(turn.locale, 'survey.skip'), action: 'cancel' }]],
    },
  ]
}

export async function surveyComment(
  turn: Turn,
  dialog: Extract<Dialog, { kind: 'survey-comment' }>,
  comment: string,
): Promise<Reply[]> {
  turn.session.dialog = undefined
  await turn.deps.domain.surveys.addComment(
    requireMember(turn).id,
    dialog.surveyId,
    comment,
    dialog.orderId,
  )
  return text(t(turn.locale, 'survey.commentSaved'))
}
