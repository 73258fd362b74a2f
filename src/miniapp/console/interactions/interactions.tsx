import type { ComponentChildren } from 'preact'
import './interactions.css'
import { call } from '../../ui/api.ts'
import { useLoad } from '../../ui/load.ts'
import { bothTexts } from '../catalogue/state.ts'
import { confirm } from '../confirm.tsx'
import { dateTime, named } from '../format.ts'
import { fail, version } from '../state.ts'
import { LotteryEditor } from './lottery-editor.tsx'
import { QuizEditor } from './quiz-editor.tsx'
import { LotteryWinners, QuizResults, SurveyResults } from './results.tsx'
import { SurveyEditor } from './survey-editor.tsx'
import { type Localized, it, mayEdit, statusOf, view } from './state.ts'
import type { Status } from './texts.ts'

/** Quizzes, lotteries and surveys with where each stands; the editors and results open from here. */
export function InteractionsPage() {
  const open = view.value
  if (open?.show === 'quiz') return <QuizEditor quiz={open.quiz} />
  if (open?.show === 'lottery') return <LotteryEditor lottery={open.lottery} />
  if (open?.show === 'survey') return <SurveyEditor survey={open.survey} />
  if (open?.show === 'quizResults') return <QuizResults id={open.id} />
  if (open?.show === 'winners') return <LotteryWinners id={open.id} />
  if (open?.show === 'surveyResults') return <SurveyResults id={open.id} />
  return (
    <>
      <Quizzes />
      <Lotteries />
      <Surveys />
    </>
  )
}

function Head({ title, add, onAdd }: { title: string; add: string; onAdd: () => void }) {
  return (
    <div class="section-head">
      <h2>{title}</h2>
      {mayEdit() && <button onClick={onAdd}>{add}</button>}
    </div>
  )
}

function Title({ text, children }: { text: Localized; children?: ComponentChildren }) {
  const [first = '', other] = bothTexts(text)
  return (
    <span class="who">
      <strong>{first}</strong>
      {other && other !== first && <small> · {other}</small>}
      <br />
      <small>{children}</small>
    </span>
  )
}

const Badge = ({ status }: { status: Status }) => (
  <span class={`badge ${status}`} data-testid="status">
    {it().status[status]}
  </span>
)

function Quizzes() {
  const list = useLoad(() => call('get', '/api/v1/quizzes'), [version.value], fail)
  const edit = async (id: string) => {
    view.value = {
      show: 'quiz',
      quiz: await call('get', '/api/v1/quizzes/{id}', { params: { id } }),
    }
  }
  return (
    <section class="card" data-testid="quizzes">
      <Head
        title={it().quizzes}
        add={it().newQuiz}
        onAdd={() => (view.value = { show: 'quiz', quiz: null })}
      />
      {list && list.items.length === 0 && <p class="empty">{it().none}</p>}
      <ul class="list">
        {list?.items.map((quiz) => {
          const status = statusOf(quiz)
          return (
            <li key={quiz.id} class="interaction-row" data-quiz={quiz.id}>
              <Title text={quiz.title}>
                {it().questionCount({ n: quiz.questionCount })} ·{' '}
                {it().window({ from: dateTime(quiz.opensAt), to: dateTime(quiz.closesAt) })}
              </Title>
              <Badge status={status} />
              <span class="row-actions">
                {(status === 'draft' || status === 'scheduled') && mayEdit() && (
                  <>
                    <button class="secondary" onClick={() => void edit(quiz.id).catch(fail)}>
                      {it().edit}
                    </button>
                    <button
                      class="secondary"
                      onClick={() =>
                        confirm(it().startConfirm({ title: named(quiz.title) }), () =>
                          call('post', '/api/v1/quizzes/{id}/start', { params: { id: quiz.id } }),
                        )
                      }
                    >
                      {it().start}
                    </button>
                  </>
                )}
                <button
                  class="secondary"
                  onClick={() => (view.value = { show: 'quizResults', id: quiz.id })}
                >
                  {it().results}
                </button>
              </span>
            </li>
          )
        })}
      </ul>
    </section>
  )
}

function Lotteries() {
  const list = useLoad(() => call('get', '/api/v1/lotteries'), [version.value], fail)
  return (
    <section class="card" data-testid="lotteries">
      <Head
        title={it().lotteries}
        add={it().newLottery}
        onAdd={() => (view.value = { show: 'lottery', lottery: null })}
      />
      {list && list.items.length === 0 && <p class="empty">{it().none}</p>}
      <ul class="list">
        {list?.items.map((lottery) => {
          const status = statusOf(lottery)
          return (
            <li key={lottery.id} class="interaction-row" data-lottery={lottery.id}>
              <Title text={lottery.title}>
                {it().price({ points: lottery.costPoints, free: lottery.freeDrawsPerDay })} ·{' '}
                {it().window({ from: dateTime(lottery.opensAt), to: dateTime(lottery.closesAt) })}
              </Title>
              <Badge status={status} />
              <span class="row-actions">
                {status === 'scheduled' && mayEdit() && (
                  <button
                    class="secondary"
                    onClick={() => (view.value = { show: 'lottery', lottery })}
                  >
                    {it().edit}
                  </button>
                )}
                <button
                  class="secondary"
                  onClick={() => (view.value = { show: 'winners', id: lottery.id })}
                >
                  {it().winners}
                </button>
              </span>
            </li>
          )
        })}
      </ul>
    </section>
  )
}

function Surveys() {
  const list = useLoad(() => call('get', '/api/v1/surveys'), [version.value], fail)
  const programme = useLoad(() => call('get', '/api/v1/programme'), [version.value], fail)
  const sent = programme?.config.reminders.orderSurvey
  const which = sent?.surveyId && list?.items.find((s) => s.id === sent.surveyId)
  return (
    <section class="card" data-testid="surveys">
      <Head
        title={it().surveys}
        add={it().newSurvey}
        onAdd={() => (view.value = { show: 'survey', survey: null })}
      />
      {sent && (
        <p class="hint" data-testid="survey-sent">
          {it().sentWhen({
            when: sent.enabled
              ? `${it().sentAfter[sent.after]({ hours: sent.delayHours })}, ${
                  which ? it().sentWhich({ title: named(which.title) }) : it().sentNewest
                }`
              : it().sentOff,
          })}
        </p>
      )}
      {list && list.items.length === 0 && <p class="empty">{it().none}</p>}
      <ul class="list">
        {list?.items.map((survey) => (
          <li key={survey.id} class="interaction-row" data-survey={survey.id}>
            <Title text={survey.title}>{named(survey.question)}</Title>
            <Badge status={survey.active ? 'open' : 'draft'} />
            <span class="row-actions">
              {!survey.active && mayEdit() && (
                <button class="secondary" onClick={() => (view.value = { show: 'survey', survey })}>
                  {it().edit}
                </button>
              )}
              <button
                class="secondary"
                onClick={() => (view.value = { show: 'surveyResults', id: survey.id })}
              >
                {it().results}
              </button>
            </span>
          </li>
        ))}
      </ul>
    </section>
  )
}
