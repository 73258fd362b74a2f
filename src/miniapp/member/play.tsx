import { type Ok, call } from '../ui/api.ts'
import { Dialog } from '../ui/dialog.tsx'
import { useLoad } from '../ui/load.ts'
import { haptic } from '../ui/telegram.ts'
import { CouponCode } from './coupons.tsx'
import { act, closeAndRefresh } from './notice.tsx'
import { QuizDialog } from './quiz.tsx'
import { dialog, fail, t, version } from './state.ts'

type Lottery = Ok<'/api/miniapp/lotteries', 'get'>['items'][number]

const percent = (p: number) => `${(p * 100).toFixed(p < 0.01 ? 2 : 1)}%`

/** Open lucky draws with their odds, and open quizzes. */
export function PlayView() {
  const data = useLoad(
    () => Promise.all([call('get', '/api/miniapp/lotteries'), call('get', '/api/miniapp/quizzes')]),
    [version.value],
    fail,
  )
  if (!data) return null
  const [{ items: lotteries }, { items: quizzes }] = data
  if (lotteries.length === 0 && quizzes.length === 0)
    return (
      <section class="card">
        <p class="empty">{t().playEmpty}</p>
      </section>
    )
  return (
    <section>
      {lotteries.map((lottery) => (
        <article class="card" data-lottery={lottery.id} key={lottery.id}>
          <h3>{`🎁 ${lottery.title}`}</h3>
          <p class="hint">
            {t().drawCost({ cost: lottery.costPoints, free: lottery.freeLeftToday })}
            {lottery.drawsLeft !== null ? ` · ${t().drawsLeft({ left: lottery.drawsLeft })}` : ''}
          </p>
          <ul class="list odds" aria-label={t().odds}>
            {lottery.prizes.map((prize, i) => (
              <li key={i}>
                <span>{prize.name}</span>
                <small>{percent(prize.probability)}</small>
              </li>
            ))}
          </ul>
          {lottery.exhausted ? (
            <button class="wide secondary" disabled>
              {t().lotteryExhausted}
            </button>
          ) : (
            <button class="wide" onClick={() => void draw(lottery)}>
              {t().draw}
            </button>
          )}
        </article>
      ))}
      {quizzes.map((quiz) => (
        <article class="card reward" data-quiz={quiz.id} key={quiz.id}>
          <div>
            <h3>{`❓ ${quiz.title}`}</h3>
            <p class="hint">{t().questions({ count: quiz.questionCount })}</p>
          </div>
          <button onClick={() => (dialog.value = <QuizDialog quiz={quiz} />)}>
            {t().startQuiz}
          </button>
        </article>
      ))}
    </section>
  )
}

function draw(lottery: Lottery): Promise<void> {
  const write = () =>
    call('post', '/api/miniapp/draws', { body: { lotteryId: lottery.id }, idempotent: true })
  return act(write, (result) => {
    const won = result.prize.kind !== 'nothing'
    haptic(won ? 'success' : 'error')
    return (
      <Dialog>
        <h2 data-testid="draw-result">{won ? t().won({ prize: result.prize.name }) : t().noWin}</h2>
        {result.prize.points !== null && <p>{t().wonPoints({ points: result.prize.points })}</p>}
        {result.couponCode && <CouponCode code={result.couponCode} />}
        <div class="actions">
          <button onClick={closeAndRefresh}>{t().close}</button>
        </div>
      </Dialog>
    )
  })
}
