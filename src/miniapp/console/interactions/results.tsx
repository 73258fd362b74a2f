import type { ComponentChildren } from 'preact'
import { ApiError, call } from '../../ui/api.ts'
import { useLoad } from '../../ui/load.ts'
import { BarChart } from '../chart.tsx'
import { confirm } from '../confirm.tsx'
import { dateTime, named, number } from '../format.ts'
import { fail, may, version } from '../state.ts'
import { chance, it, view } from './state.ts'

function Frame({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section class="card">
      <div class="section-head">
        <h2>{title}</h2>
        <button class="secondary" onClick={() => (view.value = null)}>
          {it().back}
        </button>
      </div>
      {children}
    </section>
  )
}

function Figures({ items }: { items: [string, string][] }) {
  return (
    <dl class="figures">
      {items.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  )
}

const oneDecimal = (n: number | null) =>
  n === null ? '—' : n.toLocaleString(undefined, { maximumFractionDigits: 1 })

/** A quiz's take-up, scores and leaderboard (most right answers, then who finished first). */
export function QuizResults({ id }: { id: string }) {
  const results = useLoad(
    () => call('get', '/api/v1/quizzes/{id}/results', { params: { id } }),
    [id, version.value],
    fail,
  )
  return (
    <Frame title={results ? `${it().results} · ${named(results.quiz.title)}` : it().results}>
      {results && (
        <>
          <Figures
            items={[
              [it().started, number(results.started)],
              [it().completed, number(results.completed)],
              [it().averageCorrect, oneDecimal(results.averageCorrect)],
              [it().pointsAwarded, number(results.pointsAwarded)],
            ]}
          />
          <h3 class="results-head">{it().leaderboard}</h3>
          {results.leaderboard.length === 0 && <p class="empty">{it().noneYet}</p>}
          <ol class="list" data-testid="leaderboard">
            {results.leaderboard.map((row) => (
              <li key={row.memberId} class="row">
                <span class="rank">{row.rank}</span>
                <span class="grow">
                  <strong>{row.displayName}</strong> <small class="mono">{row.code}</small>
                  <br />
                  <small>{dateTime(row.completedAt)}</small>
                </span>
                <span>
                  {it().correct} {row.correct}/{results.quiz.questionCount}
                </span>
              </li>
            ))}
          </ol>
        </>
      )}
    </Frame>
  )
}

/** A lottery's winners, newest first; a gift not yet handed over is marked so after asking. */
export function LotteryWinners({ id }: { id: string }) {
  const lottery = useLoad(
    () => call('get', '/api/v1/lotteries/{id}', { params: { id } }),
    [id, version.value],
    fail,
  )
  const draws = useLoad(
    () =>
      call('get', '/api/v1/lotteries/{id}/draws', { params: { id }, query: { winners: 'true' } }),
    [id, version.value],
    fail,
  )
  const mayFulfil = may('POST /api/v1/lottery-draws/{id}/fulfil')
  return (
    <Frame title={lottery ? named(lottery.title) : it().winners}>
      <h3 class="results-head">{it().prizes}</h3>
      {lottery && (
        <ul class="list" data-testid="prizes">
          {lottery.prizes.map((prize) => (
            <li key={prize.id} class="row">
              <span class="grow">{named(prize.name)}</span>
              <small>
                {it().won({ n: prize.won })} ·{' '}
                {prize.stock === null ? it().unlimited : it().left({ n: prize.stock })} ·{' '}
                {chance(prize.probability)}
              </small>
            </li>
          ))}
        </ul>
      )}
      <h3 class="results-head">{it().winners}</h3>
      {draws && draws.items.length === 0 && <p class="empty">{it().noneYet}</p>}
      <ul class="list" data-testid="winners">
        {draws?.items.map((draw) => (
          <li key={draw.id} class="row" data-draw={draw.id}>
            <span class="grow">
              <strong>{named(draw.prize)}</strong> · {draw.displayName}{' '}
              <small class="mono">{draw.memberCode}</small>
              {draw.phone && <small> · {draw.phone}</small>}
              <br />
              <small>
                {it().drawnAt} {dateTime(draw.createdAt)}
                {draw.couponCode && ` · ${it().coupon({ code: draw.couponCode })}`}
              </small>
            </span>
            {draw.kind === 'points' ? (
              <small>{it().pointsPrize}</small>
            ) : draw.fulfilledAt ? (
              <small data-testid="fulfilled">
                {it().fulfilled({ at: dateTime(draw.fulfilledAt) })}
              </small>
            ) : (
              mayFulfil && (
                <button
                  class="secondary"
                  onClick={() =>
                    confirm(
                      it().fulfilConfirm({ prize: named(draw.prize), name: draw.displayName }),
                      () =>
                        call('post', '/api/v1/lottery-draws/{id}/fulfil', {
                          params: { id: draw.id },
                        }),
                      // Someone at the counter marked it first: the list shows it, fetched again.
                      (error) => {
                        const done = error instanceof ApiError && error.code === 'already_done'
                        if (done) version.value++
                        return done
                      },
                    )
                  }
                >
                  {it().fulfil}
                </button>
              )
            )}
          </li>
        ))}
      </ul>
    </Frame>
  )
}

/** A survey's answers: the figures, the distribution over the 7 levels, the weeks and comments. */
export function SurveyResults({ id }: { id: string }) {
  const summary = useLoad(
    () => call('get', '/api/v1/surveys/{id}/summary', { params: { id } }),
    [id, version.value],
    fail,
  )
  const most = Math.max(1, ...(summary?.distribution.map((d) => d.responses) ?? []))
  return (
    <Frame title={summary ? `${it().results} · ${named(summary.survey.title)}` : it().results}>
      {summary && (
        <>
          <p>{named(summary.survey.question)}</p>
          <Figures
            items={[
              [it().responses, number(summary.responses)],
              [it().average, oneDecimal(summary.average)],
              [
                it().satisfied,
                summary.satisfied === null ? '—' : `${oneDecimal(summary.satisfied * 100)}%`,
              ],
            ]}
          />
          <h3 class="results-head">{it().distribution}</h3>
          <ul class="distribution" data-testid="distribution">
            {summary.distribution.map((level) => (
              <li key={level.score} data-score={level.score}>
                <span class="level">
                  {level.score} · {it().scale[level.score - 1]}
                </span>
                <span class="bar">
                  <span style={{ width: `${(100 * level.responses) / most}%` }} />
                </span>
                <span class="count">{number(level.responses)}</span>
              </li>
            ))}
          </ul>
          {summary.trend.length > 0 && (
            <div class="charts">
              <BarChart
                testId="trend"
                title={`${it().trend} · ${it().average}`}
                format={oneDecimal}
                bars={summary.trend.map((week) => ({
                  key: week.week,
                  label: `${it().week} ${week.week}: ${number(week.responses)}`,
                  value: week.average ?? 0,
                }))}
              />
            </div>
          )}
          <h3 class="results-head">{it().comments}</h3>
          {summary.comments.length === 0 && <p class="empty">{it().noneYet}</p>}
          <ul class="list" data-testid="comments">
            {summary.comments.map((comment) => (
              <li key={comment.createdAt + comment.comment} class="row">
                <span class="grow">{comment.comment}</span>
                <small>
                  {comment.score} · {dateTime(comment.createdAt)}
                </small>
              </li>
            ))}
          </ul>
        </>
      )}
    </Frame>
  )
}
