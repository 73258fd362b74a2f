import { useEffect, useState } from 'preact/hooks'
import { ApiError, type Body, type Ok, call } from '../../ui/api.ts'
import { useLoad } from '../../ui/load.ts'
import { confirm } from '../confirm.tsx'
import { dateTime, fen, money, named, number } from '../format.ts'
import { fail, t } from '../state.ts'
import { composing, ct } from './state.ts'
import type { Abc, Channel, Filter, Lifecycle, ValueClass } from './texts.ts'

type Input = Body<'/api/v1/campaigns', 'post'>
type Preview = Ok<'/api/v1/segments/preview', 'post'>
type Picture = Ok<'/api/v1/campaigns/images', 'post'>
/** A link button as typed: its label in each language and its address. */
interface Link {
  zh: string
  en: string
  url: string
}
/** As many as the message takes; Telegram shows each on a row of its own. */
const MAX_LINKS = 3
/** The server's limit, checked first so that a large file is not sent only to be refused. */
const MAX_PICTURE_BYTES = 1024 * 1024
/** Long enough that typing a tag asks once, short enough that the size follows each click. */
const PREVIEW_DELAY_MS = 300
const SCORES = ['r', 'f', 'm'] as const
const VALUE_CLASSES: ValueClass[] = ['high', 'medium', 'low']
const ABC: Abc[] = ['A', 'B', 'C']

/** A comma-separated field as the list a filter takes; Chinese commas count too. */
const words = (typed: string) =>
  typed
    .split(/[,，]/)
    .map((w) => w.trim())
    .filter(Boolean)
/** A date field as the start of that local day. */
const dayStart = (typed: string) => (typed ? new Date(`${typed}T00:00`).toISOString() : undefined)

interface Choices {
  lifecycle: Lifecycle[]
  valueClass: ValueClass[]
  abc: Abc[]
  tiers: string[]
  channels: Channel[]
  rfm: Record<(typeof SCORES)[number], string>
  tags: string
  regions: string
  lastPurchaseAfter: string
  lastPurchaseBefore: string
  optedIn: boolean
}

/** The segment filter the choices make: an empty list is no condition, not "none of them". */
function filterOf(c: Choices): Filter {
  const list = <T,>(items: T[]) => (items.length ? items : undefined)
  const rfm = Object.fromEntries(
    SCORES.filter((s) => c.rfm[s]).map((s) => [s, { min: Number(c.rfm[s]) }]),
  )
  return {
    lifecycle: list(c.lifecycle),
    valueClass: list(c.valueClass),
    abc: list(c.abc),
    rfm: Object.keys(rfm).length ? rfm : undefined,
    tiers: list(c.tiers),
    channels: list(c.channels),
    tags: list(words(c.tags)),
    regions: list(words(c.regions)),
    lastPurchaseAfter: dayStart(c.lastPurchaseAfter),
    lastPurchaseBefore: dayStart(c.lastPurchaseBefore),
    optedIn: c.optedIn,
  }
}

/** The form's text fields by name, trimmed. */
function fieldsOf(form: HTMLFormElement): (name: string) => string {
  const data = new FormData(form)
  return (name) => {
    const value = data.get(name)
    return typeof value === 'string' ? value.trim() : ''
  }
}

/** What the message has besides its texts: the uploaded picture and the link buttons. */
interface Extras {
  picture: Picture | null
  links: Link[]
}

/** The message as typed, or null without a text in either language. */
function messageOf(text: (name: string) => string, extras: Extras): Input['message'] | null {
  if (!text('textZh') && !text('textEn')) return null
  // A row left wholly empty is no button; one half filled in is sent, for the server to name.
  const links = extras.links
    .map((l) => ({ zh: l.zh.trim(), en: l.en.trim(), url: l.url.trim() }))
    .filter((l) => l.zh || l.en || l.url)
  return {
    text: { 'zh-CN': text('textZh'), en: text('textEn') },
    ...(extras.picture ? { imageSha256: extras.picture.sha256 } : {}),
    ...(links.length
      ? { buttons: links.map((l) => ({ label: { 'zh-CN': l.zh, en: l.en }, url: l.url })) }
      : {}),
    ...(text('buttonZh') || text('buttonEn')
      ? { miniappButton: { 'zh-CN': text('buttonZh'), en: text('buttonEn') } }
      : {}),
  }
}

