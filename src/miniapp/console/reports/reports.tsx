import type { ComponentChildren } from 'preact'
import { type Ok, call, download } from '../../ui/api.ts'
import { useLoad } from '../../ui/load.ts'
import { locale } from '../../ui/boot.tsx'
import { LineChart } from '../chart.tsx'
import { WeeklyCharts, keyFigures } from '../dashboard.tsx'
import { money, named, number, percent } from '../format.ts'
import { PeriodPicker, periodChoice } from '../period.tsx'
import { fail, version } from '../state.ts'
import { REPORTS_TEXTS } from './texts.ts'

type Report =
  | '/api/v1/reports/programme'
  | '/api/v1/reports/weekly'
  | '/api/v1/reports/campaigns'
  | '/api/v1/reports/tiers'
  | '/api/v1/reports/segments'
type Marketing = Ok<'/api/v1/reports/campaigns', 'get'>['items'][number]
type Segments = Ok<'/api/v1/reports/segments', 'get'>

const r = () => REPORTS_TEXTS[locale.value]
const chosen = periodChoice()

/** One report's card, with the download of its table as the server writes it. */
function ReportCard({
  title,
  path,
  testId,
  children,
}: {
  title: string
  path: Report
  testId: string
  children: ComponentChildren
}) {
  return (
    <section class="card" data-testid={testId}>
      <div class="section-head">
        <h2>{title}</h2>
        <button
          class="secondary"
          data-csv={testId}
          onClick={() =>
            void download(path, { query: { ...chosen.query(), format: 'csv' } }).catch(fail)
          }
        >
          {r().csv}
        </button>
      </div>
      {children}
    </section>
  )
}

