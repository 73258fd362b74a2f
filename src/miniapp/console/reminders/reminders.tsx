import '../programme/programme.css'
import { useEffect, useState } from 'preact/hooks'
import { ApiError, type Body, type Ok, call } from '../../ui/api.ts'
import { useLoad } from '../../ui/load.ts'
import { confirm } from '../confirm.tsx'
import { money, number, percent } from '../format.ts'
import { PeriodPicker, periodChoice } from '../period.tsx'
import { fail, locale, version } from '../state.ts'
import { Check, Choice, DraftContext, Num, Text } from '../programme/fields.tsx'
import { setAt } from '../programme/state.ts'
import { type Kind, REMINDER_TEXTS } from './texts.ts'

type Settings = Body<'/api/v1/reminders/settings', 'put'>
type Template = Ok<'/api/v1/reminders/templates', 'get'>['items'][number]

const rt = () => REMINDER_TEXTS[locale.value]

/** Where each kind's settings live in the reminders section, and its timing beyond on/off. */
const SECTION: Record<Kind, keyof Settings> = {
  usage_cycle: 'usageCycle',
  win_back: 'winBack',
  points_expiring: 'pointsExpiring',
  tier_upgrade: 'tierUpgrade',
  tier_downgrade: 'tierDowngrade',
  order_shipped: 'orderShipped',
  order_delivered: 'orderDelivered',
  order_survey: 'orderSurvey',
  points_changed: 'pointsChanged',
}

/**
 * The reminders a manager runs: each kind on or off and when, its texts with a live preview for
 * a sample member, and what the reminders brought. Settings are saved through the managers'
 * own route, which reaches only the reminders section of the programme.
 */
export function RemindersPage() {
  const programme = useLoad(() => call('get', '/api/v1/programme'), [version.value], fail)
  const templates = useLoad(() => call('get', '/api/v1/reminders/templates'), [version.value], fail)
  // Kept here, not in the form: a save that came second reloads the form afresh.
  const [overtaken, setOvertaken] = useState(false)
  if (!programme || !templates) return null
  const {
    templates: _texts,
    officialTemplates: _official,
    ...settings
  } = programme.config.reminders
  const reload = () => {
    setOvertaken(true)
    version.value++
  }
  return (
    <>
      {overtaken && (
        <p class="card error" role="alert" data-testid="overtaken">
          {rt().changed}
        </p>
      )}
      <SettingsForm
        key={programme.version}
        overtaken={reload}
        basedOn={programme.version}
        initial={settings}
        templates={templates.items}
      />
      <Results />
    </>
  )
}