/** The form's own words for a field the server names (`message.buttons.1.url`). */
function fieldName(field: string): string {
  const link = /^message\.buttons\.(\d+)\.(label|url)/.exec(field)
  if (link) {
    const n = Number(link[1]) + 1
    return link[2] === 'url' ? ct().linkUrl({ n }) : ct().linkLabelZh({ n })
  }
  if (field.startsWith('message.miniappButton')) return ct().buttonZh
  if (field.startsWith('message.imageSha256')) return ct().picture
  if (field === 'message.text.en') return ct().textEn
  if (field.startsWith('message.text')) return ct().textZh
  return field
}

function explain(failure: unknown): string {
  if (failure instanceof ApiError && failure.code === 'invalid_input')
    return ct().error.invalid_input({ field: fieldName(failure.field ?? '') })
  if (failure instanceof ApiError && failure.code === 'image_unsupported')
    return ct().pictureUnsupported
  if (failure instanceof ApiError && failure.code === 'payload_too_large')
    return ct().pictureTooLarge
  return ct().error.generic
}

/** The size and sample of a filter, asked again a moment after it last changed. */
function usePreview(filter: Filter): { preview?: Preview; error?: ApiError } {
  const key = JSON.stringify(filter)
  const [state, setState] = useState<{ key: string; preview?: Preview; error?: ApiError }>()
  useEffect(() => {
    let current = true
    const timer = setTimeout(() => {
      call('post', '/api/v1/segments/preview', { body: { filter } }).then(
        (preview) => current && setState({ key, preview }),
        (error: unknown) => {
          if (!current) return
          if (error instanceof ApiError && error.code === 'invalid_input') setState({ key, error })
          else fail(error)
        },
      )
    }, PREVIEW_DELAY_MS)
    return () => {
      current = false
      clearTimeout(timer)
    }
  }, [key])
  // A size for an earlier filter is not shown as this one's.
  return state?.key === key ? state : {}
}

