import type { Generated } from 'kysely'

export interface CampaignsTable {
  id: string
  name: string
  messageJson: string
  segmentJson: string
  status: string
  sendAt: string
  cost: number | null
  attributionDays: number
  /** Share of the audience held out, in percent; see migration 0016. */
  holdoutPercent: Generated<number>
  holdoutSeed: number | null
  targeted: number
  createdBy: string | null
  createdAt: string
  startedAt: string | null
  completedAt: string | null
}

/** A campaign message's picture, by its SHA-256 (see migration 0031). */
export interface CampaignImagesTable {
  sha256: string
  /** image/png, image/jpeg or image/webp, as read from the bytes. */
  contentType: string
  bytes: Buffer
  size: number
  width: number
  height: number
  createdBy: string
  createdAt: string
}

export interface OutboxTable {
  id: Generated<number>
  campaignId: string | null
  reminderId: number | null
  /** `marketing` (consent, frequency cap) or `service` (about the member's own order). */
  purpose: Generated<string>
  /** Null on a message to a staff member (`staffId`). */
  memberId: string | null
  /** The staff member a notice or digest is for; see migration 0019. */
  staffId: Generated<string | null>
  /** What a staff message is (`channel_down`, `churn_digest`...); null on a member's message. */
  kind: Generated<string | null>
  /** A staff message with the same staff member and key is queued once. */
  dedupeKey: Generated<string | null>
  channel: string
  recipient: string
  payloadJson: string
  status: string
  attempts: number
  notBefore: string
  leaseOwner: string | null
  leaseUntil: string | null
  lastError: string | null
  sentAt: string | null
  createdAt: string
  /** How it went where the channel has several ways (`custom`, `template`, `mass`). */
  sentVia: string | null
  /** The platform's id of the message, where it gives one (a mass send's msg_id). */
  platformMessageId: string | null
  /** Past this the message is of no use: it expires rather than arrive late. */
  expiresAt: Generated<string | null>
}

/** A channel's health as the adapters last saw it; see migration 0019. */
export interface ChannelHealthTable {
  channel: string
  /** `up`, `degraded` or `down`. */
  state: string
  reason: string | null
  since: string
  incident: Generated<number>
  probeAt: string | null
  probeFailures: Generated<number>
  updatedAt: string
}

export interface CampaignOpensTable {
  campaignId: string
  memberId: string
  openedAt: string
}

/** A member opened their page from a reminder's button: once per reminder. */
export interface ReminderOpensTable {
  reminderId: number
  memberId: string
  openedAt: string
}

export interface CampaignHoldoutsTable {
  campaignId: string
  memberId: string
}
