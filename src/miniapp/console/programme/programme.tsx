import type { ComponentChildren } from 'preact'
import './programme.css'
import { useContext, useState } from 'preact/hooks'
import { ApiError, type Body, type Ok, call } from '../../ui/api.ts'
import { useLoad } from '../../ui/load.ts'
import { confirm } from '../confirm.tsx'
import { dateTime, fen, yuan } from '../format.ts'
import { fail, version } from '../state.ts'
import { Check, Choice, DraftContext, Money, Num, Text, Words, YuanInput } from './fields.tsx'
import { type Config, changeLine, labelOf, pt, setAt } from './state.ts'

type Current = Ok<'/api/v1/programme', 'get'>
type Input = Body<'/api/v1/programme', 'put'>

/** The programme: every setting in sections, saved as a new version after a summary; its versions. */
export function ProgrammePage() {
  const current = useLoad(() => call('get', '/api/v1/programme'), [version.value], fail)
  // Kept here, not in the editor: a save that came second reloads the editor afresh.
  const [overtaken, setOvertaken] = useState(false)
  const reload = () => {
    setOvertaken(true)
    version.value++
  }
  return (
    <>
      {overtaken && (
        <p class="card error" role="alert" data-testid="overtaken">
          {pt().changed}
        </p>
      )}
      {current && <ProgrammeEditor key={current.version} current={current} overtaken={reload} />}
      {current && <Versions current={current.version} basis={current.config.tierRules.basis} />}
    </>
  )
}

