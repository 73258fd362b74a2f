import type { Selectable } from 'kysely'
import { z } from 'zod'
import type { QuizzesTable } from '../../../db/schema/engagement.ts'
import { isUniqueViolation } from '../../../db/errors.ts'
import { DomainError } from '../../shared/errors.ts'
import { newId } from '../../shared/ids.ts'
import type { DomainDeps } from '../context.ts'
import { lockMember } from '../ledger/ledger.repository.ts'
import {
  type LocalizedText,
  localize,
  merchantText,
  storedText,
  tierIndex,
} from '../programme/programme.ts'
import type { ProgrammeService } from '../programme/programme.service.ts'
import { awardInteraction } from './interactions.service.ts'
import { hasStarted } from './schedule.ts'

const window = {
  opensAt: z.iso.datetime({ offset: true }),
  closesAt: z.iso.datetime({ offset: true }),
}

export const quizInputSchema = z
  .object({
    title: merchantText(200),
    questions: z
      .array(
        z
          .object({
            text: merchantText(500),
            choices: z.array(merchantText(200)).min(2).max(6),
            /** Index of the right choice, from 0. */
            answer: z.number().int().min(0),
          })
          .refine((q) => q.answer < q.choices.length, {
            message: 'answer is the index of one of the choices',
            path: ['answer'],
          }),
      )
      .min(1)
      .max(50),
    /** Points per right answer, or a prize for reaching `threshold` right answers. */
    reward: z.discriminatedUnion('mode', [
      z.object({ mode: z.literal('per_correct'), points: z.number().int().min(0).max(100_000) }),
      z.object({
        mode: z.literal('pass'),
        threshold: z.number().int().min(1),
        points: z.number().int().min(0).max(100_000),
      }),
    ]),
    /** Who may take part: everyone, or members of this tier and above. */
    minTierCode: z.string().nullable().optional(),
    ...window,
    active: z.boolean().optional(),
  })
  .refine((quiz) => quiz.reward.mode !== 'pass' || quiz.reward.threshold <= quiz.questions.length, {
    message: 'the pass threshold cannot exceed the number of questions',
    path: ['reward', 'threshold'],
  })
  .refine((quiz) => quiz.opensAt < quiz.closesAt, {
    message: 'closesAt is after opensAt',
    path: ['closesAt'],
  })
export type QuizInput = z.infer<typeof quizInputSchema>

type Question = QuizInput['questions'][number]

export interface QuizView {
  id: string
  title: LocalizedText
  questionCount: number
  reward: QuizInput['reward']
  minTierCode: string | null
  opensAt: string
  closesAt: string
  active: boolean
  createdAt: string
}

/** A quiz as staff edit it: its questions with their right answers. Never sent to members. */
export interface QuizDetail extends QuizView {
  questions: Question[]
}

/** What a member sees of the next question: never the answer. */
export interface QuizStep<Text = LocalizedText> {
  quizId: string
  title: Text
  index: number
  total: number
  question: { text: Text; choices: Text[] } | null
  /** Set once the last question is answered. */
  result: { correct: number; total: number; pointsAwarded: number; capped: boolean } | null
}

export interface AnswerResult<Text = LocalizedText> extends QuizStep<Text> {
  /** True when the answer was to a question already answered or not yet reached: ignored. */
  stale: boolean
  wasCorrect: boolean
  /** The right choice of the question answered (of the member's current one for a stale answer;
   *  null past the last). */
  rightChoice: Text | null
}

/** A step of a quiz in the member's language (or the other, where the merchant wrote only that). */
export function localizeStep<T extends QuizStep | AnswerResult>(
  step: T,
  locale: string,
): T extends AnswerResult ? AnswerResult<string> : QuizStep<string>
export function localizeStep(
  step: QuizStep | AnswerResult,
  locale: string,
): QuizStep<string> | AnswerResult<string> {
  const text = (t: LocalizedText) => localize(t, locale)
  const question = step.question && {
    text: text(step.question.text),
    choices: step.question.choices.map(text),
  }
  const localized = { ...step, title: text(step.title), question }
  if (!('rightChoice' in step)) return localized
  return { ...localized, rightChoice: step.rightChoice && text(step.rightChoice) }
}

function questionsOf(row: Selectable<QuizzesTable>): Question[] {
  return JSON.parse(row.questionsJson) as Question[]
}

