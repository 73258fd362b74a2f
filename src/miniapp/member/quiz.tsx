import { useEffect, useState } from 'preact/hooks'
import { type Ok, call } from '../ui/api.ts'
import { Dialog } from '../ui/dialog.tsx'
import { haptic } from '../ui/telegram.ts'
import { closeAndRefresh, refuse } from './notice.tsx'
import { t } from './state.ts'

type Quiz = Ok<'/api/miniapp/quizzes', 'get'>['items'][number]
type Step = Ok<'/api/miniapp/quizzes/{id}/begin', 'post'>

/** A quiz in a dialog, one question at a time; the server keeps the attempt. */
export function QuizDialog({ quiz }: { quiz: Quiz }) {
  const [step, setStep] = useState<Step>()
  // The answer just given: shown with a "next" before the following question.
  const [feedback, setFeedback] = useState<Step>()
  useEffect(() => {
    call('post', '/api/miniapp/quizzes/{id}/begin', { params: { id: quiz.id } }).then(
      setStep,
      refuse,
    )
  }, [quiz.id])
  const answer = (index: number, choice: number) =>
    call('post', '/api/miniapp/quizzes/{id}/answers', {
      params: { id: quiz.id },
      body: { index, choice },
    }).then((next) => {
      if (next.result) haptic('success')
      setFeedback(next.stale ? undefined : next)
      setStep(next)
    }, refuse)
  if (!step) return null
  return (
    <Dialog>
      <h2>{quiz.title}</h2>
      <div data-testid="quiz">
        {feedback?.wasCorrect !== undefined && (
          <p class={feedback.wasCorrect ? 'plus' : 'minus'}>
            {feedback.wasCorrect ? t().right : t().wrong({ answer: feedback.rightChoice ?? '' })}
          </p>
        )}
        {step.result ? (
          <>
            <p data-testid="quiz-result">
              {t().quizDone({
                correct: step.result.correct,
                total: step.result.total,
                points: step.result.pointsAwarded,
              })}
            </p>
            <div class="actions">
              <button onClick={closeAndRefresh}>{t().close}</button>
            </div>
          </>
        ) : feedback ? (
          <div class="actions">
            <button onClick={() => setFeedback(undefined)}>{t().next}</button>
          </div>
        ) : (
          step.question && (
            <>
              <p class="hint">{t().questionOf({ index: step.index + 1, total: step.total })}</p>
              <p class="question">{step.question.text}</p>
              <div class="choices">
                {step.question.choices.map((choice, i) => (
                  <button class="secondary" key={i} onClick={() => void answer(step.index, i)}>
                    {choice}
                  </button>
                ))}
              </div>
            </>
          )
        )}
      </div>
    </Dialog>
  )
}
