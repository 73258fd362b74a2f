import { DateTime } from 'luxon'
import type { Selectable } from 'kysely'
import type { SurveysTable } from '../../../db/schema/engagement.ts'
import { z } from 'zod'
import type { Db } from '../../../db/client.ts'
import { isUniqueViolation } from '../../../db/errors.ts'
import { DomainError } from '../../shared/errors.ts'
import { newId } from '../../shared/ids.ts'
import type { DomainDeps } from '../context.ts'
import { lockMember } from '../ledger/ledger.repository.ts'
import {
  type LocalizedText,
  type Programme,
  merchantText,
  storedText,
} from '../programme/programme.ts'
import type { ProgrammeService } from '../programme/programme.service.ts'
import { awardInteraction } from './interactions.service.ts'
import { hasStarted } from './schedule.ts'

export const SCALE = [1, 2, 3, 4, 5, 6, 7] as const

export const surveyInputSchema = z.object({
  title: merchantText(200),
  /** Asked on the 7-level scale, 1 (very dissatisfied) to 7 (very satisfied). */
  question: merchantText(500),
  rewardPoints: z.number().int().min(0).max(100_000).default(0),
  active: z.boolean().optional(),
})

export const surveyAnswerSchema = z.object({
  score: z.number().int().min(1).max(7),
  comment: z.string().trim().max(1_000).optional(),
  /** The order the survey was sent after; absent for a survey answered on demand. */
  orderId: z.string().min(1).max(200).optional(),
})
export type SurveyAnswer = z.infer<typeof surveyAnswerSchema>

export interface SurveyView {
  id: string
  title: LocalizedText
  question: LocalizedText
  rewardPoints: number
  active: boolean
  createdAt: string
}

/** The columns of a survey's terms, as written by its create and its update. */
function termsOf(input: z.infer<typeof surveyInputSchema>) {
  return {
    titleJson: JSON.stringify(input.title),
    questionJson: JSON.stringify(input.question),
    rewardPoints: input.rewardPoints,
    active: input.active === false ? 0 : 1,
  }
}

function toView(row: Selectable<SurveysTable>): SurveyView {
  const { titleJson, questionJson, ...rest } = row
  return {
    ...rest,
    title: storedText(titleJson),
    question: storedText(questionJson),
    active: row.active === 1,
  }
}

/**
 * Satisfaction surveys (满意度调查): answered once per member on demand, or once per order
 * they were sent after; the score is kept on the member's record and rewarded under the
 * programme's daily cap for surveys.
 */
/** The survey members rate an order on: the programme's choice, else the newest active one. */
export async function orderSurveyOf(db: Db, programme: Programme) {
  const configured = programme.reminders.orderSurvey.surveyId
  let query = db.selectFrom('surveys').selectAll().where('active', '=', 1)
  if (configured) query = query.where('id', '=', configured)
  return query.orderBy('createdAt', 'desc').limit(1).executeTakeFirst()
}

export class SurveysService {
  constructor(
    private readonly deps: DomainDeps,
    private readonly programmes: ProgrammeService,
  ) {}

  async create(written: z.input<typeof surveyInputSchema>): Promise<SurveyView> {
    const input = surveyInputSchema.parse(written)
    const row = {
      id: newId('svy'),
      ...termsOf(input),
      createdAt: this.deps.clock.now().toISOString(),
    }
    await this.deps.store.db.insertInto('surveys').values(row).execute()
    return toView(row)
  }

