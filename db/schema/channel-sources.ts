import type { Generated } from 'kysely'

/** A source a merchant names (a store, a poster, a staff member) and its channel QR code. */
export interface ChannelSourcesTable {
  id: string
  name: string
  /** `store`, `poster`, `staff` or `other`. */
  kind: string
  /** The scene string WeChat sends back on a follow (`qrscene_<scene>`) or a scan (`<scene>`). */
  scene: string
  ticket: string
  /** What the QR code encodes (WeChat's `url`); the image is `showqrcode?ticket=`. */
  qrUrl: string
  createdBy: string | null
  createdAt: string
}

/** A follow (`subscribe`) or scan (`scan`) through a source, by chat identity. */
export interface ChannelSourceTouchesTable {
  id: Generated<number>
  sourceId: string
  channel: string
  externalId: string
  event: string
  touchedAt: string
}
