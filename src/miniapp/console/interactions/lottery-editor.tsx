import { useEffect, useRef, useState } from 'preact/hooks'
import { type Body, type Ok, call } from '../../ui/api.ts'
import { useLoad } from '../../ui/load.ts'
import { instantOf, localInput, named } from '../format.ts'
import { fail } from '../state.ts'
import { BothLanguages, DateField, EditorForm, NumberField } from './fields.tsx'
import { type Localized, type Lottery, chance, it } from './state.ts'
import type { PrizeKind } from './texts.ts'

type Input = Body<'/api/v1/lotteries', 'post'>
type Prize = {
  name: Localized
  kind: PrizeKind
  points: number | null
  rewardId: string
  weight: number | null
  stock: number | null
}
type Odds = Ok<'/api/v1/lotteries/odds', 'post'>
type Draft = Body<'/api/v1/lotteries/odds', 'post'>

const blank = (): Localized => ({ 'zh-CN': '', en: '' })
const newPrize = (): Prize => ({
  name: blank(),
  kind: 'points',
  points: 10,
  rewardId: '',
  weight: 1,
  stock: null,
})
const HOUR = 3_600_000
/** How long the typing pauses before the odds are asked again. */
const ODDS_DELAY_MS = 250

/** What the odds depend on, as the server takes it: a weight being typed counts as 0. */
const oddsDraft = (prizes: Prize[]): Draft => ({
  prizes: prizes.map((p) => ({
    rewardId: p.kind === 'reward' && p.rewardId ? p.rewardId : null,
    weight: Number.isInteger(p.weight) && p.weight! >= 0 ? p.weight! : 0,
    stock: p.stock,
  })),
})

/**
 * A lottery's form: its title in both languages, price, free draws, caps, schedule and prizes,
 * with the published odds the server computes for them as the merchant types.
 */
