import { DateTime } from 'luxon'
import type { Db } from '../../../db/client.ts'
import type { DomainDeps } from '../context.ts'
import { inQuietHours, nextQuietStart } from '../campaigns/campaigns.ts'
import type { OutboundMessage } from '../ports.ts'
import { PROBE_BASE_MS, PROBE_MAX_MS, probeDelayMs } from '../health/channel-health.ts'
import { type LocalizedText, localize } from '../programme/programme.ts'
import type { ProgrammeService } from '../programme/programme.service.ts'
import { campaignImages } from '../campaigns/campaign-images.service.ts'
import type { StoredImage } from '../rewards/reward-images.service.ts'

/** A row of the outbox claimed by a worker, with what it needs to send it. */
export interface ClaimedMessage {
  id: number
  campaignId: string | null
  reminderId: number | null
  /** Marketing needs the member's consent at send time; service messages do not. */
  purpose: 'marketing' | 'service'
  /** Null on a message to a staff member. */
  memberId: string | null
  staffId: string | null
  channel: string
  recipient: string
  message: OutboundMessage
  attempts: number
  /** Re-checked at send time: a member may opt out after being targeted. */
  marketingConsent: boolean
}

/** One message for one member, from a campaign or a reminder. */
export interface OutboxEntry {
  source: { campaignId: string } | { reminderId: number }
  /** Marketing needs the member's consent at send time; service messages do not. */
  purpose: 'marketing' | 'service'
  memberId: string
  identity: { channel: string; externalId: string }
  message: OutboundMessage
  /** Past this the message is of no use and expires instead of being sent late. */
  expiresAt?: string | null
}

/**
 * A message with its text and labels in both languages, before it is read in the recipient's
 * (`readAs`); the rest as `OutboundMessage`.
 */
export interface LocalizedMessage {
  text: LocalizedText
  imageUrl?: string
  imageSha256?: string
  buttons?: { label: LocalizedText; url: string }[]
  miniappButton?: LocalizedText
  /** Buttons that answer the bot, labelled in both languages (see `OutboundMessage.actions`). */
  actions?: { label: LocalizedText; action: string }[]
  officialMassSend?: boolean
}

/** The message as a reader of `locale` gets it: its text and every label in their language. */
export function readAs(message: LocalizedMessage, locale: string): OutboundMessage {
  const { text, buttons, miniappButton, actions, ...rest } = message
  const read: OutboundMessage = { ...rest, text: localize(text, locale) }
  if (buttons?.length)
    read.buttons = buttons.map((b) => ({ label: localize(b.label, locale), url: b.url }))
  if (miniappButton) read.miniappButton = localize(miniappButton, locale)
  if (actions?.length)
    read.actions = actions.map((a) => ({ label: localize(a.label, locale), action: a.action }))
  return read
}

/** A notice or digest for one staff member, in both languages: it is read in theirs. */
export interface StaffMessage extends LocalizedMessage {
  staffId: string
  /** What it is (`channel_down`, `churn_digest`...), for the log and the records. */
  kind: string
  /**
   * The channel to deliver on: the staff member's own identity there, or that of the member
   * who is the same person (the same chat identity). By default their staff identity's.
   */
  channel?: string
  /** A message with the same staff member and key is queued once, whoever queues it again. */
  dedupeKey?: string
}

/**
 * The message with the bytes of its stored picture. One whose picture is missing goes as its
 * text: a message is never held back for its picture, which nothing deletes.
 */
function withImage(message: OutboundMessage, images: Map<string, StoredImage>): OutboundMessage {
  const image = message.imageSha256 && images.get(message.imageSha256)
  return image
    ? { ...message, image: { bytes: image.bytes, contentType: image.contentType } }
    : message
}

const LEASE_MS = 60_000
const MAX_ATTEMPTS = 8
/** The statuses of a row still to be sent: due, held while its channel is down, with a worker. */
export const OUTBOX_WAITING = ['pending', 'held', 'claimed', 'sending'] as const
export type OutboxWaitingStatus = (typeof OUTBOX_WAITING)[number]