/** The columns of a quiz's terms, as written by its create and its update. */
function termsOf(input: QuizInput) {
  return {
    titleJson: JSON.stringify(input.title),
    questionsJson: JSON.stringify(input.questions),
    rewardJson: JSON.stringify(input.reward),
    minTierCode: input.minTierCode ?? null,
    opensAt: new Date(input.opensAt).toISOString(),
    closesAt: new Date(input.closesAt).toISOString(),
    active: input.active === false ? 0 : 1,
  }
}

function toView(row: Selectable<QuizzesTable>): QuizView {
  return {
    id: row.id,
    title: storedText(row.titleJson),
    questionCount: questionsOf(row).length,
    reward: JSON.parse(row.rewardJson) as QuizInput['reward'],
    minTierCode: row.minTierCode,
    opensAt: row.opensAt,
    closesAt: row.closesAt,
    active: row.active === 1,
    createdAt: row.createdAt,
  }
}

/**
 * Product quizzes (问答): taken question by question, once per member, inside the quiz's open
 * window, rewarded under the programme's daily cap for quizzes. The attempt lives in the
 * database, so a member can stop and continue after a restart.
 */
export class QuizzesService {
  constructor(
    private readonly deps: DomainDeps,
    private readonly programmes: ProgrammeService,
  ) {}

  async create(written: z.input<typeof quizInputSchema>): Promise<QuizDetail> {
    const input = await this.checked(written)
    const id = newId('quz')
    await this.deps.store.db
      .insertInto('quizzes')
      .values({ id, ...termsOf(input), createdAt: this.deps.clock.now().toISOString() })
      .execute()
    return this.detail(id)
  }

