import { z } from 'zod'

export const SOURCE_KINDS = ['store', 'poster', 'staff', 'other'] as const
export type SourceKind = (typeof SOURCE_KINDS)[number]

export const channelSourceInputSchema = z
  .object({
    /** What the merchant calls it: 南京西路店, 地铁海报 3 月, 店员小王. */
    name: z.string().trim().min(1).max(100),
    kind: z.enum(SOURCE_KINDS).default('other'),
  })
  .strict()
export type ChannelSourceInput = z.input<typeof channelSourceInputSchema>

/** The two ways WeChat says someone came through a channel QR code. */
export type TouchEvent = 'subscribe' | 'scan'

export interface ChannelSourceView {
  id: string
  name: string
  kind: SourceKind
  /** The scene string of its QR code (WeChat's scene_str). */
  scene: string
  /** What the QR code encodes; print it as a QR code, or show `imageUrl`. */
  qrUrl: string
  /** WeChat's picture of the code. */
  imageUrl: string
  createdAt: string
}

/** One source's line of the members-by-source report. */
export interface SourceReportRow {
  sourceId: string
  name: string
  kind: SourceKind
  /** Members whose first follow or scan was through this source (their source). */
  members: number
  /** Follows (subscribe) through it, members or not yet. */
  follows: number
  /** Scans by people who already followed. */
  scans: number
}

/** WeChat's picture of a QR code by its ticket. */
export function qrImageUrl(ticket: string): string {
  return `https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=${encodeURIComponent(ticket)}`
}