// The Official Account last: it may write only within 48 hours of the member's last message.
const CHANNEL_PREFERENCE = ['telegram', 'wechat', 'wechat_official'] as const

/**
 * The durable outbox every message to a member goes through, campaigns and reminders alike.
 * Each row is claimed by a worker with a lease: several workers share the work, and a worker
 * that dies leaves rows that another takes over when the lease runs out. A row leaves the
 * outbox as sent, failed, blocked (the member blocked the bot), skipped (opted out
 * meanwhile), cancelled, expired (past its use while its channel was down) or uncertain;
 * nothing is dropped silently. A row whose channel is down waits as held.
 */
export class OutboxService {
  constructor(
    private readonly deps: DomainDeps,
    private readonly programmes: ProgrammeService,
  ) {}

  /**
   * The outbox's depth: the rows not yet sent (due, held or with a worker), counted by
   * channel and status. Only the combinations that have rows; never throws on a live database.
   */
  async depth(): Promise<{ channel: string; status: OutboxWaitingStatus; count: number }[]> {
    const rows = await this.deps.store.db
      .selectFrom('outbox')
      .select((eb) => ['channel', 'status', eb.fn.countAll<number | string>().as('count')])
      .where('status', 'in', OUTBOX_WAITING)
      .groupBy(['channel', 'status'])
      .execute()
    // PostgreSQL counts in bigint, which pg hands over as a string.
    return rows.map((row) => ({
      channel: row.channel,
      status: row.status as OutboxWaitingStatus,
      count: Number(row.count),
    }))
  }

  /**
   * Queues messages as pending and due at `queuedAt`, inside the caller's transaction so that
   * a message exists exactly when what it tells does. A member already queued for a campaign
   * is not queued for it twice (the unique key), so a retried dispatch adds nothing.
   */
  async enqueue(trx: Db, entries: OutboxEntry[], queuedAt: string): Promise<void> {
    // A message for a channel that is down waits as held from the start, and counts so.
    const down = new Set(
      (
        await trx
          .selectFrom('channelHealth')
          .select('channel')
          .where('state', '=', 'down')
          .execute()
      ).map((row) => row.channel),
    )
    const rows = entries.map((entry) => ({
      campaignId: 'campaignId' in entry.source ? entry.source.campaignId : null,
      reminderId: 'reminderId' in entry.source ? entry.source.reminderId : null,
      purpose: entry.purpose,
      memberId: entry.memberId,
      channel: entry.identity.channel,
      recipient: entry.identity.externalId,
      payloadJson: JSON.stringify(entry.message),
      status: down.has(entry.identity.channel) ? 'held' : 'pending',
      attempts: 0,
      notBefore: queuedAt,
      leaseOwner: null,
      leaseUntil: null,
      lastError: null,
      sentAt: null,
      createdAt: queuedAt,
      sentVia: null,
      platformMessageId: null,
      expiresAt: entry.expiresAt ?? null,
    }))
    for (let i = 0; i < rows.length; i += 500) {
      await trx
        .insertInto('outbox')
        .values(rows.slice(i, i + 500))
        .onConflict((oc) => oc.columns(['campaignId', 'memberId']).doNothing())
        .execute()
    }
    const heldChannels = [
      ...new Set(rows.filter((r) => r.status === 'held' && r.campaignId).map((r) => r.channel)),
    ]
    if (heldChannels.length) await this.endHeldUseAtQuietHours(trx, { channels: heldChannels })
  }

  /** A channel went down: its waiting messages are held until it is back. */
  async holdChannel(trx: Db, channel: string): Promise<void> {
    await trx
      .updateTable('outbox')
      .set({ status: 'held' })
      .where('channel', '=', channel)
      .where('status', '=', 'pending')
      .execute()
    await this.endHeldUseAtQuietHours(trx, { channels: [channel] })
  }

  /** A channel is back: its held messages are due at once, in the order they were queued. */
  async releaseChannel(trx: Db, channel: string, now: string): Promise<void> {
    await trx
      .updateTable('outbox')
      .set({ status: 'pending', notBefore: now })
      .where('channel', '=', channel)
      .where('status', '=', 'held')
      .execute()
  }