function ProgrammeEditor({ current, overtaken }: { current: Current; overtaken: () => void }) {
  const [draft, setDraft] = useState<Config>(current.config)
  const [refused, setRefused] = useState<string | null>(null)
  const [note, setNote] = useState<string | null>(null)
  const set = (path: string, next: unknown) => setDraft((value) => setAt(value, path, next))

  const refuse = (field: string) => {
    setRefused(field)
    setNote(pt().invalid({ field: labelOf(field) }))
  }
  /** A refusal the page explains beside its field, or a save that came second; else false. */
  const explain = (error: unknown): boolean => {
    if (!(error instanceof ApiError)) return false
    if (error.code === 'invalid_input' && error.field) {
      refuse(error.field)
      return true
    }
    if (error.code === 'programme_changed') {
      overtaken()
      return true
    }
    return false
  }
  const save = async () => {
    setNote(null)
    const unpriced = unpricedAt(draft)
    if (unpriced) return refuse(unpriced)
    try {
      const body = draft as Input
      const { changes } = await call('post', '/api/v1/programme/changes', { body })
      setRefused(null)
      if (changes.length === 0) return setNote(pt().noChanges)
      confirm(
        pt().confirmSave({ count: changes.length }),
        () => call('put', '/api/v1/programme', { body, query: { basedOn: current.version } }),
        explain,
        changes.map((change) => changeLine(change, draft.tierRules.basis)),
      )
    } catch (error) {
      if (!explain(error)) fail(error)
    }
  }

  const s = pt().section
  return (
    <DraftContext.Provider value={{ value: draft, set, refused }}>
      <form
        class="form programme-form"
        onSubmit={(event) => {
          event.preventDefault()
          void save()
        }}
      >
        <Section title={s.general}>
          <Text path="name.zh-CN" />
          <Text path="name.en" />
          <Text path="timezone" />
          <Text path="currency" />
          <Choice path="defaultLocale" options={['zh-CN', 'en']} />
          <Text path="phoneRegion" />
        </Section>
        <Section title={s.membership}>
          <Choice path="membership.type" options={['open', 'restricted']} />
          <Words path="membership.inviteCodes" />
          <fieldset class="inline-checks">
            <legend>{labelOf('membership.requiredFields')}</legend>
            {(['phone', 'birthday'] as const).map((field) => (
              <label class="check" key={field}>
                <input
                  type="checkbox"
                  checked={draft.membership.requiredFields.includes(field)}
                  onChange={(e) =>
                    set(
                      'membership.requiredFields',
                      e.currentTarget.checked
                        ? [...draft.membership.requiredFields, field]
                        : draft.membership.requiredFields.filter((f) => f !== field),
                    )
                  }
                />{' '}
                {pt().option[field]}
              </label>
            ))}
          </fieldset>
        </Section>
        <Section title={s.tiers}>
          <Choice path="tierRules.basis" options={['spend', 'points']} />
          <Num path="tierRules.windowMonths" />
          <Choice path="tierRules.downgrade" options={['one_step', 'to_qualified']} />
          {draft.tiers.map((tier, i) => (
            <fieldset class="item" key={i} data-tier={tier.code}>
              <legend>{pt().tierN({ n: i + 1 })}</legend>
              <Text path={`tiers.${i}.code`} />
              <Text path={`tiers.${i}.name.zh-CN`} />
              <Text path={`tiers.${i}.name.en`} />
              {draft.tierRules.basis === 'spend' ? (
                <Money path={`tiers.${i}.threshold`} label={pt().thresholdSpend} />
              ) : (
                <Num path={`tiers.${i}.threshold`} label={pt().thresholdPoints} />
              )}
              <Num path={`tiers.${i}.multiplierPercent`} />
              <Benefits index={i} />
              {draft.tiers.length > 1 && (
                <button
                  type="button"
                  class="secondary"
                  onClick={() =>
                    set(
                      'tiers',
                      draft.tiers.filter((_, j) => j !== i),
                    )
                  }
                >
                  {pt().removeTier}
                </button>
              )}
            </fieldset>
          ))}
          <button
            type="button"
            class="secondary"
            onClick={() =>
              set('tiers', [
                ...draft.tiers,
                {
                  code: `tier${draft.tiers.length + 1}`,
                  name: { 'zh-CN': '', en: '' },
                  // Above the last, by ¥1 where spend counts: the thresholds must increase.
                  threshold:
                    (draft.tiers.at(-1)?.threshold ?? 0) +
                    (draft.tierRules.basis === 'spend' ? 100 : 1),
                  multiplierPercent: 100,
                  benefits: [],
                },
              ])
            }
          >
            {pt().addTier}
          </button>
        </Section>
        <Section title={s.earning}>
          <Conversion draft={draft} set={set} />
          <Choice path="earning.rounding" options={['floor', 'round', 'ceil']} />
          <Choice
            path="earning.roundingScope"
            options={['order', 'line']}
            words={[pt().option.orderScope!, pt().option.line!]}
          />
          <Num path="earning.firstOrderBonus" />
          <Money path="earning.qualifyingOrderAmount" />
          <Num path="earning.birthday.multiplierPercent" />
          <Choice path="earning.birthday.scope" options={['day', 'month']} />
          {draft.earning.campaignDays.map((_, i) => (
            <fieldset class="item" key={i}>
              <legend>{labelOf(`earning.campaignDays.${i}`)}</legend>
              <Text path={`earning.campaignDays.${i}.name`} />
              <Text path={`earning.campaignDays.${i}.from`} type="date" />
              <Text path={`earning.campaignDays.${i}.to`} type="date" />
              <Num path={`earning.campaignDays.${i}.multiplierPercent`} />
              <button
                type="button"
                class="secondary"
                onClick={() =>
                  set(
                    'earning.campaignDays',
                    draft.earning.campaignDays.filter((__, j) => j !== i),
                  )
                }
              >
                {pt().removeDay}
              </button>
            </fieldset>
          ))}
          <button
            type="button"
            class="secondary"
            onClick={() =>
              set('earning.campaignDays', [
                ...draft.earning.campaignDays,
                { name: '', from: '', to: '', multiplierPercent: 200 },
              ])
            }
          >
            {pt().addDay}
          </button>
        </Section>
        <Section title={s.interactions}>
          <Num path="interactions.checkin.points" />
          {['checkin', 'quiz', 'survey'].map((kind) => (
            <Num key={kind} path={`interactions.dailyCaps.${kind}`} />
          ))}
          <Num path="referral.referrerPoints" />
          <Num path="referral.refereePoints" />
          <Money path="referral.minOrderAmount" />
          <Num path="referral.lockDays" />
        </Section>
        <Section title={s.expiry}>
          <Choice
            path="expiry.mode"
            options={['never', 'rolling', 'end_of_month']}
            onPick={(mode) => set('expiry', mode === 'never' ? { mode } : { mode, months: 12 })}
          />
          {draft.expiry.mode !== 'never' && <Num path="expiry.months" />}
          <Num path="expiringSoonDays" />
          <Num path="refundReturnGraceDays" />
        </Section>
        <Section title={s.messages}>
          <label class="check">
            <input
              type="checkbox"
              checked={draft.quietHours !== null}
              onChange={(e) =>
                set('quietHours', e.currentTarget.checked ? { start: '22:00', end: '08:00' } : null)
              }
            />{' '}
            {pt().quietOn}
          </label>
          {draft.quietHours && (
            <>
              <Text path="quietHours.start" type="time" />
              <Text path="quietHours.end" type="time" />
            </>
          )}
          <Num path="reminders.frequencyCap.messages" />
          <Num path="reminders.frequencyCap.days" />
          <Num path="campaignHoldoutPercent" />
          <Num path="campaignMaxDelayHours" />
          <Check path="churnDigest.enabled" />
          <Text path="churnDigest.sendAt" type="time" />
        </Section>
        <Section title={s.caps}>
          <Num path="caps.pointsPerOrder" />
          <Num path="caps.pointsPerMemberPerDay" />
          <Num path="orders.backdatingDays" />
        </Section>
        <Section title={s.segments}>
          <Num path="segments.newMemberDays" />
          <Num path="segments.atRiskDays" />
          <Num path="segments.churnedDays" />
          <Num path="segments.loyalOrders" />
        </Section>
        {note && (
          <p class={refused ? 'error' : 'hint'} role="status" data-testid="note">
            {note}
          </p>
        )}
        <div class="actions sticky">
          <button type="submit">{pt().save}</button>
        </div>
      </form>
    </DraftContext.Provider>
  )
}