  /**
   * Replaces a survey's terms until it has started: a survey has no schedule, so it is offered
   * (on demand and after orders) from the moment it is active, and members may then have been
   * asked its question; or someone answered it. After that `already_started`, as its answers
   * would be scores of another question. Only a draft (`active: false`) can be changed, and
   * making it active is its last change.
   */
  async update(id: string, written: z.input<typeof surveyInputSchema>): Promise<SurveyView> {
    const input = surveyInputSchema.parse(written)
    await this.deps.store.transaction(async (trx) => {
      const survey = await trx
        .selectFrom('surveys')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst()
      if (!survey) throw new DomainError('not_found', `no survey ${id}`)
      const answers = await trx
        .selectFrom('surveyResponses')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('surveyId', '=', id)
        .executeTakeFirstOrThrow()
      const started = () =>
        new DomainError(
          'already_started',
          'this survey has been offered to members and can no longer be changed',
        )
      const schedule = { active: survey.active, opensAt: survey.createdAt }
      if (hasStarted(schedule, this.deps.clock.now(), Number(answers.n))) throw started()
      // Another change that made it active meanwhile wins: its members may be answering.
      const changed = await trx
        .updateTable('surveys')
        .set(termsOf(input))
        .where('id', '=', id)
        .where('active', '=', 0)
        .executeTakeFirst()
      if (Number(changed.numUpdatedRows) === 0) throw started()
    })
    return this.get(id)
  }

  async list(): Promise<SurveyView[]> {
    const rows = await this.deps.store.db
      .selectFrom('surveys')
      .selectAll()
      .orderBy('createdAt', 'desc')
      .execute()
    return rows.map(toView)
  }

  async get(id: string): Promise<SurveyView> {
    const row = await this.deps.store.db
      .selectFrom('surveys')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    if (!row) throw new DomainError('not_found', `no survey ${id}`)
    return toView(row)
  }

