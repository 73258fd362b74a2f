import { createCanvas } from '@napi-rs/canvas'
import { describe, expect, it } from 'vitest'
import { chineseFont, renderProgrammeChart } from '../../src/charts/programme-chart.ts'
import { inspectPng } from '../helpers/png.ts'

const input = {
  labels: {
    weekly: '会员与销售（按周）',
    members: '会员数',
    memberSales: '会员销售额 ¥',
    guestSales: '非会员销售额 ¥',
    segments: '客户分类',
  },
  weeks: ['3/3', '3/10', '3/17'].map((label, i) => ({
    label,
    members: 10 + i,
    memberSales: [200, 80, 0][i]!,
    guestSales: [50, 0, 0][i]!,
  })),
  segments: ['新会员', '潜在客户', '流失'].map((label, i) => ({ label, members: [1, 3, 2][i]! })),
}

describe('the programme chart', () => {
  it('is a 1200×600 PNG with the charts drawn on a white ground', async () => {
    const png = renderProgrammeChart(input)
    const picture = await inspectPng(png)
    expect(picture).toMatchObject({ width: 1_200, height: 600 })
    // Bars, a line, axes and text in several colours; a blank or single-colour image has 1.
    expect(picture.colours).toBeGreaterThan(20)
    expect(picture.inkedShare).toBeGreaterThan(0.05)
    expect(picture.inkedShare).toBeLessThan(0.9)
  })

  it('draws a chart of nothing (a new programme) without failing', async () => {
    const png = renderProgrammeChart({ ...input, weeks: [], segments: [] })
    expect((await inspectPng(png)).colours).toBeGreaterThan(1)
  })

  it('finds a system font with Chinese glyphs, so labels are not empty boxes', () => {
    // CI installs Debian's fonts-wqy-microhei (.ci/run).
    const family = chineseFont()
    expect(family).not.toBeNull()
    // Missing glyphs all draw the same box: two different characters must differ.
    const glyph = (char: string) => {
      const canvas = createCanvas(40, 40)
      const ctx = canvas.getContext('2d')
      ctx.font = `32px "${family}"`
      ctx.fillText(char, 2, 34)
      return Buffer.from(ctx.getImageData(0, 0, 40, 40).data)
    }
    expect(glyph('会').equals(glyph('员'))).toBe(false)
    expect(glyph('会').some((byte) => byte !== 0)).toBe(true)
  })
})
