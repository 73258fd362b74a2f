import { DateTime } from 'luxon'
import { z } from 'zod'
import { type HoldoutComparison, MAX_HOLDOUT_PERCENT } from '../outbox/holdout.ts'
import { merchantText } from '../programme/programme.ts'

export const CAMPAIGN_STATUSES = [
  'scheduled',
  'sending',
  'paused',
  'completed',
  'cancelled',
] as const
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number]

/** The longest label of a button; Telegram cuts a longer one on a phone. */
const LABEL_MAX = 64

const messageFields = {
  /** Each member reads the text of their language (the other where one is left out). */
  text: merchantText(4_000),
  /** A picture at a public address, which the channel fetches itself. */
  imageUrl: z.url().optional(),
  /**
   * A picture uploaded to this server (POST /api/v1/campaigns/images), by the SHA-256 the upload
   * answered: the channels send its bytes. A message has imageUrl or this, not both.
   */
  imageSha256: z
    .string()
    .length(64)
    .regex(/^[0-9a-f]{64}$/, 'the SHA-256 the picture’s upload answered')
    .optional(),
  /** Link buttons, each labelled in both languages; members read the label of theirs. */
  buttons: z
    .array(
      z.object({
        label: merchantText(LABEL_MAX),
        // A member taps it in a chat: nothing but a web page over TLS, never a script or a file.
        url: z.url({
          protocol: /^https$/,
          hostname: z.regexes.domain,
          error: 'an https:// address of a web page',
        }),
      }),
    )
    .max(3)
    .optional(),
  /**
   * Label of a button that opens the member's page, in both languages; its visits are the
   * campaign's "opened".
   */
  miniappButton: merchantText(LABEL_MAX).optional(),
  /**
   * Official Account followers outside the 48 hours get it by mass send (群发), within each
   * follower's four a month, instead of not at all.
   */
  officialMassSend: z.boolean().optional(),
}

/** Telegram's longest caption: with a picture, the text is the picture's caption. */
export const CAPTION_MAX = 1_024

export const messageSchema = z.object(messageFields).superRefine((message, ctx) => {
  // Checks run even when a field failed its own: a refused text is not read here.
  if ((!message.imageUrl && !message.imageSha256) || typeof message.text !== 'object') return
  for (const locale of ['zh-CN', 'en'] as const)
    if (message.text[locale].length > CAPTION_MAX)
      ctx.addIssue({
        code: 'too_big',
        origin: 'string',
        maximum: CAPTION_MAX,
        inclusive: true,
        path: ['text', locale],
        message: `with a picture the text is its caption, at most ${CAPTION_MAX} characters: shorten it or leave the picture out`,
      })
})
export type CampaignMessage = z.infer<typeof messageSchema>

/**
 * How stored messages read: their labels saved as one string read as that string in both
 * languages, as their texts do, and a button address is what was accepted when it was saved (an
 * http:// one was before links had to be https://), so that an old campaign still lists.
 */
const storedMessageSchema = z.object({
  ...messageFields,
  buttons: z.array(z.object({ label: merchantText(LABEL_MAX), url: z.string() })).optional(),
})

/**
 * A campaign's message as stored: read through the schema, so that the messages saved while the
 * text or a label was one string read as that string in both languages.
 */
export function storedMessage(json: string): CampaignMessage {
  return storedMessageSchema.parse(JSON.parse(json))
}

export const campaignInputSchema = z.object({
  name: z.string().trim().min(1).max(200),
  message: messageSchema,
  /** A segment filter; `{}` is every opted-in member. */
  segment: z.record(z.string(), z.unknown()).default({}),
  /** When to start; absent is now. */
  sendAt: z.iso.datetime({ offset: true }).optional(),
  /** What the campaign cost the merchant, in minor units: the denominator of its ROI. */
  cost: z.number().int().min(0).optional(),
  /** Orders placed within this many days of the message count as the campaign's. */
  attributionDays: z.number().int().min(1).max(90).default(7),
  /** Share of the audience drawn out and never messaged, in percent; absent is the programme's. */
  holdoutPercent: z.number().int().min(0).max(MAX_HOLDOUT_PERCENT).optional(),
  /** Seed of the holdout draw; absent is a random one. The same seed and audience, the same split. */
  holdoutSeed: z.number().int().min(0).max(2_147_483_647).optional(),
})
export type CampaignInput = z.input<typeof campaignInputSchema>

export interface CampaignStats {
  targeted: number
  pending: number
  sent: number
  failed: number
  blocked: number
  /** Opted out between the targeting and the sending. */
  skipped: number
  cancelled: number
  /** A worker died while sending these: they may have arrived, so they are not sent again. */
  uncertain: number
  /** Waiting because their channel is down (counted in `pending` too). */
  held: number
  /** Held past the campaign's use (`campaignMaxDelayHours`) and never sent. */
  expired: number
  /** Members who opened the mini-app from the campaign's link. */
  opened: number
  /** Messaged members who ordered within the attribution window. */
  converted: number
  orders: number
  /** Sales in minor units by targeted members within the attribution window after the message. */
  sales: number
  cost: number | null
  /** sales ÷ cost × 100, or null without a cost. */
  roi: number | null
  /** Members drawn out of the audience and not messaged. */
  heldOut: number
  /** Messaged against held-out members, or null for a campaign without a holdout. */
  holdout: HoldoutComparison | null
  /** The campaign's Official Account mass sends (群发), oldest first. */
  massSends: MassSendStats[]
}

/** One mass send: the followers it went to, and what WeChat reported when it finished. */
export interface MassSendStats {
  msgId: string
  /** The campaign's messages that went in it. */
  followers: number
  /** Null until WeChat reports the send finished (the MASSSENDJOBFINISH event). */
  result: MassSendResult | null
}

/** WeChat's report of a finished mass send. */
export interface MassSendResult {
  /** `send success`, `send fail`, `err(10001)` ...: WeChat's words. */
  status: string
  total: number
  /** Of the total, those WeChat sends to after its own filters. */
  filtered: number
  sent: number
  errors: number
  finishedAt: string
}

export interface CampaignView {
  id: string
  name: string
  message: CampaignMessage
  segment: Record<string, unknown>
  status: CampaignStatus
  sendAt: string
  attributionDays: number
  holdoutPercent: number
  holdoutSeed: number | null
  createdAt: string
  startedAt: string | null
  completedAt: string | null
  stats: CampaignStats
}

/** Quiet hours in the merchant's time zone: "22:00"–"08:00" spans midnight. */
export function inQuietHours(
  localTime: string,
  quiet: { start: string; end: string } | null,
): boolean {
  if (!quiet) return false
  return quiet.start <= quiet.end
    ? localTime >= quiet.start && localTime < quiet.end
    : localTime >= quiet.start || localTime < quiet.end
}

/**
 * The next start of the quiet hours after `now` (null without quiet hours): the instant a
 * held campaign message stops being of use, since past it the message would arrive the next
 * morning. Inside the quiet hours it is the next evening's start.
 */
export function nextQuietStart(
  now: Date,
  quiet: { start: string; end: string } | null,
  timezone: string,
): Date | null {
  if (!quiet) return null
  const [hour, minute] = quiet.start.split(':').map(Number)
  const local = DateTime.fromJSDate(now, { zone: timezone })
  let start = local.set({ hour, minute, second: 0, millisecond: 0 })
  if (start <= local) start = start.plus({ days: 1 }).set({ hour, minute })
  return start.toJSDate()
}
