import type { Selectable } from 'kysely'
import type { Db } from '../../../db/client.ts'
import type { WebhookSubscriptionsTable } from '../../../db/schema/webhooks.ts'
import { DomainError } from '../../shared/errors.ts'
import { newId } from '../../shared/ids.ts'
import { isPrivateAddress } from '../../shared/network-guard.ts'
import { newWebhookSecret, openSecret, sealSecret } from '../../shared/webhook-crypto.ts'
import { cursorId } from '../pagination.ts'
import type { DomainDeps } from '../context.ts'
import type { OutboxService } from '../outbox/outbox.service.ts'
import { WEBHOOK_EVENTS, type WebhookEventType } from './events.ts'

export interface WebhookOptions {
  /** 32 bytes (WEBHOOK_SECRET_KEY) that seal the signing secrets; without it, no subscriptions. */
  secretKey?: Buffer
  /** Lets URLs reach loopback and private networks: for tests and a receiver beside us. */
  allowPrivateUrls: boolean
  /**
   * The wait before each retry; a delivery failing them all is given up and its subscription
   * disabled. The default retries for about five days.
   */
  retryDelaysMs: number[]
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
export const DEFAULT_RETRY_DELAYS_MS = [
  MINUTE,
  5 * MINUTE,
  30 * MINUTE,
  2 * HOUR,
  6 * HOUR,
  12 * HOUR,
  24 * HOUR,
  24 * HOUR,
  24 * HOUR,
  24 * HOUR,
]

export const DELIVERY_STATUSES = ['pending', 'claimed', 'sending', 'delivered', 'failed'] as const
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number]

export interface SubscriptionView {
  id: string
  url: string
  description: string | null
  events: WebhookEventType[]
  status: 'active' | 'disabled'
  secretPrefix: string
  disabledAt: string | null
  disabledReason: string | null
  createdBy: string
  createdAt: string
  updatedAt: string
}

export interface AttemptView {
  startedAt: string
  durationMs: number
  responseStatus: number | null
  responseBody: string | null
  error: string | null
}

export interface DeliveryView {
  id: string
  subscriptionId: string
  eventId: string
  eventType: string
  status: DeliveryStatus
  attempts: number
  nextAttemptAt: string | null
  lastError: string | null
  deliveredAt: string | null
  createdAt: string
  /** The event as sent: the signed body, parsed. */
  event: unknown
  log: AttemptView[]
}

/** A delivery a worker holds, with what it needs to sign and send it. */
export interface ClaimedDelivery {
  id: number
  subscriptionId: string
  url: string
  secret: string
  eventId: string
  eventType: string
  body: string
  attempts: number
}

export type AttemptOutcome = AttemptView & { ok: boolean }

const IN_FLIGHT = ['pending', 'claimed', 'sending'] as const
const MAX_LOG_CHARS = 2_000

/**
 * Webhooks out: the owner's subscriptions, and the durable outbox of their deliveries. Events are
 * written by `recordEvents` (events.ts) in the transaction of the change; a worker claims due
 * deliveries with a lease, one member's events to one subscription strictly in order, and sends
 * each at least once: a worker that dies mid-request leaves its row to be claimed again when the
 * lease runs out, with the same event id, so receivers de-duplicate by it.
 */
export class WebhooksService {
  constructor(
    private readonly deps: DomainDeps,
    private readonly options: WebhookOptions,
    private readonly outbox: OutboxService,
  ) {}

  /** Deliveries not yet delivered (due or with a worker), of every subscription; never throws on a live database. */
  async waiting(): Promise<number> {
    const row = await this.deps.store.db
      .selectFrom('webhookDeliveries')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where('status', 'in', IN_FLIGHT)
      .executeTakeFirstOrThrow()
    return Number(row.count)
  }

