interface Bar {
  key: string
  label: string
  value: number
}

const WIDTH = 640
const HEIGHT = 220
const AXIS = 40
const TOP = 30

/**
 * A week-by-week bar chart drawn as SVG in the page (no chart library, nothing loaded): it
 * scales to its card's width, every bar titled with its exact value for a pointer or a reader.
 */
export function BarChart({
  title,
  bars,
  format,
  testId,
}: {
  title: string
  bars: Bar[]
  format: (value: number) => string
  testId: string
}) {
  const max = Math.max(1, ...bars.map((bar) => bar.value))
  const slot = (WIDTH - 8) / Math.max(1, bars.length)
  // A short period's few bars stay bars: one week's spanned the whole chart.
  const barWidth = Math.min(72, Math.max(2, slot * 0.7))
  // Labels under every bar crowd a phone: one in every few, so about eight fit.
  const every = Math.max(1, Math.ceil(bars.length / 8))
  return (
    <figure class="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title}>
        <line x1="0" x2={WIDTH} y1={HEIGHT - AXIS} y2={HEIGHT - AXIS} class="axis" />
        {bars.map((bar, i) => {
          const height = ((HEIGHT - AXIS - TOP) * bar.value) / max
          const x = 4 + i * slot + (slot - barWidth) / 2
          return (
            <g key={bar.key} data-value={bar.value}>
              <rect x={x} y={HEIGHT - AXIS - height} width={barWidth} height={height} rx="3">
                <title>{`${bar.label}: ${format(bar.value)}`}</title>
              </rect>
              {bar.value === max && bar.value > 0 && (
                <text
                  x={i < bars.length / 2 ? x : x + barWidth}
                  y={HEIGHT - AXIS - height - 8}
                  class="peak"
                  // A peak label at an edge would run out of the chart: it grows inwards.
                  text-anchor={i < bars.length / 2 ? 'start' : 'end'}
                >
                  {format(bar.value)}
                </text>
              )}
              {i % every === 0 && (
                <text x={x + barWidth / 2} y={HEIGHT - 10} class="tick">
                  {bar.key.slice(5)}
                </text>
              )}
            </g>
          )
        })}
      </svg>
    </figure>
  )
}

interface Series {
  key: string
  label: string
  values: number[]
}

/**
 * Several series over the same days as lines, drawn like the bar chart: every point titled with
 * its exact value, colours told apart by the legend under it. A series is drawn from a CSS
 * palette of eight, which the lifecycle stages, the most of one chart, fill.
 */
export function LineChart({
  title,
  days,
  series,
  format,
  testId,
}: {
  title: string
  days: string[]
  series: Series[]
  format: (value: number) => string
  testId: string
}) {
  const max = Math.max(1, ...series.flatMap((line) => line.values))
  const step = (WIDTH - 16) / Math.max(1, days.length - 1)
  const x = (i: number) => (days.length === 1 ? WIDTH / 2 : 8 + i * step)
  // Lower than the bars' top, so that the highest point stays clear of the label of the maximum.
  const top = TOP + 10
  const y = (value: number) => HEIGHT - AXIS - ((HEIGHT - AXIS - top) * value) / max
  const every = Math.max(1, Math.ceil(days.length / 6))
  return (
    <figure class="chart line-chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title}>
        <line x1="0" x2={WIDTH} y1={HEIGHT - AXIS} y2={HEIGHT - AXIS} class="axis" />
        <text x="4" y={top - 16} class="peak">
          {format(max)}
        </text>
        {series.map((line, n) => (
          <g key={line.key} class={`series-${n % 8}`} data-series={line.key}>
            <polyline points={line.values.map((value, i) => `${x(i)},${y(value)}`).join(' ')} />
            {line.values.map((value, i) => (
              <circle key={days[i]} cx={x(i)} cy={y(value)} r="5" data-value={value}>
                <title>{`${line.label} · ${days[i]}: ${format(value)}`}</title>
              </circle>
            ))}
          </g>
        ))}
        {days.map(
          (day, i) =>
            i % every === 0 && (
              <text
                key={day}
                x={x(i)}
                y={HEIGHT - 10}
                class="tick"
                // The first and last days sit at the chart's edges: their labels grow inwards
                // (a style, since the stylesheet centres ticks over a presentation attribute).
                style={{
                  textAnchor: i === 0 ? 'start' : i === days.length - 1 ? 'end' : 'middle',
                }}
              >
                {day.slice(5)}
              </text>
            ),
        )}
      </svg>
      <ul class="legend">
        {series.map((line, n) => (
          <li key={line.key} class={`series-${n % 8}`}>
            {line.label}
          </li>
        ))}
      </ul>
    </figure>
  )
}