  /**
   * A campaign's message that its channel holds is of use until the next quiet hours at the
   * latest: held through them, it would arrive the next morning, late. Its expiry is brought
   * forward to their start (never pushed back); reminders keep their own validity.
   */
  private async endHeldUseAtQuietHours(
    db: Db,
    scope: { channels: string[] } | { id: number },
  ): Promise<void> {
    const { config } = await this.programmes.current(db)
    const boundary = nextQuietStart(this.deps.clock.now(), config.quietHours, config.timezone)
    if (!boundary) return
    const at = boundary.toISOString()
    const held = db
      .updateTable('outbox')
      .set({ expiresAt: at })
      .where('status', '=', 'held')
      .where('campaignId', 'is not', null)
      .where((eb) => eb.or([eb('expiresAt', 'is', null), eb('expiresAt', '>', at)]))
    await (
      'id' in scope ? held.where('id', '=', scope.id) : held.where('channel', 'in', scope.channels)
    ).execute()
  }

  /**
   * Queues a message to a staff member, sent by the same workers as members' messages. Returns
   * false when there is no such staff member or they have no chat identity on the channel
   * asked for; true when it is queued, or was already under the same `dedupeKey`.
   */
  async enqueueStaffMessage(message: StaffMessage, db: Db = this.deps.store.db): Promise<boolean> {
    const staff = await db
      .selectFrom('staff')
      .select(['id', 'channel', 'externalId'])
      .where('id', '=', message.staffId)
      .executeTakeFirst()
    if (!staff) return false
    const channel = message.channel ?? staff.channel
    // The member who is the same person: their language, and their identities on other channels.
    const self = await db
      .selectFrom('memberIdentities')
      .innerJoin('members', 'members.id', 'memberIdentities.memberId')
      .select(['members.id', 'members.locale'])
      .where('memberIdentities.channel', '=', staff.channel)
      .where('memberIdentities.externalId', '=', staff.externalId)
      .executeTakeFirst()
    let recipient: string | undefined = channel === staff.channel ? staff.externalId : undefined
    if (!recipient && self) {
      const other = await db
        .selectFrom('memberIdentities')
        .select('externalId')
        .where('memberId', '=', self.id)
        .where('channel', '=', channel)
        .where('unreachableAt', 'is', null)
        .executeTakeFirst()
      recipient = other?.externalId
    }
    if (!recipient) return false
    // Read on `db`: inside a transaction on SQLite it holds the one connection.
    const locale = self?.locale ?? (await this.programmes.current(db)).config.defaultLocale
    const { staffId, kind, channel: asked, dedupeKey, ...content } = message
    const payload = readAs(content, locale)
    const now = this.deps.clock.now().toISOString()
    await db
      .insertInto('outbox')
      .values({
        campaignId: null,
        reminderId: null,
        purpose: 'service',
        memberId: null,
        staffId: staff.id,
        kind: message.kind,
        dedupeKey: message.dedupeKey ?? null,
        channel,
        recipient,
        payloadJson: JSON.stringify(payload),
        status: 'pending',
        attempts: 0,
        notBefore: now,
        leaseOwner: null,
        leaseUntil: null,
        lastError: null,
        sentAt: null,
        createdAt: now,
      })
      .onConflict((oc) => oc.columns(['staffId', 'dedupeKey']).doNothing())
      .execute()
    return true
  }