function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section class="card">
      <h2>{title}</h2>
      <div class="form">{children}</div>
    </section>
  )
}

type Benefit = Config['tiers'][number]['benefits'][number]
type Structured = Extract<Benefit, { kind: string }>
type Other = Extract<Benefit, { kind: 'other' }>

/**
 * A tier's benefits in place: the discount and free shipping a till applies, the perks members
 * read (two lists of lines, one per language, paired by line), and the member price of each
 * product; each change keeps the others' places, so the diff names only what changed.
 */
function Benefits({ index }: { index: number }) {
  const { value, set } = useContext(DraftContext)
  const path = `tiers.${index}.benefits`
  // A version saved before benefits were data holds labels alone: each is an `other` perk.
  const benefits: Structured[] = (value as Config).tiers[index]!.benefits.map((b) =>
    'kind' in b ? b : { kind: 'other', label: b },
  )
  const discount = benefits.find((b) => b.kind === 'discount')
  const prices = benefits.find((b) => b.kind === 'member_prices')
  const shipping = benefits.some((b) => b.kind === 'free_shipping')
  const others = benefits.filter((b): b is Other => b.kind === 'other')
  /** `benefits` with the one of `kind` replaced by `next`, dropped (null), or added at the end. */
  const withOne = (kind: Structured['kind'], next: Structured | null) => {
    const at = benefits.findIndex((b) => b.kind === kind)
    if (at < 0) return next ? [...benefits, next] : benefits
    return next
      ? benefits.map((b, i) => (i === at ? next : b))
      : benefits.filter((_, i) => i !== at)
  }
  const setOthers = (lang: 'zh-CN' | 'en', typed: string) => {
    const lines = typed.split('\n').map((line) => line.trim())
    const other = lang === 'en' ? 'zh-CN' : 'en'
    const count = Math.max(lines.length, others.length)
    const next: Other[] = Array.from({ length: count }, (_, i) => ({
      kind: 'other' as const,
      label: { [lang]: lines[i] ?? '', [other]: others[i]?.label[other] ?? '' } as Other['label'],
    })).filter((b) => b.label['zh-CN'] || b.label.en)
    let k = 0
    const kept = benefits.flatMap((b): Structured[] =>
      b.kind !== 'other' ? [b] : k < next.length ? [next[k++]!] : [],
    )
    set(path, [...kept, ...next.slice(k)])
  }
  const discountAt = benefits.findIndex((b) => b.kind === 'discount')
  const pricesAt = benefits.findIndex((b) => b.kind === 'member_prices')
  return (
    <>
      <div
        class="field"
        data-field={`${path}.${discountAt < 0 ? benefits.length : discountAt}.basisPoints`}
      >
        <label>
          {pt().discount}
          <input
            type="number"
            step={1}
            value={discount ? String(discount.basisPoints) : ''}
            onInput={(e) => {
              const typed = e.currentTarget.value
              set(
                path,
                withOne(
                  'discount',
                  typed === '' ? null : { kind: 'discount', basisPoints: Number(typed) },
                ),
              )
            }}
          />
        </label>
      </div>
      <label class="check">
        <input
          type="checkbox"
          checked={shipping}
          onChange={(e) =>
            set(
              path,
              withOne('free_shipping', e.currentTarget.checked ? { kind: 'free_shipping' } : null),
            )
          }
        />{' '}
        {pt().freeShipping}
      </label>
      <MemberPrices
        path={`${path}.${pricesAt < 0 ? benefits.length : pricesAt}`}
        prices={prices?.prices ?? {}}
        onChange={(next) =>
          set(
            path,
            withOne(
              'member_prices',
              Object.keys(next).length
                ? // A price typed wrong is null until `unpricedAt` refuses it before the save.
                  { kind: 'member_prices', prices: next as Record<string, number> }
                : null,
            ),
          )
        }
      />
      {(['zh-CN', 'en'] as const).map((lang) => (
        <label key={lang}>
          {lang === 'en' ? pt().benefitsEn : pt().benefitsZh}
          <textarea
            rows={Math.max(2, others.length + 1)}
            value={others.map((b) => b.label[lang]).join('\n')}
            onChange={(e) => setOthers(lang, e.currentTarget.value)}
          />
        </label>
      ))}
    </>
  )
}