/** The composer: the audience with its live size, the message, the schedule, holdout and cost. */
export function CampaignComposer() {
  const programme = useLoad(() => call('get', '/api/v1/programme'), [], fail)
  const [choices, setChoices] = useState<Choices>({
    lifecycle: [],
    valueClass: [],
    abc: [],
    tiers: [],
    channels: [],
    rfm: { r: '', f: '', m: '' },
    tags: '',
    regions: '',
    lastPurchaseAfter: '',
    lastPurchaseBefore: '',
    optedIn: true,
  })
  const [later, setLater] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const filter = filterOf(choices)
  const { preview, error: filterError } = usePreview(filter)
  const set = (change: Partial<Choices>) => setChoices({ ...choices, ...change })
  const toggle = <K extends 'lifecycle' | 'valueClass' | 'abc' | 'tiers' | 'channels'>(
    key: K,
    value: Choices[K][number],
  ) => {
    const list = choices[key] as string[]
    set({ [key]: list.includes(value) ? list.filter((v) => v !== value) : [...list, value] })
  }
  const tiers = programme?.config.tiers ?? []

  const [picture, setPicture] = useState<Picture | null>(null)
  const [uploading, setUploading] = useState(false)
  const [links, setLinks] = useState<Link[]>([])
  const extras = { picture, links }
  const setLink = (i: number, change: Partial<Link>) =>
    setLinks(links.map((link, j) => (j === i ? { ...link, ...change } : link)))
  // Uploaded when chosen, so that the preview and the campaign name it by its hash.
  const choosePicture = (input: HTMLInputElement) => {
    const file = input.files?.[0]
    input.value = ''
    if (!file) return
    if (file.size > MAX_PICTURE_BYTES) return setError(ct().pictureTooLarge)
    setError(null)
    setUploading(true)
    call('post', '/api/v1/campaigns/images', { file })
      .then(setPicture, (failure: unknown) => setError(explain(failure)))
      .finally(() => setUploading(false))
  }

  const [previewed, setPreviewed] = useState<string | null>(null)
  const sendPreview = (form: HTMLFormElement) => {
    const message = messageOf(fieldsOf(form), extras)
    if (!message) return setError(ct().error.invalid_input({ field: ct().textZh }))
    setError(null)
    call('post', '/api/v1/campaigns/preview', { body: { message } }).then(
      ({ queued }) => setPreviewed(queued ? ct().previewSent : ct().previewNoChat),
      (failure: unknown) => setError(explain(failure)),
    )
  }

  const review = (form: HTMLFormElement) => {
    const text = fieldsOf(form)
    const cost = fen(text('cost'))
    if (cost === undefined) return setError(ct().error.invalid_input({ field: ct().cost }))
    const message = messageOf(text, extras)
    if (!message) return setError(ct().error.invalid_input({ field: ct().textZh }))
    if (later && !text('sendAt')) return setError(ct().error.invalid_input({ field: ct().sendAt }))
    const holdoutPercent = Number(text('holdoutPercent'))
    const body: Input = {
      name: text('name'),
      message,
      segment: filter,
      ...(later ? { sendAt: new Date(text('sendAt')).toISOString() } : {}),
      ...(cost === null ? {} : { cost }),
      holdoutPercent,
      attributionDays: Number(text('attributionDays')),
    }
    const size = preview?.size ?? 0
    const question = [
      ct().summary({
        name: body.name,
        size: number(size),
        held: number(Math.round((size * holdoutPercent) / 100)),
        when: body.sendAt ? ct().summaryAt({ at: dateTime(body.sendAt) }) : ct().summaryNow,
      }),
      cost === null ? '' : ct().summaryCost({ cost: money(cost) }),
    ]
      .filter(Boolean)
      .join(' ')
    setError(null)
    confirm(
      question,
      async () => {
        await call('post', '/api/v1/campaigns', { body })
        composing.value = false
      },
      (failure) => {
        if (!(failure instanceof ApiError && failure.code === 'invalid_input')) return false
        setError(explain(failure))
        return true
      },
    )
  }

  return (
    <section class="card">
      <h2>{ct().composeTitle}</h2>
      <form
        class="form campaign-form"
        onSubmit={(event) => {
          event.preventDefault()
          review(event.currentTarget)
        }}
      >
        <label>
          {ct().name}
          <input name="name" type="text" maxLength={200} required />
        </label>
        <fieldset>
          <legend>{ct().audience}</legend>
          <Checks
            legend={ct().lifecycle}
            options={Object.entries(ct().lifecycles) as [Lifecycle, string][]}
            chosen={choices.lifecycle}
            onToggle={(v) => toggle('lifecycle', v)}
          />
          <Checks
            legend={ct().valueClass}
            options={VALUE_CLASSES.map((v) => [v, ct().valueClasses[v]])}
            chosen={choices.valueClass}
            onToggle={(v) => toggle('valueClass', v)}
          />
          <Checks
            legend={ct().abc}
            options={ABC.map((v) => [v, v])}
            chosen={choices.abc}
            onToggle={(v) => toggle('abc', v)}
          />
          <fieldset class="choices-row">
            <legend>{ct().rfm}</legend>
            {SCORES.map((s) => (
              <label key={s}>
                {ct().rfmScore[s]}
                <select
                  value={choices.rfm[s]}
                  onChange={(e) => set({ rfm: { ...choices.rfm, [s]: e.currentTarget.value } })}
                >
                  <option value="">{ct().anyScore}</option>
                  {[1, 2, 3, 4, 5].map((n) => (
                    <option key={n} value={n}>
                      ≥ {n}
                    </option>
                  ))}
                </select>
              </label>
            ))}
          </fieldset>
          <Checks
            legend={ct().tiers}
            options={tiers.map((tier) => [tier.code, named(tier.name)])}
            chosen={choices.tiers}
            onToggle={(v) => toggle('tiers', v)}
          />
          <Checks
            legend={ct().channels}
            options={Object.entries(ct().channelNames) as [Channel, string][]}
            chosen={choices.channels}
            onToggle={(v) => toggle('channels', v)}
          />
          <label>
            {ct().tags}
            <input
              type="text"
              value={choices.tags}
              onInput={(e) => set({ tags: e.currentTarget.value })}
            />
          </label>
          <label>
            {ct().regions}
            <input
              type="text"
              value={choices.regions}
              onInput={(e) => set({ regions: e.currentTarget.value })}
            />
          </label>
          <label>
            {ct().lastPurchaseAfter}
            <input
              type="date"
              value={choices.lastPurchaseAfter}
              onInput={(e) => set({ lastPurchaseAfter: e.currentTarget.value })}
            />
          </label>
          <label>
            {ct().lastPurchaseBefore}
            <input
              type="date"
              value={choices.lastPurchaseBefore}
              onInput={(e) => set({ lastPurchaseBefore: e.currentTarget.value })}
            />
          </label>
          <label class="check">
            <input
              type="checkbox"
              checked={choices.optedIn}
              onChange={(e) => set({ optedIn: e.currentTarget.checked })}
            />{' '}
            {ct().optedIn}
          </label>
          {!choices.optedIn && <p class="hint">{ct().optedOutHint}</p>}
          <Audience preview={preview} error={filterError} />
        </fieldset>
        <fieldset>
          <legend>{ct().message}</legend>
          <p class="hint">{ct().bothHint}</p>
          <label>
            {ct().textZh}
            <textarea name="textZh" rows={4} maxLength={4000} />
          </label>
          <label>
            {ct().textEn}
            <textarea name="textEn" rows={4} maxLength={4000} />
          </label>
          {/* The browser's own file field speaks the browser's language, not the page's. */}
          <label class="picture-choice">
            {ct().picture}
            <input
              type="file"
              accept="image/png,image/jpeg,image/webp"
              disabled={uploading}
              onChange={(e) => choosePicture(e.currentTarget)}
            />
            <span class="file-button" aria-hidden="true">
              {picture ? ct().changePicture : ct().choosePicture}
            </span>
          </label>
          {uploading && (
            <p class="hint" aria-busy="true">
              {ct().pictureUploading}
            </p>
          )}
          {picture && (
            <div class="campaign-picture">
              <img src={picture.url} alt={ct().pictureAlt} data-testid="picture" />
              <button type="button" class="secondary" onClick={() => setPicture(null)}>
                {ct().removePicture}
              </button>
            </div>
          )}
          <p class="hint">{ct().officialNoPicture}</p>
          <fieldset class="campaign-links">
            <legend>{ct().links}</legend>
            <p class="hint">{ct().labelsHint}</p>
            {links.map((link, i) => (
              <div class="campaign-link" key={i} data-testid="link">
                <label>
                  {ct().linkLabelZh({ n: i + 1 })}
                  <input
                    type="text"
                    maxLength={64}
                    value={link.zh}
                    onInput={(e) => setLink(i, { zh: e.currentTarget.value })}
                  />
                </label>
                <label>
                  {ct().linkLabelEn({ n: i + 1 })}
                  <input
                    type="text"
                    maxLength={64}
                    value={link.en}
                    onInput={(e) => setLink(i, { en: e.currentTarget.value })}
                  />
                </label>
                <label>
                  {ct().linkUrl({ n: i + 1 })}
                  <input
                    type="url"
                    inputMode="url"
                    placeholder="https://"
                    value={link.url}
                    onInput={(e) => setLink(i, { url: e.currentTarget.value })}
                  />
                </label>
                <button
                  type="button"
                  class="secondary"
                  onClick={() => setLinks(links.filter((_, j) => j !== i))}
                >
                  {ct().removeLink({ n: i + 1 })}
                </button>
              </div>
            ))}
            {links.length < MAX_LINKS && (
              <button
                type="button"
                class="secondary"
                onClick={() => setLinks([...links, { zh: '', en: '', url: '' }])}
              >
                {ct().addLink}
              </button>
            )}
          </fieldset>
          <label>
            {ct().buttonZh}
            <input name="buttonZh" type="text" maxLength={64} />
          </label>
          <label>
            {ct().buttonEn}
            <input name="buttonEn" type="text" maxLength={64} />
          </label>
          <button
            type="button"
            class="secondary"
            disabled={uploading}
            onClick={(event) => sendPreview(event.currentTarget.form!)}
          >
            {ct().sendPreview}
          </button>
          {previewed && (
            <p class="hint" role="status" data-testid="previewed">
              {previewed}
            </p>
          )}
        </fieldset>
        <fieldset class="choices-row">
          <legend>{ct().when}</legend>
          <label class="check">
            <input type="radio" name="when" checked={!later} onChange={() => setLater(false)} />{' '}
            {ct().now}
          </label>
          <label class="check">
            <input type="radio" name="when" checked={later} onChange={() => setLater(true)} />{' '}
            {ct().later}
          </label>
          {later && (
            <label>
              {ct().sendAt}
              {/* Seconds, so that a campaign may be set for a moment from now. */}
              <input name="sendAt" type="datetime-local" step={1} required />
            </label>
          )}
        </fieldset>
        <label>
          {ct().holdout}
          <input
            name="holdoutPercent"
            type="number"
            min={0}
            max={50}
            required
            key={programme ? 'loaded' : 'loading'}
            defaultValue={String(programme?.config.campaignHoldoutPercent ?? 0)}
          />
        </label>
        <label>
          {ct().cost}
          <input name="cost" type="text" inputMode="decimal" />
        </label>
        <label>
          {ct().attributionDays}
          <input name="attributionDays" type="number" min={1} max={90} defaultValue="7" required />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="actions">
          <button type="button" class="secondary" onClick={() => (composing.value = false)}>
            {t().cancel}
          </button>
          <button type="submit" disabled={!preview || uploading}>
            {ct().create}
          </button>
        </div>
      </form>
    </section>
  )
}

