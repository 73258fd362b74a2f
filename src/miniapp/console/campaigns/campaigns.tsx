import './campaigns.css'
import { useEffect, useState } from 'preact/hooks'
import { call } from '../../ui/api.ts'
import { useLoad } from '../../ui/load.ts'
import { confirm } from '../confirm.tsx'
import { dateTime, money, number, percent } from '../format.ts'
import { fail, version } from '../state.ts'
import { CampaignComposer } from './compose.tsx'
import { type Campaign, composing, ct } from './state.ts'

/** How often the list is fetched again while a campaign is due or sending, for its progress. */
const REFRESH_MS = 2_000

/** Campaigns: the list with status and progress, pause, resume and cancel, and the results. */
export function CampaignsPage() {
  const [tick, setTick] = useState(0)
  const list = useLoad(() => call('get', '/api/v1/campaigns'), [version.value, tick], fail)
  const moving = list?.items.some((c) => c.status === 'scheduled' || c.status === 'sending')
  useEffect(() => {
    if (!moving) return
    const timer = setTimeout(() => setTick(tick + 1), REFRESH_MS)
    return () => clearTimeout(timer)
  }, [moving, list])
  if (composing.value) return <CampaignComposer />
  return (
    <section class="card">
      <div class="section-head">
        <h2>{ct().title}</h2>
        <button onClick={() => (composing.value = true)}>{ct().add}</button>
      </div>
      {list && list.items.length === 0 && <p class="empty">{ct().empty}</p>}
      <ul class="list" data-testid="campaigns">
        {list?.items.map((campaign) => (
          <Row key={campaign.id} campaign={campaign} />
        ))}
      </ul>
    </section>
  )
}

/** Messages whose sending has ended, one way or another. */
const done = (s: Campaign['stats']) =>
  s.sent + s.failed + s.blocked + s.skipped + s.cancelled + s.uncertain + s.expired

function Row({ campaign }: { campaign: Campaign }) {
  const [open, setOpen] = useState(false)
  const { stats, status, name } = campaign
  const act = (action: 'pause' | 'resume' | 'cancel') => () =>
    call('post', `/api/v1/campaigns/{id}/${action}`, { params: { id: campaign.id } })
  return (
    <li class="campaign-row" data-campaign={campaign.id}>
      <span class="who">
        <strong>{name}</strong>
        <br />
        <small>
          {ct().sendsAt({ at: dateTime(campaign.sendAt) })}
          {campaign.startedAt && (
            <>
              {' · '}
              <span data-testid="progress">
                {ct().progress({
                  done: number(done(stats)),
                  targeted: number(stats.targeted),
                })}
              </span>
            </>
          )}
        </small>
        {campaign.startedAt && stats.targeted > 0 && (
          <progress max={stats.targeted} value={done(stats)} />
        )}
      </span>
      <span class={`badge ${status}`} data-testid="status">
        {ct().status[status]}
      </span>
      <span class="row-actions">
        {(status === 'scheduled' || status === 'sending') && (
          <button
            class="secondary"
            onClick={() => confirm(ct().pauseConfirm({ name }), act('pause'))}
          >
            {ct().pause}
          </button>
        )}
        {status === 'paused' && (
          <button
            class="secondary"
            onClick={() => confirm(ct().resumeConfirm({ name }), act('resume'))}
          >
            {ct().resume}
          </button>
        )}
        {(status === 'scheduled' || status === 'sending' || status === 'paused') && (
          <button
            class="secondary danger"
            onClick={() => confirm(ct().cancelConfirm({ name }), act('cancel'))}
          >
            {ct().cancelCampaign}
          </button>
        )}
        <button class="secondary" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? ct().hideResults : ct().results}
        </button>
      </span>
      {open && <Results campaign={campaign} />}
    </li>
  )
}

/** Points of conversion, signed: a share of 0.125 is "+12.5". */
const points = (share: number) => `${share > 0 ? '+' : ''}${(share * 100).toFixed(1)}`

function Results({ campaign }: { campaign: Campaign }) {
  const { stats } = campaign
  const f = ct().figures
  const figures: [string, string][] = [
    [f.targeted, number(stats.targeted)],
    [f.sent, number(stats.sent)],
    [f.held, number(stats.held)],
    [f.uncertain, number(stats.uncertain)],
    [f.failed, number(stats.failed)],
    [f.blocked, number(stats.blocked)],
    [f.opened, number(stats.opened)],
    [f.orders, number(stats.orders)],
    [f.sales, money(stats.sales)],
    ...(stats.cost === null
      ? []
      : ([
          [f.cost, money(stats.cost)],
          [f.roi, percent(stats.roi)],
        ] as [string, string][])),
    [f.heldOut, number(stats.heldOut)],
  ]
  const { holdout } = stats
  return (
    <div class="campaign-results" data-testid="results">
      <dl class="figures">
        {figures.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {holdout ? (
        <p data-testid="uplift">
          <strong>{ct().uplift}: </strong>
          {holdout.uplift === null || holdout.interval === null
            ? '—'
            : ct().upliftValue({
                uplift: points(holdout.uplift),
                low: points(holdout.interval.low),
                high: points(holdout.interval.high),
              })}{' '}
          {ct().verdict[holdout.verdict]}
        </p>
      ) : (
        <p class="hint">{ct().noHoldout}</p>
      )}
    </div>
  )
}