type Prices = Record<string, number | null>
interface PriceRow {
  sku: string
  price: string
}

/**
 * The prices the rows mean: a blank row is left out; a SKU typed twice, or a price that is not
 * an amount in yuan, is null, for `unpricedAt` to refuse by its row.
 */
function pricesOf(rows: PriceRow[]): Prices {
  const prices = new Map<string, number | null>()
  for (const row of rows) {
    const sku = row.sku.trim()
    if (!sku && !row.price.trim()) continue
    prices.set(sku, prices.has(sku) ? null : (fen(row.price) ?? null))
  }
  return Object.fromEntries(prices)
}
const rowsOf = (prices: Prices): PriceRow[] =>
  Object.entries(prices).map(([sku, price]) => ({ sku, price: yuan(price) }))

/**
 * The first member price the server could not name, by its path: the schema refuses a bad
 * price or an empty SKU as the whole benefit (it is one of a union), so the page names the row.
 */
function unpricedAt(draft: Config): string | null {
  for (const [i, tier] of draft.tiers.entries())
    for (const [k, benefit] of tier.benefits.entries()) {
      if (!('kind' in benefit) || benefit.kind !== 'member_prices') continue
      for (const [sku, price] of Object.entries(benefit.prices as Prices))
        if (!sku || typeof price !== 'number') return `tiers.${i}.benefits.${k}.prices.${sku}`
    }
  return null
}