function Audience({ preview, error }: { preview?: Preview; error?: ApiError }) {
  if (error)
    return (
      <p class="error" role="alert">
        {ct().error.invalid_input({ field: error.field ?? '' })}
      </p>
    )
  if (!preview)
    return (
      <p class="audience" data-testid="audience" aria-busy="true">
        {ct().sizeLoading}
      </p>
    )
  return (
    <div class="audience" data-testid="audience" aria-live="polite">
      <strong data-testid="audience-size">{ct().size({ size: number(preview.size) })}</strong>
      {preview.sample.length > 0 ? (
        <p class="hint">
          {ct().sample} {preview.sample.map((m) => `${m.displayName} (${m.code})`).join('、')}
        </p>
      ) : (
        <p class="hint">{ct().nobody}</p>
      )}
      <p class="hint">
        {preview.computedAt
          ? ct().computedAt({ at: dateTime(preview.computedAt) })
          : ct().notComputed}
      </p>
    </div>
  )
}

function Checks<V extends string>(props: {
  legend: string
  options: [V, string][]
  chosen: V[]
  onToggle: (value: V) => void
}) {
  if (props.options.length === 0) return null
  return (
    <fieldset class="choices-row">
      <legend>{props.legend}</legend>
      {props.options.map(([value, label]) => (
        <label key={value} class="check">
          <input
            type="checkbox"
            checked={props.chosen.includes(value)}
            onChange={() => props.onToggle(value)}
          />{' '}
          {label}
        </label>
      ))}
    </fieldset>
  )
}
