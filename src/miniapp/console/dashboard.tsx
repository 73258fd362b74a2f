import { signal } from '@preact/signals'
import { type Ok, call } from '../ui/api.ts'
import { useLoad } from '../ui/load.ts'
import { locale } from '../ui/boot.tsx'
import { BarChart } from './chart.tsx'
import { confirm } from './confirm.tsx'
import { DASHBOARD_TEXTS } from './dashboard-texts.ts'
import { date, daysAgo, money, named, number, percent } from './format.ts'
import { fail, may, version } from './state.ts'

type Attention = Ok<'/api/v1/attention', 'get'>
const d = () => DASHBOARD_TEXTS[locale.value]
const PERIODS = [7, 30, 90, 365] as const
/** The period the figures cover, in days up to today. */
const days = signal<(typeof PERIODS)[number]>(30)

/** The dashboard: the key figures and the weekly chart of a period, and what needs attention. */
export function DashboardPage() {
  return (
    <>
      {may('GET /api/v1/reports/programme') ? (
        <Figures />
      ) : (
        <p class="card hint">{d().reportsForManagers}</p>
      )}
      <AttentionCard />
    </>
  )
}

function Figures() {
  const query = { from: daysAgo(days.value - 1) }
  const report = useLoad(
    () => call('get', '/api/v1/reports/programme', { query }),
    [days.value, version.value],
    fail,
  )
  const weekly = useLoad(
    () => call('get', '/api/v1/reports/weekly', { query }),
    [days.value, version.value],
    fail,
  )
  const figures = report ? keyFigures(report) : []
  const weeks = weekly?.items ?? []
  return (
    <>
      <section class="card">
        <div class="section-head">
          <h2>{d().figures}</h2>
          <label>
            <span class="visually-hidden">{d().period}</span>
            <select
              name="period"
              aria-label={d().period}
              value={days.value}
              onChange={(event) =>
                (days.value = Number(event.currentTarget.value) as (typeof PERIODS)[number])
              }
            >
              {PERIODS.map((n) => (
                <option key={n} value={n}>
                  {d().lastDays({ days: n })}
                </option>
              ))}
            </select>
          </label>
        </div>
        {report && (
          <p class="hint" data-testid="period">
            {`${date(report.period.from)} – ${date(new Date(Date.parse(report.period.to) - 1).toISOString())}`}
          </p>
        )}
        <dl class="figures" data-testid="figures">
          {figures.map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section class="card">
        <h2>{d().weekly}</h2>
        <WeeklyCharts weeks={weeks} />
      </section>
    </>
  )
}

/** The programme report's key figures, labelled: the dashboard's and the Reports page's. */
export function keyFigures(report: Ok<'/api/v1/reports/programme', 'get'>): [string, string][] {
  return [
    [d().members, number(report.members.atEnd)],
    [d().newMembers, number(report.members.new)],
    [d().newMemberRate, percent(report.members.newMemberRate)],
    [d().memberSales, money(report.sales.memberSales)],
    [d().memberShare, percent(report.sales.memberShare)],
    [d().activityRate, percent(report.activity.activityRate)],
    [d().churnRate, percent(report.churn.churnRate)],
    [d().repeatRate, percent(report.repeat.repeatRate)],
    [d().pointsIssued, number(report.points.issued)],
    [d().pointsRedeemed, number(report.points.redeemed)],
    [d().pointsOutstanding, number(report.points.outstanding)],
  ]
}

/** New members and member sales week by week, as the weekly report gives them. */
export function WeeklyCharts({ weeks }: { weeks: Ok<'/api/v1/reports/weekly', 'get'>['items'] }) {
  return (
    <div class="charts">
      <BarChart
        testId="chart-members"
        title={d().weeklyNewMembers}
        format={number}
        bars={weeks.map((w) => ({
          key: w.week,
          label: d().weekOf({ day: w.week }),
          value: w.newMembers,
        }))}
      />
      <BarChart
        testId="chart-sales"
        title={d().weeklySales}
        format={money}
        bars={weeks.map((w) => ({
          key: w.week,
          label: d().weekOf({ day: w.week }),
          value: w.memberSales,
        }))}
      />
    </div>
  )
}

function AttentionCard() {
  const now = useLoad(() => call('get', '/api/v1/attention'), [version.value], fail)
  if (!now) return null
  const { pendingPoints, lowStock, prizesToFulfil } = now
  const clear = pendingPoints.count === 0 && lowStock.length === 0 && prizesToFulfil.count === 0
  return (
    <section class="card" data-testid="attention">
      <h2>{d().attention}</h2>
      {clear && <p class="hint">{d().allClear}</p>}
      {pendingPoints.count > 0 && (
        <div class="attention-block" data-testid="pending">
          <p>
            {d().pendingPoints({
              count: pendingPoints.count,
              points: number(pendingPoints.points),
            })}
          </p>
          {may('GET /api/v1/points/pending') && <PendingList />}
        </div>
      )}
      {lowStock.length > 0 && (
        <div class="attention-block" data-testid="low-stock">
          <h3>{d().lowStock}</h3>
          <ul class="list">
            {lowStock.map((reward) => (
              <li key={reward.id}>
                {d().stockLeft({
                  name: named(reward.name),
                  stock: reward.stock,
                  issued: reward.issued,
                })}
              </li>
            ))}
          </ul>
        </div>
      )}
      {prizesToFulfil.count > 0 && <Prizes prizes={prizesToFulfil} />}
    </section>
  )
}

function PendingList() {
  const list = useLoad(
    () => call('get', '/api/v1/points/pending', { query: { limit: 10 } }),
    [version.value],
    fail,
  )
  const decide = (id: string, decision: 'approve' | 'reject') =>
    call('post', `/api/v1/points/pending/{id}/${decision}`, { params: { id }, idempotent: true })
  return (
    <ul class="list">
      {list?.items.map((hold) => {
        const who = { name: hold.memberName, points: number(hold.points) }
        return (
          <li key={hold.id} class="row" data-pending={hold.id}>
            <span class="grow">
              {d().pendingOrder({
                name: hold.memberName,
                code: hold.memberCode,
                points: number(hold.points),
                amount: money(hold.amount),
              })}
            </span>
            <span class="row-actions">
              <button
                onClick={() => confirm(d().approveConfirm(who), () => decide(hold.id, 'approve'))}
              >
                {d().approve}
              </button>
              <button
                class="secondary"
                onClick={() => confirm(d().rejectConfirm(who), () => decide(hold.id, 'reject'))}
              >
                {d().reject}
              </button>
            </span>
          </li>
        )
      })}
    </ul>
  )
}

function Prizes({ prizes }: { prizes: Attention['prizesToFulfil'] }) {
  const canFulfil = may('POST /api/v1/lottery-draws/{id}/fulfil')
  return (
    <div class="attention-block" data-testid="prizes">
      <h3>{d().prizes({ count: prizes.count })}</h3>
      <ul class="list">
        {prizes.items.map((draw) => {
          const prize = named(draw.prize)
          return (
            <li key={draw.drawId} class="row" data-draw={draw.drawId}>
              <span class="grow">
                {d().prizeRow({
                  prize,
                  name: draw.memberName,
                  code: draw.memberCode,
                  when: date(draw.wonAt),
                })}
              </span>
              {canFulfil && (
                <button
                  onClick={() =>
                    confirm(d().fulfilConfirm({ prize, name: draw.memberName }), () =>
                      call('post', '/api/v1/lottery-draws/{id}/fulfil', {
                        params: { id: draw.drawId },
                      }),
                    )
                  }
                >
                  {d().fulfil}
                </button>
              )}
            </li>
          )
        })}
      </ul>
    </div>
  )
}