function SettingsForm(props: {
  basedOn: number
  initial: Settings
  templates: Template[]
  overtaken: () => void
}) {
  const [draft, setDraft] = useState<Settings>(props.initial)
  // A text saved from this page is a version too: the settings are then based on it.
  const [basedOn, setBasedOn] = useState(props.basedOn)
  const [refused, setRefused] = useState<string | null>(null)
  const [note, setNote] = useState<string | null>(null)
  const set = (path: string, next: unknown) => setDraft((value) => setAt(value, path, next))
  const t = rt()
  const explain = (error: unknown): boolean => {
    if (!(error instanceof ApiError)) return false
    if (error.code === 'invalid_input' && error.field) {
      setRefused(error.field)
      setNote(t.invalid({ field: wordsOf(error.field) }))
      return true
    }
    if (error.code === 'programme_changed') {
      props.overtaken()
      return true
    }
    return false
  }
  const save = () =>
    confirm(
      t.confirmSettings,
      () =>
        call('put', '/api/v1/reminders/settings', {
          body: draft,
          query: { basedOn },
        }),
      explain,
      props.templates.map(
        ({ kind }) =>
          `${t.kind[kind]}: ${(draft[SECTION[kind]] as { enabled?: boolean }).enabled === false ? t.off : t.on}`,
      ),
    )
  const steps = draft.winBack?.steps ?? []
  return (
    <DraftContext.Provider value={{ value: draft, set, refused }}>
      <form
        class="form programme-form"
        onSubmit={(event) => {
          event.preventDefault()
          save()
        }}
      >
        <section class="card">
          <h2>{t.general}</h2>
          <div class="form">
            <Text path="sendAt" type="time" label={t.sendAt} />
            <Num path="conversionDays" label={t.conversionDays} />
            <Num path="frequencyCap.messages" label={t.capMessages} />
            <Num path="frequencyCap.days" label={t.capDays} />
          </div>
        </section>
        {props.templates.map((template) => {
          const kind = template.kind
          const section = SECTION[kind]
          return (
            <section class="card" key={kind} data-kind={kind}>
              <h2>{t.kind[kind]}</h2>
              <p class="hint">{t.purpose[template.purpose]}</p>
              <div class="form">
                <Check path={`${section}.enabled`} label={t.enabled} />
                {kind === 'usage_cycle' && (
                  <Num path="usageCycle.daysBefore" label={t.usageDaysBefore} />
                )}
                {kind === 'win_back' && (
                  <>
                    <Num path="winBack.minOrders" label={t.minOrders} />
                    <label>
                      {t.steps}
                      <input
                        type="text"
                        value={steps.map((step) => step.days).join(', ')}
                        onChange={(e) =>
                          set(
                            'winBack.steps',
                            e.currentTarget.value
                              .split(/[,，]/)
                              .map((word) => word.trim())
                              .filter(Boolean)
                              // A step keeps its gift where its place in the list stays.
                              .map((days, i) => ({ ...steps[i], days: Number(days) })),
                          )
                        }
                      />
                    </label>
                    <Num path="winBack.lastStepWindowDays" label={t.lastStepWindowDays} />
                  </>
                )}
                {kind === 'points_expiring' && (
                  <>
                    <Num path="pointsExpiring.daysBefore" label={t.daysBefore} />
                    <Num path="pointsExpiring.minPoints" label={t.minPoints} />
                  </>
                )}
                {kind === 'tier_downgrade' && (
                  <Num path="tierDowngrade.daysBefore" label={t.daysBefore} />
                )}
                {kind === 'order_survey' && (
                  <>
                    <Choice
                      path="orderSurvey.after"
                      options={['delivered', 'order']}
                      words={[t.afterDelivered, t.afterOrder]}
                      label={t.after}
                    />
                    <Num path="orderSurvey.delayHours" label={t.delayHours} />
                  </>
                )}
                <Num path={`holdoutPercent.${kind}`} label={t.holdout} placeholder="0" />
              </div>
              <TemplateEditor
                template={template}
                basedOn={basedOn}
                onSaved={setBasedOn}
                overtaken={props.overtaken}
              />
            </section>
          )
        })}
        {note && (
          <p class={refused ? 'error' : 'hint'} role="status" data-testid="note">
            {note}
          </p>
        )}
        <div class="actions sticky">
          <button type="submit">{t.saveSettings}</button>
        </div>
      </form>
    </DraftContext.Provider>
  )
}

/** The words of a setting the server names, as its field is labelled on this page. */
function wordsOf(path: string): string {
  const t = rt()
  const words: Record<string, string> = {
    sendAt: t.sendAt,
    conversionDays: t.conversionDays,
    'frequencyCap.messages': t.capMessages,
    'frequencyCap.days': t.capDays,
    'usageCycle.daysBefore': t.usageDaysBefore,
    'winBack.minOrders': t.minOrders,
    'winBack.steps': t.steps,
    'winBack.lastStepWindowDays': t.lastStepWindowDays,
    'pointsExpiring.daysBefore': t.daysBefore,
    'pointsExpiring.minPoints': t.minPoints,
    'tierDowngrade.daysBefore': t.daysBefore,
    'orderSurvey.after': t.after,
    'orderSurvey.delayHours': t.delayHours,
  }
  const kind = Object.entries(SECTION).find(([, section]) => path.startsWith(`${section}.`))?.[0]
  const own = words[path] ?? (path.startsWith('winBack.steps') ? t.steps : undefined)
  if (path.startsWith('holdoutPercent.')) return t.holdout
  return [kind && t.kind[kind as Kind], own ?? path].filter(Boolean).join(' · ')
}