/** The managers' reports over a chosen period, each table downloadable as CSV. */
export function ReportsPage() {
  const query = chosen.query()
  const deps = [query.from, query.to, version.value]
  const programme = useLoad(() => call('get', '/api/v1/reports/programme', { query }), deps, fail)
  const weekly = useLoad(() => call('get', '/api/v1/reports/weekly', { query }), deps, fail)
  const marketing = useLoad(() => call('get', '/api/v1/reports/campaigns', { query }), deps, fail)
  const tiers = useLoad(() => call('get', '/api/v1/reports/tiers', { query }), deps, fail)
  const segments = useLoad(() => call('get', '/api/v1/reports/segments', { query }), deps, fail)
  return (
    <>
      <section class="card">
        <PeriodPicker choice={chosen} answered={programme?.period} testId="report-period" />
      </section>
      <ReportCard title={r().health} path="/api/v1/reports/programme" testId="report-programme">
        {programme && (
          <dl class="figures">
            {[
              ...keyFigures(programme),
              [r().churnLost, number(programme.churn.lost)] as const,
              [r().pointsExpired, number(programme.points.expired)] as const,
              [
                r().satisfaction,
                programme.satisfaction.average === null
                  ? '—'
                  : programme.satisfaction.average.toLocaleString(locale.value, {
                      maximumFractionDigits: 1,
                    }),
              ] as const,
            ].map(([label, value]) => (
              <div key={label}>
                <dt>{label}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
        )}
      </ReportCard>
      <ReportCard title={r().weekly} path="/api/v1/reports/weekly" testId="report-weekly">
        {weekly && (
          <>
            <WeeklyCharts weeks={weekly.items} />
            <Table
              head={[
                r().week,
                r().newMembers,
                r().members,
                r().memberOrders,
                r().memberSales,
                r().guestSales,
              ]}
              rows={weekly.items.map((w) => [
                w.week,
                number(w.newMembers),
                number(w.members),
                number(w.memberOrders),
                money(w.memberSales),
                money(w.guestSales),
              ])}
            />
          </>
        )}
      </ReportCard>
      <ReportCard title={r().marketing} path="/api/v1/reports/campaigns" testId="report-campaigns">
        {marketing &&
          (marketing.items.length === 0 ? (
            <p class="hint">{r().noMarketing}</p>
          ) : (
            <Table
              head={[
                r().name,
                r().sent,
                r().opened,
                r().converted,
                r().orders,
                r().sales,
                r().cost,
                r().roi,
                r().uplift,
              ]}
              rows={marketing.items.map((row) => [
                marketingName(row),
                number(row.sent),
                number(row.opened),
                number(row.converted),
                number(row.orders),
                money(row.sales),
                row.cost === null ? '—' : money(row.cost),
                percent(row.roi),
                row.holdout
                  ? `${row.holdout.uplift === null ? '—' : `${(row.holdout.uplift * 100).toFixed(1)}%`} · ${r().verdict[row.holdout.verdict]}`
                  : '—',
              ])}
            />
          ))}
      </ReportCard>
      <ReportCard title={r().tiers} path="/api/v1/reports/tiers" testId="report-tiers">
        {tiers &&
          (tiers.items.length === 0 ? (
            <p class="hint">{r().noTiers}</p>
          ) : (
            <Table
              head={[r().tier, r().orders, r().sales, r().benefitCost, r().costShare]}
              rows={tiers.items.map((row) => [
                row.name ? named(row.name) : (row.tierCode ?? r().oldTier),
                number(row.orders),
                money(row.sales),
                money(row.cost.total),
                percent(row.costShare),
              ])}
            />
          ))}
      </ReportCard>
      <ReportCard title={r().segments} path="/api/v1/reports/segments" testId="report-segments">
        {segments && <SegmentMovement history={segments} />}
      </ReportCard>
    </>
  )
}

/** A campaign by its name; a reminder by its kind in the reader's language. */
const marketingName = (row: Marketing) =>
  row.source === 'reminder'
    ? `${r().source.reminder} · ${r().reminderKind[row.id] ?? row.name}`
    : `${r().source.campaign} · ${row.name}`

/** The sizes of each dimension's classes day by day as lines, and first day against last. */
function SegmentMovement({ history }: { history: Segments }) {
  const days = [...new Set(history.items.map((item) => item.day))]
  if (days.length === 0) return <p class="hint">{r().noSegments}</p>
  const dimensions = [...new Set(history.items.map((item) => item.dimension))]
  const size = (dimension: string, cls: string, day: string) =>
    history.items.find((i) => i.dimension === dimension && i.class === cls && i.day === day)
      ?.members ?? 0
  const classLabel = (cls: string) => r().segmentClass[cls] ?? cls
  const firstDay = days[0]!
  const lastDay = days.at(-1)!
  return (
    <>
      <div class="charts">
        {dimensions.map((dimension) => {
          const classes = [
            ...new Set(history.items.filter((i) => i.dimension === dimension).map((i) => i.class)),
          ]
          return (
            <LineChart
              key={dimension}
              testId={`chart-segments-${dimension}`}
              title={r().dimension[dimension]}
              days={days}
              format={number}
              series={classes.map((cls) => ({
                key: cls,
                label: classLabel(cls),
                values: days.map((day) => size(dimension, cls, day)),
              }))}
            />
          )
        })}
      </div>
      <Table
        head={[r().segmentClassName, firstDay, lastDay, r().change]}
        rows={dimensions.flatMap((dimension) =>
          [
            ...new Set(history.items.filter((i) => i.dimension === dimension).map((i) => i.class)),
          ].map((cls) => {
            const change = size(dimension, cls, lastDay) - size(dimension, cls, firstDay)
            return [
              `${r().dimension[dimension]} · ${classLabel(cls)}`,
              number(size(dimension, cls, firstDay)),
              number(size(dimension, cls, lastDay)),
              change > 0 ? `+${number(change)}` : number(change),
            ]
          }),
        )}
      />
    </>
  )
}

/** A report's table: the first column names the row, the others are figures, right-aligned. */
function Table({ head, rows }: { head: string[]; rows: string[][] }) {
  return (
    <div class="table-scroll">
      <table class="data-table">
        <thead>
          <tr>
            {head.map((cell, i) => (
              <th key={i} class={i > 0 ? 'num' : undefined}>
                {cell}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, n) => (
            <tr key={n}>
              {row.map((cell, i) => (
                <td key={i} class={i > 0 ? 'num' : undefined}>
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
