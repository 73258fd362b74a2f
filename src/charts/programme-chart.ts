import { type Canvas, GlobalFonts, createCanvas } from '@napi-rs/canvas'
import { Chart, type ChartConfiguration, registerables } from 'chart.js'

Chart.register(...registerables)

/** Families that have the Chinese glyphs, the first installed one wins (Debian: fonts-wqy-*). */
const CJK_FAMILIES = [
  'WenQuanYi Micro Hei',
  'WenQuanYi Zen Hei',
  'Noto Sans CJK SC',
  'Noto Sans SC',
  'Source Han Sans SC',
  'Source Han Sans CN',
  'Droid Sans Fallback',
  'PingFang SC',
  'Microsoft YaHei',
]

/**
 * The installed family that can draw Chinese, or null. Skia reads the system's font folders
 * (/usr/share/fonts and the like) when the module loads, so no browser and no fontconfig call
 * is needed; without a CJK font labels in Chinese would come out as empty boxes.
 */
export function chineseFont(): string | null {
  const installed = new Set(GlobalFonts.families.map((font) => font.family))
  return CJK_FAMILIES.find((family) => installed.has(family)) ?? null
}

export interface ProgrammeChartInput {
  /** Texts in the reader's language: the chart draws what it is given. */
  labels: {
    weekly: string
    members: string
    memberSales: string
    guestSales: string
    segments: string
  }
  /** One entry per week; sales in major units (yuan), as the axis shows them. */
  weeks: { label: string; members: number; memberSales: number; guestSales: number }[]
  segments: { label: string; members: number }[]
}

const WIDTH = 1_200
const HEIGHT = 600
const WEEKLY_WIDTH = 760
const COLOURS = { members: '#e15759', memberSales: '#4e79a7', guestSales: '#bab0ac' }
const SEGMENT_COLOURS = [
  '#59a14f',
  '#8cd17d',
  '#4e79a7',
  '#76b7b2',
  '#f28e2b',
  '#e15759',
  '#9c755f',
]

/** Draws one chart on its own canvas and copies it onto `target` at x (destroying clears it). */
function drawAt(target: Canvas, x: number, width: number, config: ChartConfiguration): void {
  const canvas = createCanvas(width, HEIGHT)
  // chart.js takes any object with getContext('2d'); @napi-rs/canvas is one, without a DOM.
  const chart = new Chart(canvas as unknown as HTMLCanvasElement, config)
  target.getContext('2d').drawImage(canvas, x, 0)
  chart.destroy()
}

/**
 * The /stats picture as a PNG: members and sales week by week on the left (sales as stacked
 * bars, members as a line on the right axis), segment sizes on the right. Rendered by chart.js
 * on a Skia canvas in this process: no browser, no system library beyond fonts.
 */
export function renderProgrammeChart(input: ProgrammeChartInput): Buffer {
  const cjk = chineseFont()
  Chart.defaults.font.family = [cjk, 'DejaVu Sans', 'Liberation Sans', 'sans-serif']
    .filter(Boolean)
    .map((family) => `"${family}"`)
    .join(', ')
  Chart.defaults.font.size = 14
  Chart.defaults.color = '#333'
  const common = { animation: false, responsive: false, devicePixelRatio: 1 } as const
  const picture = createCanvas(WIDTH, HEIGHT)
  const ctx = picture.getContext('2d')
  // Chart.js leaves the background transparent; chat apps show that as black or grey.
  ctx.fillStyle = '#ffffff'
  ctx.fillRect(0, 0, WIDTH, HEIGHT)
  drawAt(picture, 0, WEEKLY_WIDTH, {
    type: 'bar',
    data: {
      labels: input.weeks.map((week) => week.label),
      datasets: [
        {
          type: 'bar',
          label: input.labels.memberSales,
          data: input.weeks.map((week) => week.memberSales),
          backgroundColor: COLOURS.memberSales,
          stack: 'sales',
          yAxisID: 'sales',
          order: 2,
        },
        {
          type: 'bar',
          label: input.labels.guestSales,
          data: input.weeks.map((week) => week.guestSales),
          backgroundColor: COLOURS.guestSales,
          stack: 'sales',
          yAxisID: 'sales',
          order: 2,
        },
        {
          type: 'line',
          label: input.labels.members,
          data: input.weeks.map((week) => week.members),
          borderColor: COLOURS.members,
          backgroundColor: COLOURS.members,
          borderWidth: 3,
          pointRadius: 4,
          yAxisID: 'members',
          order: 1,
        },
      ],
    },
    options: {
      ...common,
      plugins: { title: { display: true, text: input.labels.weekly, font: { size: 18 } } },
      scales: {
        x: { stacked: true },
        sales: { type: 'linear', position: 'left', stacked: true, beginAtZero: true },
        members: {
          type: 'linear',
          position: 'right',
          beginAtZero: true,
          grid: { drawOnChartArea: false },
          ticks: { precision: 0 },
        },
      },
    },
  })
  drawAt(picture, WEEKLY_WIDTH, WIDTH - WEEKLY_WIDTH, {
    type: 'bar',
    data: {
      labels: input.segments.map((segment) => segment.label),
      datasets: [
        {
          label: input.labels.segments,
          data: input.segments.map((segment) => segment.members),
          backgroundColor: input.segments.map(
            (_, i) => SEGMENT_COLOURS[i % SEGMENT_COLOURS.length]!,
          ),
        },
      ],
    },
    options: {
      ...common,
      indexAxis: 'y',
      layout: { padding: { right: 16 } },
      plugins: {
        legend: { display: false },
        title: { display: true, text: input.labels.segments, font: { size: 18 } },
      },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  })
  return picture.toBuffer('image/png')
}
