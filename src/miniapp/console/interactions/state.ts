import { signal } from '@preact/signals'
import { ApiError, type Ok } from '../../ui/api.ts'
import { locale, may } from '../state.ts'
import { INTERACTION_TEXTS, type Status } from './texts.ts'

export type Quiz = Ok<'/api/v1/quizzes', 'get'>['items'][number]
export type QuizDetail = Ok<'/api/v1/quizzes/{id}', 'get'>
export type Lottery = Ok<'/api/v1/lotteries/{id}', 'get'>
export type Survey = Ok<'/api/v1/surveys', 'get'>['items'][number]
export type Localized = Quiz['title']

/** What the page shows instead of its lists: an editor or one interaction's results. */
export type View =
  | { show: 'quiz'; quiz: QuizDetail | null }
  | { show: 'lottery'; lottery: Lottery | null }
  | { show: 'survey'; survey: Survey | null }
  | { show: 'quizResults'; id: string }
  | { show: 'winners'; id: string }
  | { show: 'surveyResults'; id: string }
export const view = signal<View | null>(null)

export const it = () => INTERACTION_TEXTS[locale.value]

/** Whether the role may create and change interactions, as the server's access table says. */
export const mayEdit = () => may('POST /api/v1/quizzes')

/** Where a quiz or a lottery stands now; a quiz not yet made active is a draft. */
export function statusOf(
  item: { active: boolean; opensAt: string; closesAt: string; exhausted?: boolean },
  now = new Date().toISOString(),
): Status {
  if (!item.active) return 'draft'
  if (item.closesAt <= now) return 'closed'
  if (item.opensAt > now) return 'scheduled'
  return item.exhausted ? 'exhausted' : 'open'
}

/** A refusal in the page's words, naming the field the server named. */
export function explain(failure: unknown, label: (field: string) => string): string {
  if (!(failure instanceof ApiError)) return it().error.generic
  if (failure.code === 'invalid_input')
    return it().error.invalid_input({ field: label(failure.field ?? '') })
  const known = it().error[failure.code as keyof ReturnType<typeof it>['error']]
  return typeof known === 'string' ? known : it().error.generic
}

/** A published chance as a percentage, to two decimals at most. */
export const chance = (probability: number) =>
  `${(probability * 100).toLocaleString(locale.value, { maximumFractionDigits: 2 })}%`