  /**
   * Claims up to `limit` due rows for `owner` on the given channels, leasing them for a
   * minute. Rows of paused or cancelled campaigns are left alone, and during the merchant's
   * quiet hours only messages to staff are claimed: reminders and campaigns alike wait for the
   * morning, while a notice that a channel is down should not. A row whose lease ran out (its
   * worker died) is claimed again.
   */
  async claim(owner: string, channels: string[], limit: number): Promise<ClaimedMessage[]> {
    if (channels.length === 0) return []
    const now = this.deps.clock.now()
    const nowIso = now.toISOString()
    const { config } = await this.programmes.current()
    const quiet = inQuietHours(
      DateTime.fromJSDate(now, { zone: config.timezone }).toFormat('HH:mm'),
      config.quietHours,
    )
    // A worker died with a request in flight: the platform may have the message already.
    // Sending it again could spam the member, so it is set aside as uncertain, not resent.
    await this.deps.store.db
      .updateTable('outbox')
      .set({
        status: 'uncertain',
        leaseOwner: null,
        leaseUntil: null,
        lastError: 'worker stopped during the request',
      })
      .where('status', '=', 'sending')
      .where('leaseUntil', '<', nowIso)
      .execute()
    // Past its use (its campaign's end, its reminder's validity), a message is not sent late.
    await this.deps.store.db
      .updateTable('outbox')
      .set({ status: 'expired', leaseOwner: null, leaseUntil: null })
      .where('expiresAt', '<=', nowIso)
      .where((eb) =>
        eb.or([
          eb('status', 'in', ['pending', 'held']),
          eb.and([eb('status', '=', 'claimed'), eb('leaseUntil', '<', nowIso)]),
        ]),
      )
      .execute()
    const claimable = this.deps.store.db
      .selectFrom('outbox')
      .leftJoin('campaigns', 'campaigns.id', 'outbox.campaignId')
      .select('outbox.id')
      .where((eb) =>
        eb.or([eb('outbox.campaignId', 'is', null), eb('campaigns.status', '=', 'sending')]),
      )
      .$if(quiet, (qb) => qb.where('outbox.staffId', 'is not', null))
      .where((eb) =>
        eb.or([
          eb('outbox.status', 'in', ['pending', 'held']),
          eb.and([eb('outbox.status', '=', 'claimed'), eb('outbox.leaseUntil', '<', nowIso)]),
        ]),
      )
      .orderBy('outbox.id')
    const down = await this.deps.store.db
      .selectFrom('channelHealth')
      .select(['channel', 'probeAt', 'probeFailures'])
      .where('state', '=', 'down')
      .where('channel', 'in', channels)
      .execute()
    const candidates: { id: number }[] = []
    // A channel that is down gets one message at a time, its first, as a probe: held messages
    // then go out in their order once it works, and a dead channel is not hammered.
    for (const channel of down) {
      if (channel.probeAt === null || channel.probeAt > nowIso) continue
      const next = now.getTime() + probeDelayMs(channel.probeFailures, PROBE_BASE_MS, PROBE_MAX_MS)
      const taken = await this.deps.store.db
        .updateTable('channelHealth')
        .set({
          probeAt: new Date(next).toISOString(),
          probeFailures: channel.probeFailures + 1,
        })
        .where('channel', '=', channel.channel)
        .where('state', '=', 'down')
        .where('probeAt', '=', channel.probeAt)
        .executeTakeFirst()
      if (Number(taken.numUpdatedRows) === 0) continue
      candidates.push(
        ...(await claimable.where('outbox.channel', '=', channel.channel).limit(1).execute()),
      )
    }
    const open = channels.filter((c) => !down.some((d) => d.channel === c))
    if (open.length > 0)
      candidates.push(
        ...(await claimable
          .where('outbox.channel', 'in', open)
          .where('outbox.notBefore', '<=', nowIso)
          .limit(limit)
          .execute()),
      )
    if (candidates.length === 0) return []
    const leaseUntil = new Date(now.getTime() + LEASE_MS).toISOString()
    // The same condition again in the UPDATE: of two workers that saw a row, one gets it.
    const rows = await this.deps.store.db
      .updateTable('outbox')
      .set((eb) => ({
        status: 'claimed',
        leaseOwner: owner,
        leaseUntil,
        attempts: eb('attempts', '+', 1),
      }))
      .where(
        'id',
        'in',
        candidates.map((c) => c.id),
      )
      .where((eb) =>
        eb.or([
          eb('status', 'in', ['pending', 'held']),
          eb.and([eb('status', '=', 'claimed'), eb('leaseUntil', '<', nowIso)]),
        ]),
      )
      .returningAll()
      .execute()
    if (rows.length === 0) return []
    const memberIds = rows.flatMap((r) => (r.memberId === null ? [] : [r.memberId]))
    const consent =
      memberIds.length === 0
        ? []
        : await this.deps.store.db
            .selectFrom('members')
            .select(['id', 'marketingConsent'])
            .where('id', 'in', memberIds)
            .execute()
    const consenting = new Set(consent.filter((m) => m.marketingConsent === 1).map((m) => m.id))
    const messages = new Map(
      rows.map((row) => [row.id, JSON.parse(row.payloadJson) as OutboundMessage]),
    )
    const images = await campaignImages(
      this.deps.store.db,
      [...messages.values()].flatMap((m) => (m.imageSha256 ? [m.imageSha256] : [])),
    )
    return rows
      .sort((a, b) => a.id - b.id)
      .map((row) => ({
        id: row.id,
        campaignId: row.campaignId,
        reminderId: row.reminderId,
        purpose: row.purpose === 'service' ? 'service' : 'marketing',
        memberId: row.memberId,
        staffId: row.staffId,
        channel: row.channel,
        recipient: row.recipient,
        message: withImage(messages.get(row.id)!, images),
        attempts: row.attempts,
        marketingConsent: row.memberId !== null && consenting.has(row.memberId),
      }))
  }

