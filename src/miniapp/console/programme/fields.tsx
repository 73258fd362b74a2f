import { type ComponentChildren, createContext } from 'preact'
import { useContext, useState } from 'preact/hooks'
import { fen, yuan } from '../format.ts'
import { fieldWords, getAt, pt } from './state.ts'

/** What every field of the form reads: the draft, how to change it, and the server's refusal. */
export interface Draft {
  value: unknown
  set: (path: string, next: unknown) => void
  /** The setting the server refused, by its path. */
  refused: string | null
}
export const DraftContext = createContext<Draft>({ value: {}, set: () => {}, refused: null })

/** A field's label and, when the server refused this setting (or a part of it), why. */
function Frame({
  path,
  label,
  children,
}: {
  path: string
  label?: string
  children: ComponentChildren
}) {
  const { refused } = useContext(DraftContext)
  const wrong = refused !== null && (refused === path || refused.startsWith(`${path}.`))
  return (
    <div class={wrong ? 'field refused' : 'field'} data-field={path}>
      <label>
        {label ?? fieldWords(path)}
        {children}
      </label>
      {wrong && (
        <p class="field-error" role="alert">
          {pt().invalidHere}
        </p>
      )}
    </div>
  )
}

/** A whole number; cleared, it is sent as null and the server refuses it by name. */
export function Num({
  path,
  label,
  placeholder,
}: {
  path: string
  label?: string
  /** What an unset setting means (a holdout not set is none). */
  placeholder?: string
}) {
  const draft = useContext(DraftContext)
  const value = getAt(draft.value, path)
  return (
    <Frame path={path} label={label}>
      <input
        type="number"
        step={1}
        placeholder={placeholder}
        value={typeof value === 'number' ? String(value) : ''}
        onInput={(e) => {
          const typed = e.currentTarget.value
          // Cleared, a setting with a meaning for "unset" is left out; any other is refused.
          draft.set(path, typed === '' ? (placeholder ? undefined : null) : Number(typed))
        }}
      />
    </Frame>
  )
}

/**
 * An amount of money, typed in yuan and kept in fen (分) exactly. What was typed stays as typed
 * ("12.5", "12.") while it still means the draft's amount; a draft changed another way (a
 * restore, a tier removed above) shows its own. Typed wrong or cleared, it is sent as null and
 * the server refuses it by name.
 */
export function Money({ path, label }: { path: string; label?: string }) {
  const draft = useContext(DraftContext)
  const [typed, setTyped] = useState<string | null>(null)
  const value = getAt(draft.value, path)
  const amount = typeof value === 'number' ? value : null
  const shown = typed !== null && (fen(typed) ?? null) === amount ? typed : yuan(amount)
  return (
    <Frame path={path} label={label}>
      <YuanInput
        value={shown}
        onInput={(next) => {
          setTyped(next)
          draft.set(path, fen(next) ?? null)
        }}
      />
    </Frame>
  )
}

/** The input of an amount in yuan: a phone shows its number keys with the decimal point. */
export function YuanInput({ value, onInput }: { value: string; onInput: (typed: string) => void }) {
  return (
    <input
      type="text"
      inputMode="decimal"
      maxLength={13}
      value={value}
      onInput={(e) => onInput(e.currentTarget.value)}
    />
  )
}

export function Text({
  path,
  label,
  type = 'text',
}: {
  path: string
  label?: string
  type?: 'text' | 'time' | 'date'
}) {
  const draft = useContext(DraftContext)
  const value = getAt(draft.value, path)
  const onInput = (e: { currentTarget: HTMLInputElement }) => draft.set(path, e.currentTarget.value)
  const shown = typeof value === 'string' ? value : ''
  // One element per type: Preact types each input type with its own attributes.
  return (
    <Frame path={path} label={label}>
      {type === 'time' ? (
        <input type="time" value={shown} onInput={onInput} />
      ) : type === 'date' ? (
        <input type="date" value={shown} onInput={onInput} />
      ) : (
        <input type="text" value={shown} onInput={onInput} />
      )}
    </Frame>
  )
}

/** One of the schema's values, each in the page's words (by default `option` in texts.ts). */
export function Choice({
  path,
  options,
  words = options.map((option) => pt().option[option] ?? option),
  label,
  onPick,
}: {
  path: string
  options: string[]
  /** Each option's words, where its value alone is ambiguous (`order` is two things). */
  words?: string[]
  label?: string
  onPick?: (value: string) => void
}) {
  const draft = useContext(DraftContext)
  return (
    <Frame path={path} label={label}>
      <select
        value={String(getAt(draft.value, path))}
        onChange={(e) => (onPick ?? ((v: string) => draft.set(path, v)))(e.currentTarget.value)}
      >
        {options.map((option, i) => (
          <option key={option} value={option}>
            {words[i]}
          </option>
        ))}
      </select>
    </Frame>
  )
}

export function Check({ path, label }: { path: string; label?: string }) {
  const draft = useContext(DraftContext)
  return (
    <label class="check">
      <input
        type="checkbox"
        checked={getAt(draft.value, path) === true}
        onChange={(e) => draft.set(path, e.currentTarget.checked)}
      />{' '}
      {label ?? fieldWords(path)}
    </label>
  )
}

/** A list of plain words typed with commas between them (invite codes). */
export function Words({ path }: { path: string }) {
  const draft = useContext(DraftContext)
  const value = getAt(draft.value, path)
  return (
    <Frame path={path}>
      <input
        type="text"
        value={Array.isArray(value) ? value.join(', ') : ''}
        onChange={(e) =>
          draft.set(
            path,
            e.currentTarget.value
              .split(/[,，]/)
              .map((word) => word.trim())
              .filter(Boolean),
          )
        }
      />
    </Frame>
  )
}
