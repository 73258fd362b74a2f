import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { version } from '../state.ts'
import { type Localized, explain, it, view } from './state.ts'

/** A merchant's text for members: its 简体中文 and English inputs side by side. */
export function BothLanguages(props: {
  zh: string
  en: string
  value: Localized
  onChange: (value: Localized) => void
  max: number
}) {
  return (
    <div class="both">
      <label>
        {props.zh}
        <input
          type="text"
          maxLength={props.max}
          value={props.value['zh-CN']}
          onInput={(e) => props.onChange({ ...props.value, 'zh-CN': e.currentTarget.value })}
        />
      </label>
      <label>
        {props.en}
        <input
          type="text"
          maxLength={props.max}
          value={props.value.en}
          onInput={(e) => props.onChange({ ...props.value, en: e.currentTarget.value })}
        />
      </label>
    </div>
  )
}

/** A whole number typed; empty is null where the field allows it. */
export function NumberField(props: {
  label: string
  value: number | null
  onChange: (value: number | null) => void
  min?: number
}) {
  return (
    <label>
      {props.label}
      <input
        type="number"
        min={props.min ?? 0}
        step={1}
        value={props.value ?? ''}
        onInput={(e) => {
          const typed = e.currentTarget.value
          props.onChange(typed.trim() === '' ? null : Number(typed))
        }}
      />
    </label>
  )
}

export function DateField(props: {
  label: string
  value: string
  onChange: (value: string) => void
}) {
  return (
    <label>
      {props.label}
      <input
        type="datetime-local"
        required
        value={props.value}
        onInput={(e) => props.onChange(e.currentTarget.value)}
      />
    </label>
  )
}

/**
 * An editor's frame: its title, the form, the refusal if any, and save or go back. Saving is the
 * same for every interaction: one request at a time, the lists reloaded and the editor closed
 * when it is taken, the server's refusal shown with the field it names.
 */
export function EditorForm(props: {
  title: string
  /** Sends the form; a rejection is the refusal shown. */
  submit: () => Promise<unknown>
  /** The form's name for a field the server refused. */
  fieldLabel: (field: string) => string
  children: ComponentChildren
}) {
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const save = async () => {
    setBusy(true)
    try {
      await props.submit()
      version.value++
      view.value = null
    } catch (failure) {
      setError(explain(failure, props.fieldLabel))
    } finally {
      setBusy(false)
    }
  }
  return (
    <section class="card">
      <h2>{props.title}</h2>
      <form
        class="form interaction-form"
        onSubmit={(event) => {
          event.preventDefault()
          void save()
        }}
      >
        {props.children}
        {error && (
          <p class="error-text" role="alert">
            {error}
          </p>
        )}
        <div class="actions">
          <button type="button" class="secondary" onClick={() => (view.value = null)}>
            {it().back}
          </button>
          <button type="submit" disabled={busy}>
            {it().save}
          </button>
        </div>
      </form>
    </section>
  )
}

/** The programme's daily cap on the points of `kind`, which the reward set here is paid under. */
export function DailyCap(props: {
  kind: 'quiz' | 'survey'
  caps: Record<string, number> | undefined
}) {
  if (!props.caps) return null
  const points = props.caps[props.kind]
  const kind = it().dailyCap[props.kind]
  return (
    <p class="hint" data-testid="daily-cap">
      {points === undefined ? it().uncapped({ kind }) : it().capped({ kind, points })}
    </p>
  )
}