/**
 * A tier's member prices, a SKU and its price in yuan a row. The rows stay as typed while they
 * mean the draft's prices (a row being filled in, "88." on its way to "88.50"); prices changed
 * another way (a restore, a tier removed above) are shown afresh.
 */
function MemberPrices({
  path,
  prices,
  onChange,
}: {
  path: string
  prices: Prices
  onChange: (next: Prices) => void
}) {
  const { refused } = useContext(DraftContext)
  const [typed, setTyped] = useState<PriceRow[]>(() => rowsOf(prices))
  const rows = JSON.stringify(pricesOf(typed)) === JSON.stringify(prices) ? typed : rowsOf(prices)
  const change = (next: PriceRow[]) => {
    setTyped(next)
    onChange(pricesOf(next))
  }
  const edit = (i: number, part: Partial<PriceRow>) =>
    change(rows.map((row, j) => (j === i ? { ...row, ...part } : row)))
  // The server refuses a price list it cannot read as the whole benefit.
  const whole = refused === path || refused === `${path}.prices`
  return (
    <fieldset class={whole ? 'item member-prices refused' : 'item member-prices'} data-field={path}>
      <legend>{pt().memberPrices}</legend>
      {rows.length === 0 && <p class="hint">{pt().noMemberPrices}</p>}
      {rows.map((row, i) => {
        const sku = row.sku.trim()
        const field = `${path}.prices.${sku}`
        const twice = sku !== '' && rows.findIndex((other) => other.sku.trim() === sku) < i
        const wrong = twice || refused === field
        return (
          <div key={i} class={wrong ? 'price-row refused' : 'price-row'} data-field={field}>
            <label class="sku">
              {pt().sku}
              <input
                type="text"
                maxLength={200}
                value={row.sku}
                onInput={(e) => edit(i, { sku: e.currentTarget.value })}
              />
            </label>
            <label class="price">
              {pt().memberPrice}
              <YuanInput value={row.price} onInput={(price) => edit(i, { price })} />
            </label>
            <button
              type="button"
              class="secondary danger"
              aria-label={pt().removePriceOf({ sku: sku || pt().noSku })}
              onClick={() => change(rows.filter((_, j) => j !== i))}
            >
              {pt().removePrice}
            </button>
            {wrong && (
              <p class="field-error" role="alert">
                {twice ? pt().skuTwice : pt().invalidHere}
              </p>
            )}
          </div>
        )
      })}
      {whole && (
        <p class="field-error" role="alert">
          {pt().invalidHere}
        </p>
      )}
      <button
        type="button"
        class="secondary"
        onClick={() => change([...rows, { sku: '', price: '' }])}
      >
        {pt().addPrice}
      </button>
    </fieldset>
  )
}

