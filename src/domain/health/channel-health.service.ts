import type { Db } from '../../../db/client.ts'
import type { DomainDeps } from '../context.ts'
import { CHANNELS } from '../members/members.ts'
import type { OutboxService } from '../outbox/outbox.service.ts'
import type { HealthState } from '../ports.ts'
import { healthNotice } from './channel-health.ts'

/** A channel's health as `/readyz` shows it. */
export interface ChannelHealthView {
  channel: string
  state: HealthState
  reason: string | null
  since: string
  /** Incidents counted so far: the notices of one are sent once. */
  incident: number
}

/** A change of a channel's state, for the log: whom it was told to and on which channel. */
export interface HealthChange {
  channel: string
  from: HealthState | null
  to: HealthState
  reason: string | null
  incident: number
  /** `staffId@channel` of each notice queued. */
  told: string[]
}

/** A channel reported up is believed up this long before the database is asked again. */
const UP_CACHE_MS = 1_000
const TOLD_ROLES = ['owner', 'manager']

/**
 * Each channel's health, kept in the database so that every process sees it: a logout seen
 * by the WeChat process holds the WeChat messages of every worker. A change of state is
 * decided by one conditional write, so among processes that see the same failure one moves
 * the state and tells staff: once when an incident begins, once when it ends, on another
 * channel that is up when there is one. While a channel is down its waiting messages are
 * held (the outbox probes it with one message at a time); when it is up again they are due
 * at once, in their order.
 */
export class ChannelHealthService {
  private readonly believedUp = new Map<string, number>()

  constructor(
    private readonly deps: DomainDeps,
    private readonly outbox: OutboxService,
  ) {}

  /** Every channel seen so far, in the order of CHANNELS. */
  async list(): Promise<ChannelHealthView[]> {
    const rows = await this.deps.store.db.selectFrom('channelHealth').selectAll().execute()
    const order = (channel: string) => {
      const at = (CHANNELS as readonly string[]).indexOf(channel)
      return at < 0 ? CHANNELS.length : at
    }
    return rows
      .sort((a, b) => order(a.channel) - order(b.channel) || a.channel.localeCompare(b.channel))
      .map((row) => ({
        channel: row.channel,
        state: row.state as HealthState,
        reason: row.reason,
        since: row.since,
        incident: row.incident,
      }))
  }

  /**
   * Records what an adapter saw. Returns the change when this call moved the state (null when
   * the state was already so, or another process moved it first); never throws on a
   * well-formed call.
   */
  async report(channel: string, state: HealthState, reason?: string): Promise<HealthChange | null> {
    const nowMs = this.deps.clock.now().getTime()
    if (state === 'up' && (this.believedUp.get(channel) ?? -Infinity) > nowMs - UP_CACHE_MS)
      return null
    const change = await this.deps.store.transaction((trx) =>
      this.move(trx, channel, state, reason?.slice(0, 500) ?? null),
    )
    if (state === 'up') this.believedUp.set(channel, nowMs)
    else this.believedUp.delete(channel)
    return change
  }

  private async move(
    trx: Db,
    channel: string,
    to: HealthState,
    reason: string | null,
  ): Promise<HealthChange | null> {
    const now = this.deps.clock.now().toISOString()
    const row = await trx
      .selectFrom('channelHealth')
      .selectAll()
      .where('channel', '=', channel)
      .executeTakeFirst()
    const from = (row?.state ?? null) as HealthState | null
    if (from === to) return null
    const beginsIncident = to !== 'up' && (from === null || from === 'up')
    const incident = (row?.incident ?? 0) + (beginsIncident ? 1 : 0)
    const values = {
      state: to,
      reason: to === 'up' ? null : reason,
      since: now,
      incident,
      probeAt: to === 'down' ? now : null,
      probeFailures: 0,
      updatedAt: now,
    }
    if (!row) {
      const inserted = await trx
        .insertInto('channelHealth')
        .values({ channel, ...values })
        .onConflict((oc) => oc.column('channel').doNothing())
        .executeTakeFirst()
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) return null
    } else {
      // The state it was in, again in the WHERE: of two processes, one moves it.
      const updated = await trx
        .updateTable('channelHealth')
        .set(values)
        .where('channel', '=', channel)
        .where('state', '=', row.state)
        .where('since', '=', row.since)
        .executeTakeFirst()
      if (Number(updated.numUpdatedRows) === 0) return null
    }
    if (to === 'down') await this.outbox.holdChannel(trx, channel)
    else await this.outbox.releaseChannel(trx, channel, now)
    let told: string[] = []
    // A first sight of a channel working is no news; degraded and down are one incident.
    if (beginsIncident) told = await this.tell(trx, channel, to, reason, `${incident}`)
    else if (to === 'up' && from !== null)
      told = await this.tell(trx, channel, 'up', null, `${incident}:up`)
    return { channel, from, to, reason: values.reason, incident, told }
  }

  /**
   * Queues the notice for each owner and manager on the first other channel that is up; the
   * news that a channel is back goes on that channel itself when no other is up.
   */
  private async tell(
    trx: Db,
    channel: string,
    state: HealthState,
    reason: string | null,
    key: string,
  ): Promise<string[]> {
    const up = new Set(
      (
        await trx
          .selectFrom('channelHealth')
          .select('channel')
          .where('state', '=', 'up')
          .where('channel', '!=', channel)
          .execute()
      ).map((row) => row.channel),
    )
    const others = CHANNELS.filter((c) => up.has(c))
    const ways = state === 'up' ? [...others, channel] : others
    const staff = await trx
      .selectFrom('staff')
      .select('id')
      .where('role', 'in', TOLD_ROLES)
      .orderBy('createdAt')
      .execute()
    const text = healthNotice(channel, state, reason)
    const told: string[] = []
    for (const { id } of staff) {
      for (const way of ways) {
        const queued = await this.outbox.enqueueStaffMessage(
          {
            staffId: id,
            kind: `channel_${state}`,
            text,
            channel: way,
            dedupeKey: `health:${channel}:${key}`,
          },
          trx,
        )
        if (queued) {
          told.push(`${id}@${way}`)
          break
        }
      }
    }
    return told
  }
}