  /** Creates a subscription; the secret is in this answer only. */
  async subscribe(
    input: { url: string; events: WebhookEventType[]; description?: string | null },
    actor: string,
  ): Promise<SubscriptionView & { secret: string }> {
    const key = this.key()
    const url = this.checkUrl(input.url)
    const secret = newWebhookSecret()
    const now = this.deps.clock.now().toISOString()
    const id = newId('whk')
    await this.deps.store.transaction(async (trx) => {
      await trx
        .insertInto('webhookSubscriptions')
        .values({
          id,
          url,
          description: input.description ?? null,
          secretEncrypted: sealSecret(key, secret),
          secretPrefix: secret.slice(0, 10),
          status: 'active',
          disabledAt: null,
          disabledReason: null,
          createdBy: actor,
          createdAt: now,
          updatedAt: now,
        })
        .execute()
      await this.setEvents(trx, id, input.events)
    })
    return { ...(await this.get(id)), secret }
  }

  async list(): Promise<SubscriptionView[]> {
    const rows = await this.deps.store.db
      .selectFrom('webhookSubscriptions')
      .selectAll()
      .orderBy('createdAt')
      .orderBy('id')
      .execute()
    return Promise.all(rows.map((row) => this.view(row)))
  }

  async get(id: string): Promise<SubscriptionView> {
    return this.view(await this.row(id))
  }

  /**
   * Changes a subscription. Turning a disabled one back on lets its waiting deliveries go, in
   * order, from where they stopped; turning one off holds them (nothing is dropped).
   */
  async update(
    id: string,
    patch: {
      url?: string
      events?: WebhookEventType[]
      description?: string | null
      status?: 'active' | 'disabled'
    },
  ): Promise<SubscriptionView> {
    await this.row(id)
    const url = patch.url === undefined ? undefined : this.checkUrl(patch.url)
    const now = this.deps.clock.now().toISOString()
    await this.deps.store.transaction(async (trx) => {
      await trx
        .updateTable('webhookSubscriptions')
        .set({
          url,
          description: patch.description,
          updatedAt: now,
          ...(patch.status === 'active'
            ? { status: 'active', disabledAt: null, disabledReason: null }
            : patch.status === 'disabled'
              ? { status: 'disabled', disabledAt: now, disabledReason: 'disabled by the owner' }
              : {}),
        })
        .where('id', '=', id)
        .execute()
      if (patch.events) await this.setEvents(trx, id, patch.events)
    })
    return this.get(id)
  }

  /** Deletes a subscription with its deliveries and their log. */
  async remove(id: string): Promise<void> {
    await this.row(id)
    await this.deps.store.transaction(async (trx) => {
      await trx
        .deleteFrom('webhookAttempts')
        .where('deliveryId', 'in', (eb) =>
          eb.selectFrom('webhookDeliveries').select('id').where('subscriptionId', '=', id),
        )
        .execute()
      await trx.deleteFrom('webhookDeliveries').where('subscriptionId', '=', id).execute()
      await trx.deleteFrom('webhookSubscriptionEvents').where('subscriptionId', '=', id).execute()
      await trx.deleteFrom('webhookSubscriptions').where('id', '=', id).execute()
    })
  }

  /** A subscription's deliveries, newest first, each with its attempts. */
  async deliveries(
    subscriptionId: string,
    options: { status?: DeliveryStatus; cursor?: string; limit: number },
  ): Promise<{ items: DeliveryView[]; nextCursor: string | null }> {
    await this.row(subscriptionId)
    let query = this.deps.store.db
      .selectFrom('webhookDeliveries')
      .selectAll()
      .where('subscriptionId', '=', subscriptionId)
      .orderBy('id', 'desc')
      .limit(options.limit + 1)
    if (options.status) query = query.where('status', '=', options.status)
    if (options.cursor !== undefined) query = query.where('id', '<', cursorId(options.cursor))
    const rows = await query.execute()
    const page = rows.slice(0, options.limit)
    return {
      items: await this.deliveryViews(page),
      nextCursor: rows.length > options.limit ? String(page[page.length - 1]!.id) : null,
    }
  }

  async delivery(id: string): Promise<DeliveryView> {
    const [view] = await this.deliveryViews([await this.deliveryRow(id)])
    return view!
  }