/** Fixed or banded: switching keeps what can be kept (the first band's rate). */
function Conversion({ draft, set }: { draft: Config; set: (path: string, next: unknown) => void }) {
  const conversion = draft.earning.conversion
  const path = 'earning.conversion'
  return (
    <>
      <Choice
        path={`${path}.mode`}
        options={['fixed', 'banded']}
        onPick={(mode) => {
          const rate =
            conversion.mode === 'fixed'
              ? { per: conversion.per, points: conversion.points }
              : { per: conversion.bands[0]!.per, points: conversion.bands[0]!.points }
          set(
            path,
            mode === 'fixed'
              ? { mode, ...rate }
              : { mode, banding: 'order', bands: [{ from: 0, ...rate }] },
          )
        }}
      />
      {conversion.mode === 'fixed' ? (
        <>
          <Money path={`${path}.per`} />
          <Num path={`${path}.points`} />
        </>
      ) : (
        <>
          <Choice path={`${path}.banding`} options={['order', 'marginal']} />
          {conversion.bands.map((_, i) => (
            <fieldset class="item" key={i}>
              <legend>{labelOf(`${path}.bands.${i}`)}</legend>
              <Money path={`${path}.bands.${i}.from`} />
              <Money path={`${path}.bands.${i}.per`} />
              <Num path={`${path}.bands.${i}.points`} />
              {conversion.bands.length > 1 && (
                <button
                  type="button"
                  class="secondary"
                  onClick={() =>
                    set(
                      `${path}.bands`,
                      conversion.bands.filter((__, j) => j !== i),
                    )
                  }
                >
                  {pt().removeBand}
                </button>
              )}
            </fieldset>
          ))}
          <button
            type="button"
            class="secondary"
            onClick={() => {
              const last = conversion.bands.at(-1)!
              set(`${path}.bands`, [...conversion.bands, { ...last, from: last.from + 10_000 }])
            }}
          >
            {pt().addBand}
          </button>
        </>
      )}
    </>
  )
}

/** Every version, newest first: what each changed, and the owner's way back to one. */
function Versions({ current, basis }: { current: number; basis: Config['tierRules']['basis'] }) {
  const list = useLoad(() => call('get', '/api/v1/programme/versions'), [version.value], fail)
  const staff = useLoad(() => call('get', '/api/v1/staff'), [version.value], fail)
  const [open, setOpen] = useState<number | null>(null)
  /** A version's author by name where they are on the staff (`staff:<id>`), else as recorded. */
  const author = (by: string | null) =>
    staff?.items.find((member) => by === `staff:${member.id}`)?.displayName ?? by ?? '—'

  return (
    <section class="card">
      <h2>{pt().versions}</h2>
      <ul class="list versions" data-testid="versions">
        {list?.items.map((v) => (
          <li key={v.version} class="row" data-version={v.version}>
            <span class="grow">
              {pt().versionLine({
                version: v.version,
                at: dateTime(v.createdAt),
                by: author(v.createdBy),
              })}
              {v.note && <small class="hint"> · {v.note}</small>}
              {v.version === current && <span class="badge active"> {pt().current}</span>}
            </span>
            <span class="row-actions">
              <button
                type="button"
                class="secondary"
                onClick={() => setOpen(open === v.version ? null : v.version)}
              >
                {open === v.version ? pt().hideChanges : pt().showChanges}
              </button>
              {v.version !== current && (
                <button
                  type="button"
                  class="secondary"
                  onClick={() =>
                    confirm(pt().restoreConfirm({ version: v.version }), () =>
                      call('post', '/api/v1/programme/versions/{version}/restore', {
                        params: { version: v.version },
                        query: { basedOn: current },
                      }),
                    )
                  }
                >
                  {pt().restore}
                </button>
              )}
            </span>
            {open === v.version && <Diff version={v.version} basis={basis} />}
          </li>
        ))}
      </ul>
    </section>
  )
}

/** A version's changes; amounts in yuan, a threshold too where spend counts now. */
function Diff({
  version: shownVersion,
  basis,
}: {
  version: number
  basis: Config['tierRules']['basis']
}) {
  const diff = useLoad(
    () =>
      call('get', '/api/v1/programme/versions/{version}/diff', {
        params: { version: shownVersion },
      }),
    [shownVersion],
    fail,
  )
  if (!diff) return null
  return (
    <div class="diff" data-testid="diff">
      {diff.against === null ? (
        <p class="hint">{pt().firstVersion}</p>
      ) : diff.changes.length === 0 ? (
        <p class="hint">{pt().noDiff}</p>
      ) : (
        <ul>
          {diff.changes.map((change) => (
            <li key={change.path}>{changeLine(change, basis)}</li>
          ))}
        </ul>
      )}
    </div>
  )
}