/** A kind's text in both languages, previewed for a sample member as it is typed. */
function TemplateEditor(props: {
  template: Template
  basedOn: number
  onSaved: (version: number) => void
  overtaken: () => void
}) {
  const { template } = props
  const [text, setText] = useState(template.text)
  const [preview, setPreview] = useState<Ok<'/api/v1/reminders/templates/{kind}/preview', 'post'>>()
  const [note, setNote] = useState<string | null>(null)
  const t = rt()
  useEffect(() => {
    // Asked a moment after the last key, so that typing sends one request, not one a letter.
    const timer = setTimeout(() => {
      const complete = text['zh-CN'].trim() && text.en.trim()
      call('post', '/api/v1/reminders/templates/{kind}/preview', {
        params: { kind: template.kind },
        body: complete ? { text } : {},
      }).then(setPreview, fail)
    }, 250)
    return () => clearTimeout(timer)
  }, [text['zh-CN'], text.en])
  const saveText = (value: typeof text | null) =>
    call('put', '/api/v1/reminders/templates/{kind}', {
      params: { kind: template.kind },
      query: { basedOn: props.basedOn },
      body: { text: value },
    }).then(
      (saved) => {
        setText(saved.text)
        setNote(t.textSaved)
        props.onSaved(saved.version)
      },
      (error: unknown) => {
        if (error instanceof ApiError && error.code === 'invalid_input')
          setNote(t.invalid({ field: error.field?.endsWith('.en') ? t.textEn : t.textZh }))
        else if (error instanceof ApiError && error.code === 'programme_changed') props.overtaken()
        else fail(error)
      },
    )
  return (
    <div class="form template">
      {(['zh-CN', 'en'] as const).map((lang) => (
        <label key={lang}>
          {lang === 'en' ? t.textEn : t.textZh}
          <textarea
            rows={3}
            value={text[lang]}
            onInput={(e) => setText({ ...text, [lang]: e.currentTarget.value })}
          />
        </label>
      ))}
      <p class="hint placeholders">
        {t.placeholders}{' '}
        {template.placeholders.map((name) => (
          <code key={name}>{`{${name}}`} </code>
        ))}
      </p>
      {preview && (
        <div class="reminder-preview" data-testid="reminder-preview">
          <strong>{t.preview}</strong>
          {(['zh-CN', 'en'] as const).map((lang) => (
            <p key={lang} data-locale={lang}>
              <small class="hint">{t.previewIn[lang]}</small>
              <br />
              {preview.rendered[lang]}
            </p>
          ))}
          {preview.unknown.length > 0 && (
            <p class="error" role="alert">
              {t.unknown({ names: preview.unknown.map((n) => `{${n}}`).join(' ') })}
            </p>
          )}
        </div>
      )}
      {note && (
        <p class="hint" role="status">
          {note}
        </p>
      )}
      <div class="actions">
        {template.edited && (
          <button type="button" class="secondary" onClick={() => void saveText(null)}>
            {t.resetText}
          </button>
        )}
        <button type="button" class="secondary" onClick={() => void saveText(text)}>
          {t.saveText}
        </button>
      </div>
    </div>
  )
}

const chosen = periodChoice()

/**
 * What each kind brought, from the reminders' own results (`GET /reminders/stats`) for those
 * created in the chosen period.
 */
function Results() {
  const query = chosen.query()
  const stats = useLoad(
    () => call('get', '/api/v1/reminders/stats', { query }),
    [query.from, query.to, version.value],
    fail,
  )
  const t = rt()
  const rows = stats?.items.filter((row) => row.sent + row.scheduled + row.queued > 0)
  return (
    <section class="card" data-testid="reminder-stats">
      <h2>{t.results}</h2>
      <PeriodPicker choice={chosen} answered={stats?.period} testId="reminder-period" />
      {!rows ? null : rows.length === 0 ? (
        <p class="empty">{t.noResults}</p>
      ) : (
        <div class="table-wrap">
          <table data-testid="reminder-results">
            <thead>
              <tr>
                <th>{t.col.kind}</th>
                <th>{t.col.scheduled}</th>
                <th>{t.col.sent}</th>
                <th>{t.col.opened}</th>
                <th>{t.col.converted}</th>
                <th>{t.col.conversionRate}</th>
                <th>{t.col.sales}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.kind}>
                  <td>{t.kind[row.kind]}</td>
                  <td>{number(row.scheduled + row.queued)}</td>
                  <td>{number(row.sent)}</td>
                  <td>{number(row.opened)}</td>
                  <td>{number(row.converted)}</td>
                  <td>
                    {percent(
                      row.conversionRate === null
                        ? null
                        : Math.round(row.conversionRate * 1000) / 10,
                    )}
                  </td>
                  <td>{money(row.sales)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