  /**
   * Marks a claimed row as being sent, just before the request leaves: after a crash, a row
   * still `claimed` was never attempted and is safe to take over; a `sending` one may have
   * reached the platform. Returns false when the lease was lost (another worker has it) or
   * the row's campaign was paused or cancelled since the claim, so that a pause acts on the
   * very next message rather than after the rows a worker already holds.
   */
  async begin(owner: string, claimed: ClaimedMessage): Promise<boolean> {
    const updated = await this.deps.store.db
      .updateTable('outbox')
      .set({ status: 'sending' })
      .where('id', '=', claimed.id)
      .where('leaseOwner', '=', owner)
      .where('status', '=', 'claimed')
      .where((eb) =>
        eb.or([
          eb('campaignId', 'is', null),
          eb.exists(
            eb
              .selectFrom('campaigns')
              .select('campaigns.id')
              .whereRef('campaigns.id', '=', 'outbox.campaignId')
              .where('campaigns.status', '=', 'sending'),
          ),
        ]),
      )
      .executeTakeFirst()
    return Number(updated.numUpdatedRows) === 1
  }

  /**
   * Records how a claimed row ended; only its current lease holder can. Returns how it ended,
   * for the metrics: the outcome given, except that a retry past the last attempt is `failed`.
   */
  async settle(
    owner: string,
    claimed: ClaimedMessage,
    outcome:
      | { status: 'sent'; via?: string; messageId?: string }
      | { status: 'skipped'; reason?: string }
      | { status: 'blocked' }
      | { status: 'retry' | 'held'; afterMs: number; error: string }
      | { status: 'uncertain' | 'failed'; error: string },
  ): Promise<'sent' | 'skipped' | 'blocked' | 'retry' | 'failed' | 'held' | 'uncertain'> {
    const now = this.deps.clock.now()
    const { db } = this.deps.store
    const mine = (query: ReturnType<typeof db.updateTable<'outbox'>>) =>
      query
        .where('id', '=', claimed.id)
        .where('leaseOwner', '=', owner)
        .where('status', 'in', ['claimed', 'sending'])
    if (outcome.status === 'held') {
      // The channel failed, not the message: the attempt does not count toward giving up.
      await mine(db.updateTable('outbox'))
        .set((eb) => ({
          status: 'held',
          attempts: eb('attempts', '-', 1),
          notBefore: new Date(now.getTime() + outcome.afterMs).toISOString(),
          lastError: outcome.error.slice(0, 500),
          leaseOwner: null,
          leaseUntil: null,
        }))
        .execute()
      if (claimed.campaignId) await this.endHeldUseAtQuietHours(db, { id: claimed.id })
      return 'held'
    }
    if (outcome.status === 'uncertain' || outcome.status === 'failed') {
      await mine(db.updateTable('outbox'))
        .set({
          status: outcome.status,
          lastError: outcome.error.slice(0, 500),
          leaseOwner: null,
          leaseUntil: null,
        })
        .execute()
      return outcome.status
    }
    if (outcome.status === 'retry') {
      const giveUp = claimed.attempts >= MAX_ATTEMPTS
      await mine(db.updateTable('outbox'))
        .set({
          status: giveUp ? 'failed' : 'pending',
          notBefore: new Date(now.getTime() + outcome.afterMs).toISOString(),
          lastError: outcome.error.slice(0, 500),
          leaseOwner: null,
          leaseUntil: null,
        })
        .execute()
      return giveUp ? 'failed' : 'retry'
    }
    await mine(db.updateTable('outbox'))
      .set({
        status: outcome.status,
        sentAt: outcome.status === 'sent' ? now.toISOString() : null,
        leaseOwner: null,
        leaseUntil: null,
        ...(outcome.status === 'sent' && {
          sentVia: outcome.via ?? null,
          platformMessageId: outcome.messageId ?? null,
        }),
        ...(outcome.status === 'skipped' &&
          outcome.reason && {
            lastError: outcome.reason.slice(0, 500),
          }),
      })
      .execute()
    if (outcome.status === 'blocked') {
      await db
        .updateTable('memberIdentities')
        .set({ unreachableAt: now.toISOString() })
        .where('channel', '=', claimed.channel)
        .where('externalId', '=', claimed.recipient)
        .execute()
    }
    return outcome.status
  }