export function LotteryEditor({ lottery }: { lottery: Lottery | null }) {
  const [title, setTitle] = useState<Localized>(lottery?.title ?? blank())
  const [costPoints, setCost] = useState<number | null>(lottery?.costPoints ?? 50)
  const [freeDraws, setFree] = useState<number | null>(lottery?.freeDrawsPerDay ?? 0)
  const [maxPerMember, setMaxPerMember] = useState(lottery?.maxDrawsPerMember ?? null)
  const [maxPerDay, setMaxPerDay] = useState(lottery?.maxDrawsPerDay ?? null)
  const [opensAt, setOpensAt] = useState(
    localInput(lottery?.opensAt ?? new Date(Date.now() + 24 * HOUR).toISOString()),
  )
  const [closesAt, setClosesAt] = useState(
    localInput(lottery?.closesAt ?? new Date(Date.now() + 15 * 24 * HOUR).toISOString()),
  )
  const [prizes, setPrizes] = useState<Prize[]>(
    lottery?.prizes.map((p) => ({
      name: p.name,
      kind: p.kind as PrizeKind,
      points: p.points,
      rewardId: p.rewardId ?? '',
      weight: p.weight,
      stock: p.stock,
    })) ?? [newPrize()],
  )
  const [odds, setOdds] = useState<Odds | null>(null)
  const rewards = useLoad(() => call('get', '/api/v1/rewards'), [], fail)

  // The odds are the server's: asked again once typing pauses, the latest answer kept.
  const asked = useRef(0)
  const draft = JSON.stringify(oddsDraft(prizes))
  useEffect(() => {
    const ask = ++asked.current
    const timer = setTimeout(() => {
      call('post', '/api/v1/lotteries/odds', { body: JSON.parse(draft) as Draft }).then(
        (answer) => ask === asked.current && setOdds(answer),
        // A draft the server refuses (a weight out of bounds) has no odds to show yet.
        () => ask === asked.current && setOdds(null),
      )
    }, ODDS_DELAY_MS)
    return () => clearTimeout(timer)
  }, [draft])

  const change = (index: number, next: Partial<Prize>) =>
    setPrizes(prizes.map((p, i) => (i === index ? { ...p, ...next } : p)))

  const save = async () => {
    const body: Input = {
      title,
      costPoints: costPoints ?? 0,
      freeDrawsPerDay: freeDraws ?? 0,
      maxDrawsPerMember: maxPerMember,
      maxDrawsPerDay: maxPerDay,
      opensAt: instantOf(opensAt) ?? '',
      closesAt: instantOf(closesAt) ?? '',
      prizes: prizes.map((p) => ({
        name: p.name,
        kind: p.kind,
        ...(p.kind === 'points' ? { points: p.points ?? 0 } : {}),
        ...(p.kind === 'reward' ? { rewardId: p.rewardId } : {}),
        weight: p.weight ?? 0,
        stock: p.stock,
      })),
    }
    return lottery
      ? call('put', '/api/v1/lotteries/{id}', { params: { id: lottery.id }, body })
      : call('post', '/api/v1/lotteries', { body })
  }

  return (
    <EditorForm
      title={lottery ? it().editLottery : it().newLottery}
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
      <div class="both">
        <NumberField label={it().costPoints} value={costPoints} onChange={setCost} />
        <NumberField label={it().freeDraws} value={freeDraws} onChange={setFree} />
        <NumberField
          label={it().maxPerMember}
          min={1}
          value={maxPerMember}
          onChange={setMaxPerMember}
        />
        <NumberField label={it().maxPerDay} min={1} value={maxPerDay} onChange={setMaxPerDay} />
        <DateField label={it().opensAt} value={opensAt} onChange={setOpensAt} />
        <DateField label={it().closesAt} value={closesAt} onChange={setClosesAt} />
      </div>
      <h3>{it().prizes}</h3>
      <p class="hint">{it().oddsHint}</p>
      {odds?.exhausted && (
        <p class="error-text" role="status">
          {it().noOdds}
        </p>
      )}
      {prizes.map((prize, p) => (
        <fieldset key={p} class="prize" data-prize={p}>
          <legend>
            {it().prize({ n: p + 1 })} ·{' '}
            <span data-testid="odds">
              {it().odds}{' '}
              {odds?.probabilities[p] === undefined ? '—' : chance(odds.probabilities[p])}
            </span>
          </legend>
          <BothLanguages
            zh={it().prizeZh}
            en={it().prizeEn}
            value={prize.name}
            onChange={(name) => change(p, { name })}
            max={200}
          />
          <div class="both">
            <label>
              {it().prizeKind}
              <select
                value={prize.kind}
                onChange={(e) => change(p, { kind: e.currentTarget.value as PrizeKind })}
              >
                {(Object.keys(it().kind) as PrizeKind[]).map((kind) => (
                  <option key={kind} value={kind}>
                    {it().kind[kind]}
                  </option>
                ))}
              </select>
            </label>
            {prize.kind === 'points' && (
              <NumberField
                label={it().prizePoints}
                min={1}
                value={prize.points}
                onChange={(points) => change(p, { points })}
              />
            )}
            {prize.kind === 'reward' && (
              <label>
                {it().reward}
                <select
                  value={prize.rewardId}
                  onChange={(e) => change(p, { rewardId: e.currentTarget.value })}
                >
                  <option value="">{it().chooseReward}</option>
                  {rewards?.items
                    .filter((r) => r.status !== 'retired')
                    .map((r) => (
                      <option key={r.id} value={r.id}>
                        {named(r.name)}
                      </option>
                    ))}
                </select>
              </label>
            )}
            <NumberField
              label={it().weight}
              min={1}
              value={prize.weight}
              onChange={(weight) => change(p, { weight })}
            />
            <NumberField
              label={it().stock}
              value={prize.stock}
              onChange={(stock) => change(p, { stock })}
            />
          </div>
          {prizes.length > 1 && (
            <div class="actions">
              <button
                type="button"
                class="secondary"
                onClick={() => setPrizes(prizes.filter((_, i) => i !== p))}
              >
                {it().removePrize}
              </button>
            </div>
          )}
        </fieldset>
      ))}
      {prizes.length < 20 && (
        <div class="actions">
          <button
            type="button"
            class="secondary"
            onClick={() => setPrizes([...prizes, newPrize()])}
          >
            {it().addPrize}
          </button>
        </div>
      )}
    </EditorForm>
  )
}

/** The form's words for a field the server names in a refusal (`prizes.1.weight`...). */
function fieldLabel(field: string): string {
  const [top, index, part] = field.split('.')
  if (top === 'prizes') {
    const which =
      index !== undefined && /^\d+$/.test(index)
        ? it().prize({ n: Number(index) + 1 })
        : it().prizes
    const parts: Record<string, string> = {
      weight: it().weight,
      stock: it().stock,
      points: it().prizePoints,
      rewardId: it().reward,
      name: it().prizeZh,
    }
    const named = parts[part ?? index ?? '']
    return named ? `${which} · ${named}` : which
  }
  const labels: Record<string, string> = {
    title: it().titleZh,
    costPoints: it().costPoints,
    freeDrawsPerDay: it().freeDraws,
    maxDrawsPerMember: it().maxPerMember,
    maxDrawsPerDay: it().maxPerDay,
    opensAt: it().opensAt,
    closesAt: it().closesAt,
  }
  return labels[top ?? ''] ?? field
}
