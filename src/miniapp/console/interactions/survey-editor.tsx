import { useState } from 'preact/hooks'
import { call } from '../../ui/api.ts'
import { useLoad } from '../../ui/load.ts'
import { fail } from '../state.ts'
import { BothLanguages, DailyCap, EditorForm, NumberField } from './fields.tsx'
import { type Localized, it } from './state.ts'

const blank = (): Localized => ({ 'zh-CN': '', en: '' })

/** A survey's form: its title and its question on the 7-level scale in both languages. */
export function SurveyEditor() {
  const [title, setTitle] = useState<Localized>(blank())
  const [question, setQuestion] = useState<Localized>(blank())
  const [rewardPoints, setPoints] = useState<number | null>(0)
  const programme = useLoad(() => call('get', '/api/v1/programme'), [], fail)

  const save = () =>
    call('post', '/api/v1/surveys', { body: { title, question, rewardPoints: rewardPoints ?? 0 } })

  return (
    <EditorForm title={it().newSurvey} submit={save} fieldLabel={fieldLabel}>
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
    </EditorForm>
  )
}

function fieldLabel(field: string): string {
  if (field === 'question') return it().surveyQuestionZh
  if (field === 'rewardPoints') return it().rewardPoints
  return it().titleZh
}