  /**
   * Replaces a quiz's terms, its questions and schedule included, until it has started
   * (`hasStarted`); after that `already_started`, as a member may have read or answered them.
   * A start racing the change (it moves `opensAt`) makes it `already_started` too; members can
   * begin only a quiz that has started, so no attempt can race it.
   */
  async update(id: string, written: z.input<typeof quizInputSchema>): Promise<QuizDetail> {
    const input = await this.checked(written)
    await this.deps.store.transaction(async (trx) => {
      const quiz = await this.row(id, trx)
      const attempts = await trx
        .selectFrom('quizAttempts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('quizId', '=', id)
        .executeTakeFirstOrThrow()
      const started = () =>
        new DomainError('already_started', 'this quiz has started and can no longer be changed')
      if (hasStarted(quiz, this.deps.clock.now(), Number(attempts.n))) throw started()
      const changed = await trx
        .updateTable('quizzes')
        .set(termsOf(input))
        .where('id', '=', id)
        .where('opensAt', '=', quiz.opensAt)
        .where('active', '=', quiz.active)
        .executeTakeFirst()
      if (Number(changed.numUpdatedRows) === 0) throw started()
    })
    return this.detail(id)
  }

  private async checked(written: z.input<typeof quizInputSchema>): Promise<QuizInput> {
    const input = quizInputSchema.parse(written)
    const { config } = await this.programmes.current()
    if (input.minTierCode && tierIndex(config, input.minTierCode) < 0) {
      throw new DomainError('invalid_input', `no tier ${input.minTierCode}`, {
        field: 'minTierCode',
      })
    }
    return input
  }

  async get(id: string): Promise<QuizView> {
    return toView(await this.row(id))
  }

  /** A quiz with its questions and right answers, for staff only. */
  async detail(id: string): Promise<QuizDetail> {
    const row = await this.row(id)
    return { ...toView(row), questions: questionsOf(row) }
  }

  async list(): Promise<QuizView[]> {
    const rows = await this.deps.store.db
      .selectFrom('quizzes')
      .selectAll()
      .orderBy('opensAt', 'desc')
      .execute()
    return rows.map(toView)
  }

  /** Opens a quiz now (the merchant's "start"), keeping its closing time. */
  async start(id: string): Promise<QuizView> {
    const quiz = await this.row(id)
    const now = this.deps.clock.now().toISOString()
    if (quiz.closesAt <= now) throw new DomainError('closed', 'this quiz has already closed')
    await this.deps.store.db
      .updateTable('quizzes')
      .set({ active: 1, opensAt: now })
      .where('id', '=', id)
      .execute()
    return this.get(id)
  }

  /** Quizzes open now that the member may take and has not finished. */
  async openFor(memberId: string): Promise<QuizView[]> {
    return this.open(memberId, { finished: false })
  }

  /** Quizzes still open that the member has finished: theirs to see the results of. */
  async finishedOpen(memberId: string): Promise<QuizView[]> {
    return this.open(memberId, { finished: true })
  }

  private async open(memberId: string, { finished }: { finished: boolean }): Promise<QuizView[]> {
    const now = this.deps.clock.now().toISOString()
    const { config } = await this.programmes.current()
    const member = await this.deps.store.db
      .selectFrom('members')
      .select('tierCode')
      .where('id', '=', memberId)
      .executeTakeFirstOrThrow()
    const rows = await this.deps.store.db
      .selectFrom('quizzes')
      .selectAll()
      .where('active', '=', 1)
      .where('opensAt', '<=', now)
      .where('closesAt', '>', now)
      .where((eb) => {
        const done = eb.exists(
          eb
            .selectFrom('quizAttempts')
            .select('quizAttempts.id')
            .whereRef('quizAttempts.quizId', '=', 'quizzes.id')
            .where('quizAttempts.memberId', '=', memberId)
            .where('quizAttempts.status', '=', 'completed'),
        )
        return finished ? done : eb.not(done)
      })
      .orderBy('closesAt')
      .execute()
    return rows
      .filter(
        (r) =>
          !r.minTierCode || tierIndex(config, member.tierCode) >= tierIndex(config, r.minTierCode),
      )
      .map(toView)
  }

  /** Starts the member's attempt, or resumes it; a finished quiz is `already_done`. */
  async begin(memberId: string, quizId: string): Promise<QuizStep> {
    const quiz = await this.row(quizId)
    await this.assertOpen(quiz, memberId)
    const now = this.deps.clock.now().toISOString()
    try {
      await this.deps.store.db
        .insertInto('quizAttempts')
        .values({
          id: newId('qat'),
          quizId,
          memberId,
          answersJson: '[]',
          correct: 0,
          status: 'in_progress',
          pointsAwarded: 0,
          startedAt: now,
          completedAt: null,
        })
        .onConflict((oc) => oc.columns(['quizId', 'memberId']).doNothing())
        .execute()
    } catch (error) {
      if (!isUniqueViolation(error)) throw error
    }
    const attempt = await this.attempt(quizId, memberId)
    if (attempt.status === 'completed')
      throw new DomainError('already_done', 'you have already taken this quiz')
    return this.step(quiz, JSON.parse(attempt.answersJson) as number[], null)
  }

  /**
   * Records the answer to question `index` (from 0). Answering a question again, or out of
   * turn (a double tap, a redelivered message), changes nothing and returns where the member
   * is. The last answer completes the attempt and pays its points in the same transaction.
   */
  async answer(
    memberId: string,
    quizId: string,
    index: number,
    choice: number,
  ): Promise<AnswerResult> {
    const quiz = await this.row(quizId)
    await this.assertOpen(quiz, memberId)
    const questions = questionsOf(quiz)
    const { version, config: programme } = await this.programmes.current()
    const now = this.deps.clock.now()
    return this.deps.store.transaction(async (trx) => {
      const member = await lockMember(trx, memberId)
      const attempt = await trx
        .selectFrom('quizAttempts')
        .selectAll()
        .where('quizId', '=', quizId)
        .where('memberId', '=', memberId)
        .executeTakeFirst()
      if (!attempt) throw new DomainError('not_found', 'start the quiz first')
      if (attempt.status === 'completed')
        throw new DomainError('already_done', 'you have already taken this quiz')
      const answers = JSON.parse(attempt.answersJson) as number[]
      const question = questions[index]
      if (index !== answers.length || !question) {
        const current = questions[answers.length]
        return {
          ...this.step(quiz, answers, null),
          stale: true,
          wasCorrect: false,
          rightChoice: current?.choices[current.answer] ?? null,
        }
      }
      if (!Number.isInteger(choice) || choice < 0 || choice >= question.choices.length) {
        throw new DomainError('invalid_input', `choose one of 1–${question.choices.length}`, {
          field: 'choice',
        })
      }
      answers.push(choice)
      const correct = answers.filter((a, i) => a === questions[i]!.answer).length
      const finished = answers.length === questions.length
      let result: QuizStep['result'] = null
      if (finished) {
        const reward = JSON.parse(quiz.rewardJson) as QuizInput['reward']
        const points =
          reward.mode === 'per_correct'
            ? reward.points * correct
            : correct >= reward.threshold
              ? reward.points
              : 0
        const award = await awardInteraction(trx, member, {
          programme,
          version,
          kind: 'quiz',
          points,
          idempotencyKey: `quiz:${quizId}:${memberId}`,
          now,
        })
        result = {
          correct,
          total: questions.length,
          pointsAwarded: award.awarded,
          capped: award.capped,
        }
      }
      await trx
        .updateTable('quizAttempts')
        .set({
          answersJson: JSON.stringify(answers),
          correct,
          status: finished ? 'completed' : 'in_progress',
          pointsAwarded: result?.pointsAwarded ?? 0,
          completedAt: finished ? now.toISOString() : null,
        })
        .where('id', '=', attempt.id)
        .execute()
      return {
        ...this.step(quiz, answers, result),
        stale: false,
        wasCorrect: choice === question.answer,
        rightChoice: question.choices[question.answer]!,
      }
    })
  }

  /**
   * How many took part, how they scored, and the leaderboard; with `memberId`, also that
   * member's own score and rank (which may be below the leaderboard's top 20).
   */
  async results(quizId: string, options: { memberId?: string } = {}) {
    const quiz = await this.row(quizId)
    const total = questionsOf(quiz).length
    const attempts = await this.deps.store.db
      .selectFrom('quizAttempts')
      .innerJoin('members', 'members.id', 'quizAttempts.memberId')
      .select([
        'quizAttempts.status',
        'quizAttempts.correct',
        'quizAttempts.pointsAwarded',
        'quizAttempts.completedAt',
        'quizAttempts.startedAt',
        'members.displayName',
        'members.code',
        'members.id as memberId',
      ])
      .where('quizId', '=', quizId)
      .execute()
    const completed = attempts.filter((a) => a.status === 'completed')
    const ranked = [...completed].sort(
      (a, b) => b.correct - a.correct || a.completedAt!.localeCompare(b.completedAt!),
    )
    const mine = options.memberId ? ranked.findIndex((a) => a.memberId === options.memberId) : -1
    const leaderboard = ranked.slice(0, 20).map((a, i) => ({
      rank: i + 1,
      memberId: a.memberId,
      displayName: a.displayName,
      code: a.code,
      correct: a.correct,
      completedAt: a.completedAt!,
    }))
    const distribution = Array.from({ length: total + 1 }, (_, correct) => ({
      correct,
      members: completed.filter((a) => a.correct === correct).length,
    }))
    return {
      quiz: toView(quiz),
      started: attempts.length,
      completed: completed.length,
      averageCorrect: completed.length
        ? completed.reduce((s, a) => s + a.correct, 0) / completed.length
        : 0,
      pointsAwarded: completed.reduce((s, a) => s + a.pointsAwarded, 0),
      distribution,
      leaderboard,
      ...(mine >= 0
        ? {
            member: {
              rank: mine + 1,
              correct: ranked[mine]!.correct,
              pointsAwarded: ranked[mine]!.pointsAwarded,
            },
          }
        : {}),
    }
  }

  private step(
    quiz: Selectable<QuizzesTable>,
    answers: number[],
    result: QuizStep['result'],
  ): QuizStep {
    const questions = questionsOf(quiz)
    const next = questions[answers.length]
    return {
      quizId: quiz.id,
      title: storedText(quiz.titleJson),
      index: answers.length,
      total: questions.length,
      question: next && !result ? { text: next.text, choices: next.choices } : null,
      result,
    }
  }

  private async attempt(quizId: string, memberId: string) {
    return this.deps.store.db
      .selectFrom('quizAttempts')
      .selectAll()
      .where('quizId', '=', quizId)
      .where('memberId', '=', memberId)
      .executeTakeFirstOrThrow()
  }

  private async row(id: string, db = this.deps.store.db): Promise<Selectable<QuizzesTable>> {
    const row = await db.selectFrom('quizzes').selectAll().where('id', '=', id).executeTakeFirst()
    if (!row) throw new DomainError('not_found', `no quiz ${id}`)
    return row
  }

  private async assertOpen(quiz: Selectable<QuizzesTable>, memberId: string): Promise<void> {
    const now = this.deps.clock.now().toISOString()
    if (quiz.active !== 1 || now < quiz.opensAt)
      throw new DomainError('closed', 'this quiz has not started yet')
    if (now >= quiz.closesAt)
      throw new DomainError('closed', 'this quiz has closed; answers are no longer accepted')
    if (quiz.minTierCode) {
      const { config } = await this.programmes.current()
      const member = await this.deps.store.db
        .selectFrom('members')
        .select('tierCode')
        .where('id', '=', memberId)
        .executeTakeFirstOrThrow()
      if (tierIndex(config, member.tierCode) < tierIndex(config, quiz.minTierCode)) {
        throw new DomainError(
          'tier_required',
          `this quiz is for tier ${quiz.minTierCode} and above`,
        )
      }
    }
  }
}