  /**
   * A member opened their page from a message's button (a campaign's or a reminder's): counted
   * once per member and campaign, or per reminder, and only when that message was sent to them
   * (a link passed around counts for nobody).
   */
  async recordOpen(source: OutboxEntry['source'], memberId: string): Promise<void> {
    const { db } = this.deps.store
    let sent = db
      .selectFrom('outbox')
      .select('id')
      .where('memberId', '=', memberId)
      .where('status', 'in', ['sent', 'uncertain'])
    sent =
      'campaignId' in source
        ? sent.where('campaignId', '=', source.campaignId)
        : sent.where('reminderId', '=', source.reminderId)
    if (!(await sent.executeTakeFirst())) return
    const openedAt = this.deps.clock.now().toISOString()
    if ('campaignId' in source)
      await db
        .insertInto('campaignOpens')
        .values({ campaignId: source.campaignId, memberId, openedAt })
        .onConflict((oc) => oc.columns(['campaignId', 'memberId']).doNothing())
        .execute()
    else
      await db
        .insertInto('reminderOpens')
        .values({ reminderId: source.reminderId, memberId, openedAt })
        .onConflict((oc) => oc.column('reminderId').doNothing())
        .execute()
  }

  /** Gives back rows a stopping worker claimed but did not send, so nobody waits for the lease. */
  async release(owner: string, ids: number[]): Promise<void> {
    if (ids.length === 0) return
    await this.deps.store.db
      .updateTable('outbox')
      .set({ status: 'pending', leaseOwner: null, leaseUntil: null })
      .where('id', 'in', ids)
      .where('leaseOwner', '=', owner)
      .where('status', '=', 'claimed')
      .execute()
  }

  /**
   * Each member's reachable chat identity, Telegram first (WeChat sends slowly by design), the
   * Official Account last.
   * Inside a transaction pass it as `db`: SQLite has one connection, held by the transaction.
   */
  async identitiesOf(
    memberIds: string[],
    db: Db = this.deps.store.db,
  ): Promise<Map<string, { channel: string; externalId: string }>> {
    const found = new Map<string, { channel: string; externalId: string }>()
    for (let i = 0; i < memberIds.length; i += 500) {
      const rows = await db
        .selectFrom('memberIdentities')
        .select(['memberId', 'channel', 'externalId'])
        .where('memberId', 'in', memberIds.slice(i, i + 500))
        .where('unreachableAt', 'is', null)
        .where('channel', 'in', [...CHANNEL_PREFERENCE])
        .execute()
      for (const channel of CHANNEL_PREFERENCE) {
        for (const row of rows)
          if (row.channel === channel && !found.has(row.memberId)) found.set(row.memberId, row)
      }
    }
    return found
  }
}