  /**
   * Sends a delivery again, as it was (the same event id and body, signed afresh): due now, with
   * its attempts counted from zero. One still on its way is left as it is.
   */
  async replay(id: string): Promise<DeliveryView> {
    const row = await this.deliveryRow(id)
    if (!(IN_FLIGHT as readonly string[]).includes(row.status)) {
      await this.deps.store.db
        .updateTable('webhookDeliveries')
        .set({
          status: 'pending',
          attempts: 0,
          notBefore: this.deps.clock.now().toISOString(),
          leaseOwner: null,
          leaseUntil: null,
        })
        .where('id', '=', row.id)
        .where('status', 'not in', [...IN_FLIGHT])
        .execute()
    }
    return this.delivery(id)
  }

  /**
   * Claims up to `limit` due deliveries of active subscriptions for `owner`, each the oldest
   * undelivered event of its member for its subscription, so that a receiver sees one member's
   * events in the order they happened. A row whose lease ran out is claimed again, even one a
   * worker had begun sending: at least once, never dropped.
   */
  async claim(owner: string, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const now = this.deps.clock.now()
    const nowIso = now.toISOString()
    const { db } = this.deps.store
    const candidates = await db
      .selectFrom('webhookDeliveries as d')
      .innerJoin('webhookSubscriptions as s', 's.id', 'd.subscriptionId')
      .select('d.id')
      .where('s.status', '=', 'active')
      .where('d.notBefore', '<=', nowIso)
      .where((eb) =>
        eb.or([
          eb('d.status', '=', 'pending'),
          eb.and([eb('d.status', 'in', ['claimed', 'sending']), eb('d.leaseUntil', '<', nowIso)]),
        ]),
      )
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('webhookDeliveries as e')
              .select('e.id')
              .whereRef('e.subscriptionId', '=', 'd.subscriptionId')
              .whereRef('e.orderKey', '=', 'd.orderKey')
              .whereRef('e.id', '<', 'd.id')
              .where('e.status', 'in', [...IN_FLIGHT]),
          ),
        ),
      )
      .orderBy('d.id')
      .limit(limit)
      .execute()
    if (candidates.length === 0) return []
    const leaseUntil = new Date(now.getTime() + leaseMs).toISOString()
    // The same condition again: of two workers that saw a row, one gets it.
    const rows = await db
      .updateTable('webhookDeliveries')
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
          eb('status', '=', 'pending'),
          eb.and([eb('status', 'in', ['claimed', 'sending']), eb('leaseUntil', '<', nowIso)]),
        ]),
      )
      .returningAll()
      .execute()
    if (rows.length === 0) return []
    const subscriptions = await db
      .selectFrom('webhookSubscriptions')
      .select(['id', 'url', 'secretEncrypted'])
      .where('id', 'in', [...new Set(rows.map((r) => r.subscriptionId))])
      .execute()
    const key = this.key()
    const byId = new Map(
      subscriptions.map((s) => [s.id, { url: s.url, secret: openSecret(key, s.secretEncrypted) }]),
    )
    return rows
      .sort((a, b) => a.id - b.id)
      .map((row) => ({
        id: row.id,
        subscriptionId: row.subscriptionId,
        url: byId.get(row.subscriptionId)!.url,
        secret: byId.get(row.subscriptionId)!.secret,
        eventId: row.eventId,
        eventType: row.eventType,
        body: row.body,
        attempts: row.attempts,
      }))
  }

  /** Marks a claimed delivery as being sent; false when the lease was lost meanwhile. */
  async begin(owner: string, claimed: ClaimedDelivery): Promise<boolean> {
    const updated = await this.deps.store.db
      .updateTable('webhookDeliveries')
      .set({ status: 'sending' })
      .where('id', '=', claimed.id)
      .where('leaseOwner', '=', owner)
      .where('status', '=', 'claimed')
      .executeTakeFirst()
    return Number(updated.numUpdatedRows) === 1
  }

  /**
   * Logs an attempt and settles the delivery: delivered, or due again after the next backoff
   * step. Past the last step the delivery is given up and its subscription disabled, with the
   * reason on it. Returns the subscription's reason when this attempt disabled it.
   */
  async settle(
    owner: string,
    claimed: ClaimedDelivery,
    outcome: AttemptOutcome,
  ): Promise<{ disabled: string | null }> {
    const now = this.deps.clock.now()
    const delays = this.options.retryDelaysMs
    const giveUp = !outcome.ok && claimed.attempts > delays.length
    const lastError = outcome.ok
      ? null
      : (
          outcome.error ??
          `answered ${outcome.responseStatus}${outcome.responseBody ? `: ${outcome.responseBody}` : ''}`
        ).slice(0, 500)
    return this.deps.store.transaction(async (trx) => {
      await trx
        .insertInto('webhookAttempts')
        .values({
          deliveryId: claimed.id,
          startedAt: outcome.startedAt,
          durationMs: outcome.durationMs,
          responseStatus: outcome.responseStatus,
          responseBody: outcome.responseBody?.slice(0, MAX_LOG_CHARS) ?? null,
          error: outcome.error?.slice(0, MAX_LOG_CHARS) ?? null,
        })
        .execute()
      const mine = await trx
        .updateTable('webhookDeliveries')
        .set(
          outcome.ok
            ? { status: 'delivered', deliveredAt: now.toISOString(), lastError: null }
            : {
                status: giveUp ? 'failed' : 'pending',
                notBefore: new Date(
                  now.getTime() + (delays[claimed.attempts - 1] ?? 0),
                ).toISOString(),
                lastError,
              },
        )
        .set({ leaseOwner: null, leaseUntil: null })
        .where('id', '=', claimed.id)
        .where('leaseOwner', '=', owner)
        .where('status', 'in', ['claimed', 'sending'])
        .executeTakeFirst()
      if (!giveUp || Number(mine.numUpdatedRows) === 0) return { disabled: null }
      const reason = `event ${claimed.eventId} (${claimed.eventType}) failed ${claimed.attempts} attempts; last: ${lastError}`
      await trx
        .updateTable('webhookSubscriptions')
        .set({
          status: 'disabled',
          disabledAt: now.toISOString(),
          disabledReason: reason.slice(0, 500),
          updatedAt: now.toISOString(),
        })
        .where('id', '=', claimed.subscriptionId)
        .execute()
      await this.tellOwners(trx, claimed.subscriptionId, reason)
      return { disabled: reason }
    })
  }

  /** Every owner hears in chat, once per disabling, that a subscription stopped and why. */
  private async tellOwners(trx: Db, subscriptionId: string, reason: string): Promise<void> {
    const subscription = await trx
      .selectFrom('webhookSubscriptions')
      .select(['url', 'disabledAt'])
      .where('id', '=', subscriptionId)
      .executeTakeFirstOrThrow()
    const owners = await trx.selectFrom('staff').select('id').where('role', '=', 'owner').execute()
    for (const { id } of owners) {
      await this.outbox.enqueueStaffMessage(
        {
          staffId: id,
          kind: 'webhook_disabled',
          text: {
            'zh-CN': `⚠️ Webhook 订阅已停用：${subscription.url} 多次推送失败（${reason}）。修好接收方后，用 PATCH /api/v1/webhooks/${subscriptionId} 把 status 设为 active，积压的事件会按顺序补发。`,
            en: `⚠️ Webhook subscription disabled: ${subscription.url} kept failing (${reason}). Once the receiver is fixed, set its status to active with PATCH /api/v1/webhooks/${subscriptionId}; the waiting events then go out in order.`,
          },
          dedupeKey: `webhook-disabled:${subscriptionId}:${subscription.disabledAt}`,
        },
        trx,
      )
    }
  }

  /** Gives back deliveries a stopping worker claimed but did not send. */
  async release(owner: string, ids: number[]): Promise<void> {
    if (ids.length === 0) return
    await this.deps.store.db
      .updateTable('webhookDeliveries')
      .set((eb) => ({
        status: 'pending',
        leaseOwner: null,
        leaseUntil: null,
        attempts: eb('attempts', '-', 1),
      }))
      .where('id', 'in', ids)
      .where('leaseOwner', '=', owner)
      .where('status', '=', 'claimed')
      .execute()
  }

  private key(): Buffer {
    if (!this.options.secretKey)
      throw new DomainError(
        'webhooks_not_configured',
        'webhooks need WEBHOOK_SECRET_KEY (32 bytes, hex or base64) to keep their signing secrets',
      )
    return this.options.secretKey
  }

  /**
   * An http(s) URL without credentials; unless private networks are allowed, an https one whose
   * host is not a private or loopback address. The worker checks the address again at connect
   * time, when a name may resolve elsewhere than it did here.
   */
  private checkUrl(value: string): string {
    const refuse = (why: string) => new DomainError('invalid_input', `url ${why}`, { field: 'url' })
    let url: URL
    try {
      url = new URL(value)
    } catch {
      throw refuse('is not a URL')
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse('must be http(s)')
    if (url.username || url.password) throw refuse('must not carry credentials')
    if (!this.options.allowPrivateUrls) {
      if (url.protocol !== 'https:') throw refuse('must be https')
      const host = url.hostname.replace(/^\[|\]$/g, '')
      if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal'))
        throw refuse('must not point at this machine or its network')
      if (/^[\d.]+$|:/.test(host) && isPrivateAddress(host))
        throw refuse('must not point at a private or loopback address')
    }
    return url.toString()
  }

  private async setEvents(trx: Db, id: string, events: WebhookEventType[]): Promise<void> {
    await trx.deleteFrom('webhookSubscriptionEvents').where('subscriptionId', '=', id).execute()
    const wanted = [...new Set(events)].filter((e) => WEBHOOK_EVENTS.includes(e))
    await trx
      .insertInto('webhookSubscriptionEvents')
      .values(wanted.map((eventType) => ({ subscriptionId: id, eventType })))
      .execute()
  }

  private async row(id: string): Promise<Selectable<WebhookSubscriptionsTable>> {
    const row = await this.deps.store.db
      .selectFrom('webhookSubscriptions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    if (!row) throw new DomainError('not_found', `no webhook subscription ${id}`)
    return row
  }

  private async deliveryRow(id: string) {
    const numeric = Number(id)
    const row = Number.isSafeInteger(numeric)
      ? await this.deps.store.db
          .selectFrom('webhookDeliveries')
          .selectAll()
          .where('id', '=', numeric)
          .executeTakeFirst()
      : undefined
    if (!row) throw new DomainError('not_found', `no webhook delivery ${id}`)
    return row
  }

  private async view(row: Selectable<WebhookSubscriptionsTable>): Promise<SubscriptionView> {
    const events = await this.deps.store.db
      .selectFrom('webhookSubscriptionEvents')
      .select('eventType')
      .where('subscriptionId', '=', row.id)
      .execute()
    const wanted = new Set(events.map((e) => e.eventType))
    return {
      id: row.id,
      url: row.url,
      description: row.description,
      events: WEBHOOK_EVENTS.filter((e) => wanted.has(e)),
      status: row.status === 'active' ? 'active' : 'disabled',
      secretPrefix: row.secretPrefix,
      disabledAt: row.disabledAt,
      disabledReason: row.disabledReason,
      createdBy: row.createdBy,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    }
  }

  private async deliveryViews(
    rows: Awaited<ReturnType<WebhooksService['deliveryRow']>>[],
  ): Promise<DeliveryView[]> {
    if (rows.length === 0) return []
    const attempts = await this.deps.store.db
      .selectFrom('webhookAttempts')
      .selectAll()
      .where(
        'deliveryId',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('id')
      .execute()
    return rows.map((row) => ({
      id: String(row.id),
      subscriptionId: row.subscriptionId,
      eventId: row.eventId,
      eventType: row.eventType,
      status: row.status as DeliveryStatus,
      attempts: row.attempts,
      nextAttemptAt: row.status === 'pending' ? row.notBefore : null,
      lastError: row.lastError,
      deliveredAt: row.deliveredAt,
      createdAt: row.createdAt,
      event: JSON.parse(row.body) as unknown,
      log: attempts
        .filter((a) => a.deliveryId === row.id)
        .map((a) => ({
          startedAt: a.startedAt,
          durationMs: a.durationMs,
          responseStatus: a.responseStatus,
          responseBody: a.responseBody,
          error: a.error,
        })),
    }))
  }
}
