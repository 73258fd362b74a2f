import { useState } from 'preact/hooks'
import { call } from '../../ui/api.ts'
import { useLoad } from '../../ui/load.ts'
import { fail } from '../state.ts'
import { BothLanguages, DailyCap, EditorForm, NumberField } from './fields.tsx'
import { type Localized, type Survey, it } from './state.ts'

const blank = (): Localized => ({ 'zh-CN': '', en: '' })

/** A survey's form: its title and its question on the 7-level scale in both languages. */
export function SurveyEditor({ survey }: { survey: Survey | null }) {
  const [title, setTitle] = useState<Localized>(survey?.title ?? blank())
  const [question, setQuestion] = useState<Localized>(survey?.question ?? blank())
  const [rewardPoints, setPoints] = useState<number | null>(survey?.rewardPoints ?? 0)
  const [active, setActive] = useState(survey?.active ?? true)
  const programme = useLoad(() => call('get', '/api/v1/programme'), [], fail)

  const save = () => {
    const body = { title, question, rewardPoints: rewardPoints ?? 0, active }
    return survey
      ? call('put', '/api/v1/surveys/{id}', { params: { id: survey.id }, body })
      : call('post', '/api/v1/surveys', { body })
  }

  return (
    <EditorForm
      title={survey ? it().editSurvey : it().newSurvey}
      submit={save}
      fieldLabel={fieldLabel}
    >
      <p class="hint">{it().bothHint}</p>
      <BothLanguages
        zh={it().titleZh}
        en={it().titleEn}
        value={title}
        onChange={setTitle}
        max={200}
      />
      <p class="hint">{it().questionScale}</p>
      <BothLanguages
        zh={it().surveyQuestionZh}
        en={it().surveyQuestionEn}
        value={question}
        onChange={setQuestion}
        max={500}
      />
      <div class="both">
        <NumberField label={it().rewardPoints} value={rewardPoints} onChange={setPoints} />
      </div>
      <DailyCap kind="survey" caps={programme?.config.interactions.dailyCaps} />
      <label class="check">
        <input
          type="checkbox"
          name="active"
          checked={active}
          onChange={(e) => setActive(e.currentTarget.checked)}
        />
        {it().askNow}
      </label>
      <p class="hint">{it().askNowHint}</p>
    </EditorForm>
  )
}

function fieldLabel(field: string): string {
  if (field === 'question') return it().surveyQuestionZh
  if (field === 'rewardPoints') return it().rewardPoints
  return it().titleZh
}