  /** The survey a member answers on demand: the newest active one they have not answered. */
  async currentFor(memberId: string): Promise<SurveyView | undefined> {
    const row = await this.deps.store.db
      .selectFrom('surveys')
      .selectAll()
      .where('active', '=', 1)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('surveyResponses')
              .select('surveyResponses.id')
              .whereRef('surveyResponses.surveyId', '=', 'surveys.id')
              .where('surveyResponses.memberId', '=', memberId)
              .where('surveyResponses.context', '=', 'once'),
          ),
        ),
      )
      .orderBy('createdAt', 'desc')
      .limit(1)
      .executeTakeFirst()
    return row ? toView(row) : undefined
  }

  /**
   * The order a member was asked about after delivery and has not rated yet (within the two
   * weeks the invitation stays open), with the survey to rate it on.
   */
  async pendingOrderSurvey(
    memberId: string,
  ): Promise<{ survey: SurveyView; orderId: string; reminderId: number } | undefined> {
    const since = new Date(this.deps.clock.now().getTime() - 14 * 86_400_000).toISOString()
    const invitations = await this.deps.store.db
      .selectFrom('reminders')
      .innerJoin('outbox', 'outbox.reminderId', 'reminders.id')
      .select(['reminders.id', 'reminders.subjectJson'])
      .where('reminders.memberId', '=', memberId)
      .where('reminders.kind', '=', 'order_survey')
      .where('outbox.status', 'in', ['sent', 'uncertain'])
      .where('outbox.sentAt', '>', since)
      .orderBy('reminders.id', 'desc')
      .limit(5)
      .execute()
    const { config: programme } = await this.programmes.current()
    const survey = await orderSurveyOf(this.deps.store.db, programme)
    if (!survey) return undefined
    for (const invitation of invitations) {
      const { orderId } = JSON.parse(invitation.subjectJson) as { orderId: string }
      const answered = await this.deps.store.db
        .selectFrom('surveyResponses')
        .select('id')
        .where('memberId', '=', memberId)
        .where('surveyId', '=', survey.id)
        .where('context', '=', `order:${orderId}`)
        .executeTakeFirst()
      if (!answered) return { survey: toView(survey), orderId, reminderId: invitation.id }
    }
    return undefined
  }

  /** The order a member's own invitation asked about; undefined for anyone else's. */
  async invitationOrder(memberId: string, reminderId: number): Promise<string | undefined> {
    const row = await this.deps.store.db
      .selectFrom('reminders')
      .select('subjectJson')
      .where('id', '=', reminderId)
      .where('memberId', '=', memberId)
      .where('kind', '=', 'order_survey')
      .executeTakeFirst()
    return row ? (JSON.parse(row.subjectJson) as { orderId: string }).orderId : undefined
  }

  async respond(memberId: string, surveyId: string, answer: SurveyAnswer) {
    const survey = await this.get(surveyId)
    if (!survey.active) throw new DomainError('closed', 'this survey is closed')
    const context = answer.orderId ? `order:${answer.orderId}` : 'once'
    const { version, config: programme } = await this.programmes.current()
    const now = this.deps.clock.now()
    try {
      return await this.deps.store.transaction(async (trx) => {
        const member = await lockMember(trx, memberId)
        await trx
          .insertInto('surveyResponses')
          .values({
            id: newId('srs'),
            surveyId,
            memberId,
            context,
            score: answer.score,
            comment: answer.comment || null,
            createdAt: now.toISOString(),
          })
          .execute()
        const award = await awardInteraction(trx, member, {
          programme,
          version,
          kind: 'survey',
          points: survey.rewardPoints,
          idempotencyKey: `survey:${surveyId}:${memberId}:${context}`,
          now,
        })
        return { pointsAwarded: award.awarded, capped: award.capped, balance: award.balance }
      })
    } catch (error) {
      if (isUniqueViolation(error))
        throw new DomainError('already_done', 'you have already answered this survey')
      throw error
    }
  }

  /** Adds the optional comment to an answer already recorded (chat asks for it second). */
  async addComment(
    memberId: string,
    surveyId: string,
    comment: string,
    orderId?: string,
  ): Promise<void> {
    const text = comment.trim().slice(0, 1_000)
    if (!text) throw new DomainError('invalid_input', 'the comment is empty', { field: 'comment' })
    const updated = await this.deps.store.db
      .updateTable('surveyResponses')
      .set({ comment: text })
      .where('surveyId', '=', surveyId)
      .where('memberId', '=', memberId)
      .where('context', '=', orderId ? `order:${orderId}` : 'once')
      .executeTakeFirst()
    if (Number(updated.numUpdatedRows) === 0)
      throw new DomainError('not_found', 'answer the survey first')
  }

  /** Distribution over the 7 levels, the average, and the weekly trend in the merchant's weeks. */
  async summary(surveyId: string) {
    const survey = await this.get(surveyId)
    const { config } = await this.programmes.current()
    const responses = await this.deps.store.db
      .selectFrom('surveyResponses')
      .select(['score', 'comment', 'createdAt'])
      .where('surveyId', '=', surveyId)
      .orderBy('createdAt')
      .execute()
    const average = (rows: { score: number }[]) =>
      rows.length ? rows.reduce((s, r) => s + r.score, 0) / rows.length : null
    const weeks = new Map<string, { score: number }[]>()
    for (const r of responses) {
      const week = DateTime.fromISO(r.createdAt, { zone: config.timezone })
        .startOf('week')
        .toISODate()!
      weeks.set(week, [...(weeks.get(week) ?? []), r])
    }
    return {
      survey,
      responses: responses.length,
      average: average(responses),
      /** Share answering 5–7, the satisfied side of the scale. */
      satisfied: responses.length
        ? responses.filter((r) => r.score >= 5).length / responses.length
        : null,
      distribution: SCALE.map((score) => ({
        score,
        responses: responses.filter((r) => r.score === score).length,
      })),
      trend: [...weeks.entries()].map(([week, rows]) => ({
        week,
        responses: rows.length,
        average: average(rows),
      })),
      comments: responses
        .filter((r) => r.comment)
        .slice(-20)
        .reverse()
        .map((r) => ({ score: r.score, comment: r.comment!, createdAt: r.createdAt })),
    }
  }
}
