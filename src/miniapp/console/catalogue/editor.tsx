import { useRef, useState } from 'preact/hooks'
import { ApiError, type Body, call } from '../../ui/api.ts'
import { useLoad } from '../../ui/load.ts'
import { fen, instantOf, localInput, yuan } from '../format.ts'
import { fail, t, version } from '../state.ts'
import { RewardPreview } from './preview.tsx'
import { type Reward, ct, editing } from './state.ts'
import type { Kind } from './texts.ts'

type Input = Body<'/api/v1/rewards', 'post'>
/** Kinds with a face value in money. */
const VALUED = new Set<Kind>(['coupon', 'cash_offset'])
/** Kinds whose redemption gives a code, which may expire. */
const CODED = new Set<Kind>(['gift', 'coupon', 'cash_offset', 'free_shipping'])
const MAX_IMAGE_BYTES = 1024 * 1024

const count = (typed: string) => (typed.trim() ? Number(typed) : null)

/** A reward's form: both languages, its terms, dates and picture; saving shows the preview. */
export function RewardEditor({ reward }: { reward: Reward | null }) {
  const [kind, setKind] = useState<Kind>((reward?.kind as Kind | undefined) ?? 'gift')
  const [error, setError] = useState<string | null>(null)
  const [saved, setSaved] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const form = useRef<HTMLFormElement>(null)
  const programme = useLoad(() => call('get', '/api/v1/programme'), [], fail)
  const tiers = programme?.config.tiers ?? []

  const save = async () => {
    const data = new FormData(form.current!)
    const text = (name: string) => {
      const value = data.get(name)
      return typeof value === 'string' ? value : ''
    }
    const file = data.get('image')
    const image = file instanceof File && file.size > 0 ? file : null
    if (image && image.size > MAX_IMAGE_BYTES) return setError(ct().imageTooLarge)
    const value = VALUED.has(kind) ? fen(text('value')) : null
    if (value === undefined) return setError(ct().error.invalid_input({ field: ct().value }))
    const body: Input = {
      name: { 'zh-CN': text('nameZh'), en: text('nameEn') },
      description:
        text('descriptionZh') || text('descriptionEn')
          ? { 'zh-CN': text('descriptionZh'), en: text('descriptionEn') }
          : null,
      kind,
      pointsCost: Number(text('pointsCost')),
      value,
      tierCode: kind === 'tier_upgrade' ? text('tierCode') || null : null,
      validDays: CODED.has(kind) ? count(text('validDays')) : null,
      stock: count(text('stock')),
      perMemberLimit: count(text('perMemberLimit')),
      minTierCode: text('minTierCode') || null,
      startsAt: instantOf(text('startsAt')),
      endsAt: instantOf(text('endsAt')),
    }
    setBusy(true)
    try {
      const id = reward
        ? (await call('patch', '/api/v1/rewards/{id}', { params: { id: reward.id }, body })).id
        : (await call('post', '/api/v1/rewards', { body })).id
      if (image) await call('put', '/api/v1/rewards/{id}/image', { params: { id }, file: image })
      else if (data.get('removeImage'))
        await call('delete', '/api/v1/rewards/{id}/image', { params: { id } })
      setError(null)
      setSaved(id)
      version.value++
    } catch (failure) {
      setError(explain(failure))
    } finally {
      setBusy(false)
    }
  }

  if (saved)
    return (
      <section class="card" role="status">
        <h2>{ct().saved}</h2>
        <RewardPreview id={saved} />
        <div class="actions">
          <button onClick={() => (editing.value = null)}>{t().close}</button>
        </div>
      </section>
    )
  return (
    <section class="card">
      <h2>{reward ? ct().editTitle : ct().newTitle}</h2>
      <form
        ref={form}
        class="form reward-form"
        onSubmit={(event) => {
          event.preventDefault()
          void save()
        }}
      >
        <fieldset>
          <p class="hint">{ct().bothHint}</p>
          <Field label={ct().nameZh} name="nameZh" value={reward?.name['zh-CN']} max={200} />
          <Field label={ct().nameEn} name="nameEn" value={reward?.name.en} max={200} />
          <Area
            label={ct().descriptionZh}
            name="descriptionZh"
            value={reward?.description?.['zh-CN']}
          />
          <Area label={ct().descriptionEn} name="descriptionEn" value={reward?.description?.en} />
        </fieldset>
        <label>
          {ct().kindLabel}
          <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as Kind)}>
            {(Object.keys(ct().kind) as Kind[]).map((k) => (
              <option key={k} value={k}>
                {ct().kind[k]}
              </option>
            ))}
          </select>
        </label>
        <Field
          label={ct().pointsCost}
          name="pointsCost"
          type="number"
          value={reward?.pointsCost ?? 100}
          required
        />
        {VALUED.has(kind) && (
          <Field
            label={ct().value}
            name="value"
            value={yuan(reward?.value ?? null)}
            inputMode="decimal"
          />
        )}
        {kind === 'tier_upgrade' && (
          <TierSelect
            label={ct().tierCode}
            name="tierCode"
            tiers={tiers}
            value={reward?.tierCode}
          />
        )}
        {CODED.has(kind) && (
          <Field label={ct().validDays} name="validDays" type="number" value={reward?.validDays} />
        )}
        <Field label={ct().stock} name="stock" type="number" value={reward?.stock} />
        <Field
          label={ct().perMemberLimit}
          name="perMemberLimit"
          type="number"
          value={reward?.perMemberLimit}
        />
        <TierSelect
          label={ct().minTierCode}
          name="minTierCode"
          tiers={tiers}
          value={reward?.minTierCode}
          any
        />
        <Field
          label={ct().startsAt}
          name="startsAt"
          type="datetime-local"
          value={localInput(reward?.startsAt ?? null)}
        />
        <Field
          label={ct().endsAt}
          name="endsAt"
          type="datetime-local"
          value={localInput(reward?.endsAt ?? null)}
        />
        <label>
          {ct().image}
          <input name="image" type="file" accept="image/png,image/jpeg,image/webp" />
        </label>
        {reward?.imageUrl && (
          <label class="inline">
            <img class="reward-image" src={reward.imageUrl} alt="" />
            <input name="removeImage" type="checkbox" /> {ct().removeImage}
          </label>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="actions">
          <button type="button" class="secondary" onClick={() => (editing.value = null)}>
            {t().cancel}
          </button>
          <button type="submit" disabled={busy}>
            {ct().save}
          </button>
        </div>
      </form>
    </section>
  )
}

