import { useState } from 'preact/hooks'
import { call } from '../../ui/api.ts'
import { useLoad } from '../../ui/load.ts'
import { fail, version } from '../state.ts'
import { BothLanguages, DailyCap, EditorForm, NumberField } from './fields.tsx'
import { type Localized, explain, it, view } from './state.ts'

const blank = (): Localized => ({ 'zh-CN': '', en: '' })

/** A survey's form: its title and its question on the 7-level scale in both languages. */
export function SurveyEditor() {
  const [title, setTitle] = useState<Localized>(blank())
  const [question, setQuestion] = useState<Localized>(blank())
  const [rewardPoints, setPoints] = useState<number | null>(0)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const programme = useLoad(() => call('get', '/api/v1/programme'), [], fail)

  const save = async () => {
    setBusy(true)
    try {
      await call('post', '/api/v1/surveys', {
        body: { title, question, rewardPoints: rewardPoints ?? 0 },
      })
      version.value++
      view.value = null
    } catch (failure) {
      setError(
        explain(failure, (field) =>
          field === 'question'
            ? it().surveyQuestionZh
            : field === 'rewardPoints'
              ? it().rewardPoints
              : it().titleZh,
        ),
      )
    } finally {
      setBusy(false)
    }
  }

  return (
    <EditorForm
      title={it().newSurvey}
      onSave={() => void save()}
      busy={busy}
      error={error}
      save={it().save}
      back={it().back}
      onBack={() => (view.value = null)}
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
    </EditorForm>
  )
}
