/** A message the domain asks a channel to deliver: text, an optional image and link buttons. */
export interface OutboundMessage {
  text: string
  /** A picture at a public address, which the platform fetches itself. */
  imageUrl?: string
  /** A picture stored on this server (a campaign's upload), by its SHA-256: see `image`. */
  imageSha256?: string
  /**
   * The bytes of the `imageSha256` picture, read by the outbox when a worker claims the message
   * and never stored with it: the channel uploads them, as no platform can fetch our server.
   */
  image?: { bytes: Buffer; contentType: string }
  buttons?: { label: string; url: string }[]
  /** A button opening the member's page (the mini-app); its visits count as the message's opens. */
  miniappButton?: string
  /** The campaign the message belongs to, if any, for the mini-app button's link. */
  campaignId?: string
  /**
   * The same notification as an Official Account template message (template id and the text of
   * each field), for when WeChat allows no free-form message: outside the 48 hours.
   */
  officialTemplate?: { templateId: string; data: Record<string, string> }
  /**
   * A campaign's choice: a follower outside the 48 hours gets it by mass send (群发), which
   * counts against each follower's monthly quota, instead of not at all.
   */
  officialMassSend?: boolean
  /** The reminder the message tells, if any, for the mini-app button's link. */
  reminderId?: number
  /**
   * Buttons that answer the bot, as a reply's buttons do (`action` is the chat's callback, e.g.
   * `slip:<week>`): a staff digest's offer taken with one tap. Channels without buttons drop
   * them, so the text must say how to do the same by command.
   */
  actions?: { label: string; action: string }[]
}

/**
 * What a channel adapter answers for one message. `retryAfterMs`: the platform asked us to
 * slow down (Telegram's 429) or the send failed for now, and with `channel` the failure is the
 * channel's own, not this message's (`down`: the platform unreachable, 5xx, logged out;
 * `degraded`: it still sends, slowly or partly); `unreachable`: the recipient blocked us or is
 * gone, so we stop writing to them; `skipped`: the platform's rules do not let us write to them
 * now (outside the Official Account's 48 hours), no failure of ours or theirs, its `reason`
 * kept with the message; `uncertain`: the
 * request failed in a way that does not say whether the message arrived, so it is not sent again;
 * `failed`: refused for good by what the merchant set up (a template id WeChat does not know), so
 * retrying cannot help. `part` names a part of the channel with its own health beside the
 * channel's (the Official Account's template messages, `wechat_official:templates`): a failure
 * there reports that part degraded, which tells staff what to fix, and a send through it up.
 */
export type SendResult =
  | {
      ok: true
      /** The way it went, where the channel has several (`custom`, `template`, `mass`). */
      via?: string
      /** The platform's id of the message, where it gives one. */
      messageId?: string
      part?: string
    }
  | { ok: false; abandoned: true }
  | { ok: false; skipped: true; reason: string }
  | { ok: false; retryAfterMs: number; error: string; channel?: 'down' | 'degraded' }
  | { ok: false; unreachable: true; error: string }
  | { ok: false; uncertain: true; error: string }
  | { ok: false; failed: true; error: string; part?: string }

/**
 * The Official Account's template messages, a part of the channel with its own health: WeChat
 * refuses them for what the merchant set up (an unknown template id, 40037; a field's value,
 * 47003) while everything else on the channel sends.
 */
export const OFFICIAL_TEMPLATES = 'wechat_official:templates'

/** How a channel is doing: `up`, `degraded` (it sends, slowly or partly) or `down`. */
export const HEALTH_STATES = ['up', 'degraded', 'down'] as const
export type HealthState = (typeof HEALTH_STATES)[number]

/**
 * What an adapter saw of its channel: polling or webhook errors, a login or logout, the
 * platform asking it to pause, a send that worked. The domain keeps one state per channel for
 * every process, tells staff once per incident and holds the channel's messages while it is down.
 */
export interface ChannelHealthReporter {
  report(channel: string, state: HealthState, reason?: string): Promise<void>
}

/** Implemented by each chat adapter (Telegram, WeChat); the outbox worker sends through it. */
export interface MessageSender {
  /**
   * Sends when pacing allows. `beforeRequest` runs right before the request leaves, after
   * any wait, so that the outbox records an attempt only when it really starts; when it
   * answers false (the lease was lost), nothing is sent. `parked` is called when the message
   * waits to go together with others (the Official Account's mass send gathering followers):
   * the worker then gives its slot to the next message, and the promise settles when it went.
   */
  send(
    recipient: string,
    message: OutboundMessage,
    beforeRequest?: () => Promise<boolean>,
    parked?: () => void,
  ): Promise<SendResult>
  /**
   * The adapter reports its channel's health itself from what it knows first hand (WeChat's
   * login and logout), so the worker does not infer it from sends: a send that failed before
   * a login must not report the channel down after it.
   */
  readonly reportsHealth?: boolean
}

/** What a platform answers for a new access token. */
export interface FetchedToken {
  token: string
  expiresInSeconds: number
}

/**
 * An access token per platform account, kept in the database for every process: a platform
 * that invalidates the old token when a new one is fetched (WeChat) must see one fetch at a
 * time, and every process must use what it fetched.
 */
export interface SharedTokens {
  /**
   * The account's token, fetched through `fetch` (by one process at a time) when there is none,
   * when it expires within `renewEarlyMs`, or when it is `stale` (the platform refused it).
   */
  get(
    account: string,
    fetch: () => Promise<FetchedToken>,
    options: { renewEarlyMs: number; stale?: string },
  ): Promise<string>
}

/**
 * The Official Account's web login (snsapi_base), implemented by its adapter: the code WeChat
 * gave the member page, exchanged on the server for the follower's openid; undefined when
 * WeChat refuses the code (wrong, expired or used before).
 */
export interface OfficialAccountLogin {
  openidOf(code: string): Promise<string | undefined>
}

/**
 * Makes a platform's permanent QR code for a scene string (the Official Account's 带参数二维码),
 * implemented by its adapter: what the code encodes, and the ticket WeChat shows it by.
 */
export interface ChannelQrCodes {
  create(scene: string): Promise<{ ticket: string; url: string }>
}
