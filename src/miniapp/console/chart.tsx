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
  const barWidth = Math.max(2, slot * 0.7)
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