/** The form's words for the fields the server may name in a refusal. */
function fieldLabel(field: string | undefined): string {
  const labels: Record<string, string> = {
    name: ct().nameZh,
    description: ct().descriptionZh,
    pointsCost: ct().pointsCost,
    value: ct().value,
    tierCode: ct().tierCode,
    validDays: ct().validDays,
    stock: ct().stock,
    perMemberLimit: ct().perMemberLimit,
    minTierCode: ct().minTierCode,
    startsAt: ct().startsAt,
    endsAt: ct().endsAt,
  }
  const top = field?.split('.')[0] ?? ''
  return labels[top] ?? field ?? ''
}

function explain(failure: unknown): string {
  if (!(failure instanceof ApiError)) return ct().error.generic
  if (failure.code === 'invalid_input')
    return ct().error.invalid_input({ field: fieldLabel(failure.field) })
  const known = ct().error[failure.code as keyof ReturnType<typeof ct>['error']]
  return typeof known === 'string' ? known : ct().error.generic
}

interface FieldProps {
  label: string
  name: string
  value?: string | number | null
  type?: 'text' | 'number' | 'datetime-local'
  max?: number
  required?: boolean
  inputMode?: 'decimal'
}
function Field({ label, name, value, type = 'text', max, required, inputMode }: FieldProps) {
  const common = {
    name,
    required,
    defaultValue: value === null || value === undefined ? '' : String(value),
  }
  // One element per type: Preact types each input type with its own attributes.
  return (
    <label>
      {label}
      {type === 'number' ? (
        <input {...common} type="number" min={0} />
      ) : type === 'datetime-local' ? (
        <input {...common} type="datetime-local" />
      ) : (
        <input {...common} type="text" maxLength={max} inputMode={inputMode} />
      )}
    </label>
  )
}

function Area({ label, name, value }: { label: string; name: string; value?: string }) {
  return (
    <label>
      {label}
      <textarea name={name} rows={2} maxLength={2000} defaultValue={value ?? ''} />
    </label>
  )
}

type Tier = { code: string; name: { 'zh-CN': string; en: string } }
function TierSelect(props: {
  label: string
  name: string
  tiers: Tier[]
  value?: string | null
  any?: boolean
}) {
  return (
    <label>
      {props.label}
      <select name={props.name} defaultValue={props.value ?? ''}>
        {props.any && <option value="">{ct().anyTier}</option>}
        {props.tiers.map((tier) => (
          <option key={tier.code} value={tier.code}>
            {tier.name['zh-CN']} · {tier.name.en}
          </option>
        ))}
      </select>
    </label>
  )
}
