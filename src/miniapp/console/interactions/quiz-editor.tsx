import { useState } from 'preact/hooks'
import { type Body, call } from '../../ui/api.ts'
import { useLoad } from '../../ui/load.ts'
import { instantOf, localInput } from '../format.ts'
import { fail } from '../state.ts'
import { BothLanguages, DailyCap, DateField, EditorForm, NumberField } from './fields.tsx'
import { type Localized, type QuizDetail, it } from './state.ts'

type Input = Body<'/api/v1/quizzes', 'post'>
type Question = { text: Localized; choices: Localized[]; answer: number }
type Reward = Input['reward']

const blank = (): Localized => ({ 'zh-CN': '', en: '' })
const newQuestion = (): Question => ({ text: blank(), choices: [blank(), blank()], answer: 0 })
const HOUR = 3_600_000

/** A quiz's form: its texts in both languages, questions with the right answer, points, schedule. */
export function QuizEditor({ quiz }: { quiz: QuizDetail | null }) {
  const [title, setTitle] = useState<Localized>(quiz?.title ?? blank())
  const [questions, setQuestions] = useState<Question[]>(quiz?.questions ?? [newQuestion()])
  const [reward, setReward] = useState<Reward>(quiz?.reward ?? { mode: 'per_correct', points: 10 })
  const [minTier, setMinTier] = useState(quiz?.minTierCode ?? '')
  const [opensAt, setOpensAt] = useState(
    localInput(quiz?.opensAt ?? new Date(Date.now() + 24 * HOUR).toISOString()),
  )
  const [closesAt, setClosesAt] = useState(
    localInput(quiz?.closesAt ?? new Date(Date.now() + 8 * 24 * HOUR).toISOString()),
  )
  const programme = useLoad(() => call('get', '/api/v1/programme'), [], fail)

  const change = (index: number, next: Partial<Question>) =>
    setQuestions(questions.map((q, i) => (i === index ? { ...q, ...next } : q)))

  const save = async () => {
    const body: Input = {
      title,
      questions,
      reward,
      minTierCode: minTier || null,
      opensAt: instantOf(opensAt) ?? '',
      closesAt: instantOf(closesAt) ?? '',
      active: quiz?.active ?? true,
    }
    return quiz
      ? call('put', '/api/v1/quizzes/{id}', { params: { id: quiz.id }, body })
      : call('post', '/api/v1/quizzes', { body })
  }

  return (
    <EditorForm title={quiz ? it().editQuiz : it().newQuiz} submit={save} fieldLabel={fieldLabel}>
      <p class="hint">{it().bothHint}</p>
      <BothLanguages
        zh={it().titleZh}
        en={it().titleEn}
        value={title}
        onChange={setTitle}
        max={200}
      />
      {questions.map((question, q) => (
        <fieldset key={q} class="quiz-question" data-question={q}>
          <legend>{it().question({ n: q + 1 })}</legend>
          <BothLanguages
            zh={it().questionZh}
            en={it().questionEn}
            value={question.text}
            onChange={(text) => change(q, { text })}
            max={500}
          />
          {question.choices.map((choice, c) => (
            <div key={c} class="choice" data-choice={c}>
              <BothLanguages
                zh={it().choiceZh({ n: c + 1 })}
                en={it().choiceEn({ n: c + 1 })}
                value={choice}
                onChange={(text) =>
                  change(q, { choices: question.choices.map((x, i) => (i === c ? text : x)) })
                }
                max={200}
              />
              <label class="check">
                <input
                  type="radio"
                  name={`answer-${q}`}
                  checked={question.answer === c}
                  onChange={() => change(q, { answer: c })}
                />
                {it().rightAnswer}
              </label>
              {question.choices.length > 2 && (
                <button
                  type="button"
                  class="secondary"
                  onClick={() =>
                    change(q, {
                      choices: question.choices.filter((_, i) => i !== c),
                      answer:
                        question.answer === c ? 0 : question.answer - (question.answer > c ? 1 : 0),
                    })
                  }
                >
                  {it().removeChoice}
                </button>
              )}
            </div>
          ))}
          <div class="actions">
            {question.choices.length < 6 && (
              <button
                type="button"
                class="secondary"
                onClick={() => change(q, { choices: [...question.choices, blank()] })}
              >
                {it().addChoice}
              </button>
            )}
            {questions.length > 1 && (
              <button
                type="button"
                class="secondary"
                onClick={() => setQuestions(questions.filter((_, i) => i !== q))}
              >
                {it().removeQuestion}
              </button>
            )}
          </div>
        </fieldset>
      ))}
      <div class="actions">
        <button
          type="button"
          class="secondary"
          onClick={() => setQuestions([...questions, newQuestion()])}
        >
          {it().addQuestion}
        </button>
      </div>
      <p class="hint">{it().answerKept}</p>
      <div class="both">
        <label>
          {it().rewardMode}
          <select
            value={reward.mode}
            onChange={(e) =>
              setReward(
                e.currentTarget.value === 'pass'
                  ? { mode: 'pass', threshold: questions.length, points: reward.points }
                  : { mode: 'per_correct', points: reward.points },
              )
            }
          >
            <option value="per_correct">{it().perCorrect}</option>
            <option value="pass">{it().pass}</option>
          </select>
        </label>
        <NumberField
          label={it().points}
          value={reward.points}
          onChange={(points) => setReward({ ...reward, points: points ?? 0 })}
        />
        {reward.mode === 'pass' && (
          <NumberField
            label={it().threshold}
            min={1}
            value={reward.threshold}
            onChange={(threshold) => setReward({ ...reward, threshold: threshold ?? 1 })}
          />
        )}
        <label>
          {it().minTier}
          <select value={minTier} onChange={(e) => setMinTier(e.currentTarget.value)}>
            <option value="">{it().anyTier}</option>
            {programme?.config.tiers.map((tier) => (
              <option key={tier.code} value={tier.code}>
                {tier.name['zh-CN']} · {tier.name.en}
              </option>
            ))}
          </select>
        </label>
      </div>
      <DailyCap kind="quiz" caps={programme?.config.interactions.dailyCaps} />
      <div class="both">
        <DateField label={it().opensAt} value={opensAt} onChange={setOpensAt} />
        <DateField label={it().closesAt} value={closesAt} onChange={setClosesAt} />
      </div>
    </EditorForm>
  )
}

/** The form's words for a field the server names in a refusal (`questions.0.answer`...). */
function fieldLabel(field: string): string {
  const [top, index, part] = field.split('.')
  if (top === 'questions' && index !== undefined)
    return `${it().question({ n: Number(index) + 1 })}${part === 'answer' ? ` · ${it().rightAnswer}` : ''}`
  const labels: Record<string, string> = {
    title: it().titleZh,
    reward: it().points,
    minTierCode: it().minTier,
    opensAt: it().opensAt,
    closesAt: it().closesAt,
  }
  return (field.endsWith('threshold') ? it().threshold : labels[top ?? '']) ?? field
}
