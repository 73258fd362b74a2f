import { randomInt } from 'node:crypto'
import type { Selectable } from 'kysely'
import type { Db } from '../../../db/client.ts'
import type { CampaignsTable } from '../../../db/schema/campaigns.ts'
import { DomainError } from '../../shared/errors.ts'
import { newId } from '../../shared/ids.ts'
import { recordEvents } from '../webhooks/events.ts'
import type { DomainDeps } from '../context.ts'
import { type Touch, attributeOrders, messageTouch } from '../outbox/attribution.ts'
import { compareGroups, drawHoldout } from '../outbox/holdout.ts'
import { type OutboxService, readAs } from '../outbox/outbox.service.ts'
import type { ProgrammeService } from '../programme/programme.service.ts'
import { DAY_MS } from '../reminders/planning.ts'
import type { MarketingResult, ReportPeriod } from '../reports/reports.ts'
import {
  type CampaignInput,
  type CampaignMessage,
  type CampaignStats,
  type CampaignStatus,
  type CampaignView,
  type MassSendResult,
  campaignInputSchema,
  messageSchema,
  storedMessage,
} from './campaigns.ts'
import { campaignImages } from './campaign-images.service.ts'

/** Turns a saved-filter JSON into the members it selects (the segments service). */
export interface SegmentResolver {
  /** Validates a filter; throws `invalid_input` naming the field under `at`. */
  parse(filter: unknown, at?: string): Record<string, unknown>
  /** Active, opted-in (unless the filter says otherwise) members the filter selects. */
  resolve(filter: Record<string, unknown>): Promise<string[]>
}

function toStatus(value: string): CampaignStatus {
  return value as CampaignStatus
}

/**
 * Campaigns (群发活动) and the durable outbox they send through. Each recipient is one outbox
 * row, claimed by a worker with a lease: several workers share the work, and a worker that
 * dies leaves rows that another takes over when the lease runs out. A row leaves the outbox
 * as sent, failed, blocked (the member blocked the bot), skipped (opted out meanwhile) or
 * cancelled; nothing is dropped silently.
 */
export class CampaignsService {
  constructor(
    private readonly deps: DomainDeps,
    private readonly programmes: ProgrammeService,
    private readonly segments: SegmentResolver,
    private readonly outbox: OutboxService,
  ) {}

  async create(raw: CampaignInput, createdBy: string): Promise<CampaignView> {
    const parsed = campaignInputSchema.safeParse(raw)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      throw new DomainError('invalid_input', issue.message, { field: issue.path.join('.') })
    }
    const input = parsed.data
    await this.checkPicture(input.message)
    const segment = this.segments.parse(input.segment, 'segment')
    const { config: programme } = await this.programmes.current()
    const holdoutPercent = input.holdoutPercent ?? programme.campaignHoldoutPercent
    const now = this.deps.clock.now().toISOString()
    const id = newId('cmp')
    await this.deps.store.db
      .insertInto('campaigns')
      .values({
        id,
        name: input.name,
        messageJson: JSON.stringify(input.message),
        segmentJson: JSON.stringify(segment),
        status: 'scheduled',
        sendAt: input.sendAt ? new Date(input.sendAt).toISOString() : now,
        cost: input.cost ?? null,
        attributionDays: input.attributionDays,
        holdoutPercent,
        holdoutSeed: holdoutPercent > 0 ? (input.holdoutSeed ?? randomInt(2_147_483_647)) : null,
        targeted: 0,
        createdBy,
        createdAt: now,
        startedAt: null,
        completedAt: null,
      })
      .execute()
    return this.get(id)
  }

  /**
   * Sends a message as composed to the staff member's own chat, through the outbox as their
   * notices go, so that they see it as members will before creating the campaign. False when
   * they have no chat to send it to.
   */
  async preview(raw: unknown, staffId: string): Promise<boolean> {
    const parsed = messageSchema.safeParse(raw)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      const field = ['message', ...issue.path.map(String)].join('.')
      throw new DomainError('invalid_input', issue.message, { field })
    }
    await this.checkPicture(parsed.data)
    return this.outbox.enqueueStaffMessage({ ...parsed.data, staffId, kind: 'campaign_preview' })
  }

  /** A message has one picture, and an uploaded one must be there to be sent. */
  private async checkPicture(message: CampaignMessage): Promise<void> {
    if (message.imageUrl && message.imageSha256)
      throw new DomainError('invalid_input', 'a message has one picture: imageUrl or imageSha256', {
        field: 'message.imageSha256',
      })
    const sha256 = message.imageSha256
    if (sha256 && !(await campaignImages(this.deps.store.db, [sha256])).has(sha256))
      throw new DomainError('invalid_input', 'no picture was uploaded with this SHA-256', {
        field: 'message.imageSha256',
      })
  }

  async get(id: string): Promise<CampaignView> {
    const row = await this.row(id)
    return this.view(row)
  }

  async list(): Promise<CampaignView[]> {
    const rows = await this.deps.store.db
      .selectFrom('campaigns')
      .selectAll()
      .orderBy('createdAt', 'desc')
      .limit(100)
      .execute()
    return Promise.all(rows.map((row) => this.view(row)))
  }

  /** Stops sending; messages already handed to the platform still arrive. */
  async pause(id: string): Promise<CampaignView> {
    return this.transition(id, ['scheduled', 'sending'], 'paused')
  }

  async resume(id: string): Promise<CampaignView> {
    const row = await this.row(id)
    return this.transition(id, ['paused'], row.startedAt ? 'sending' : 'scheduled')
  }

  /** Cancels what is not sent yet; the sent stays sent and counted. */
  async cancel(id: string): Promise<CampaignView> {
    const view = await this.transition(id, ['scheduled', 'sending', 'paused'], 'cancelled')
    await this.deps.store.db
      .updateTable('outbox')
      .set({ status: 'cancelled', leaseOwner: null, leaseUntil: null })
      .where('campaignId', '=', id)
      .where('status', 'in', ['pending', 'claimed'])
      .execute()
    return this.get(view.id)
  }

  /**
   * Starts every campaign whose time has come: resolves its segment, draws its holdout from the
   * reachable members and writes one outbox row per other reachable member, in one transaction
   * per campaign. Safe to run in several processes:
   * the status change claims the campaign, and the unique key makes a row once per member.
   */
  async dispatchDue(): Promise<number> {
    const now = this.deps.clock.now().toISOString()
    const due = await this.deps.store.db
      .selectFrom('campaigns')
      .select('id')
      .where('status', '=', 'scheduled')
      .where('sendAt', '<=', now)
      .execute()
    let started = 0
    for (const { id } of due) {
      const campaign = await this.row(id)
      const memberIds = await this.segments.resolve(
        JSON.parse(campaign.segmentJson) as Record<string, unknown>,
      )
      const identities = memberIds.length
        ? await this.outbox.identitiesOf(memberIds)
        : new Map<string, { channel: string; externalId: string }>()
      const claimed = await this.deps.store.transaction(async (trx) => {
        const taken = await trx
          .updateTable('campaigns')
          .set({ status: 'sending', startedAt: now })
          .where('id', '=', id)
          .where('status', '=', 'scheduled')
          .executeTakeFirst()
        if (Number(taken.numUpdatedRows) === 0) return false
        const message = storedMessage(campaign.messageJson)
        const held = drawHoldout(
          campaign.holdoutSeed ?? 0,
          [...identities.keys()],
          campaign.holdoutPercent,
        )
        const heldRows = [...held].map((memberId) => ({ campaignId: id, memberId }))
        for (let i = 0; i < heldRows.length; i += 500)
          await trx
            .insertInto('campaignHoldouts')
            .values(heldRows.slice(i, i + 500))
            .execute()
        const messaged = [...identities.entries()].filter(([memberId]) => !held.has(memberId))
        const { config: programme } = await this.programmes.current(trx)
        const locales = await this.localesOf(
          trx,
          messaged.map(([memberId]) => memberId),
        )
        const expiresAt = new Date(
          new Date(campaign.sendAt).getTime() + programme.campaignMaxDelayHours * 3_600_000,
        ).toISOString()
        const rows = messaged.map(([memberId, identity]) => ({
          source: { campaignId: id },
          purpose: 'marketing' as const,
          memberId,
          identity,
          message: {
            ...readAs(message, locales.get(memberId) ?? programme.defaultLocale),
            campaignId: id,
          },
          expiresAt,
        }))
        await this.outbox.enqueue(trx, rows, now)
        await trx
          .updateTable('campaigns')
          .set({ targeted: rows.length })
          .where('id', '=', id)
          .execute()
        return true
      })
      if (claimed) started++
    }
    return started
  }

  /** Marks campaigns whose outbox is empty as completed, each with its `campaign.completed`. */
  async completeFinished(): Promise<number> {
    const at = this.deps.clock.now()
    const now = at.toISOString()
    return this.deps.store.transaction(async (trx) => {
      const completed = await trx
        .updateTable('campaigns')
        .set({ status: 'completed', completedAt: now })
        .where('status', '=', 'sending')
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('outbox')
                .select('outbox.id')
                .whereRef('outbox.campaignId', '=', 'campaigns.id')
                .where('outbox.status', 'in', ['pending', 'held', 'claimed', 'sending']),
            ),
          ),
        )
        .returning(['id', 'name', 'targeted', 'startedAt'])
        .execute()
      await recordEvents(
        trx,
        completed.map((campaign) => ({
          type: 'campaign.completed' as const,
          orderKey: `campaign:${campaign.id}`,
          data: { campaign: { ...campaign, completedAt: now } },
        })),
        at,
      )
      return completed.length
    })
  }

  /** A member opened the mini-app from the campaign's link (see `OutboxService.recordOpen`). */
  recordOpen(campaignId: string, memberId: string): Promise<void> {
    return this.outbox.recordOpen({ campaignId }, memberId)
  }

  /**
   * Records WeChat's report that the mass send `msgId` finished, once: WeChat may post the event
   * again, and the first report stands. Returns false for a msg_id no campaign sent (nothing is
   * recorded then: the account's mass sends from its admin pages are not ours).
   */
  async recordMassSendResult(
    msgId: string,
    result: Omit<MassSendResult, 'finishedAt'>,
  ): Promise<boolean> {
    const { db } = this.deps.store
    const ours = await db
      .selectFrom('outbox')
      .select('id')
      .where('platformMessageId', '=', msgId)
      .where('sentVia', '=', 'mass')
      .executeTakeFirst()
    if (!ours) return false
    await db
      .insertInto('massSendResults')
      .values({
        msgId,
        status: result.status.slice(0, 100),
        totalCount: result.total,
        filterCount: result.filtered,
        sentCount: result.sent,
        errorCount: result.errors,
        finishedAt: this.deps.clock.now().toISOString(),
      })
      .onConflict((oc) => oc.column('msgId').doNothing())
      .execute()
    return true
  }

  async stats(id: string): Promise<CampaignStats> {
    const campaign = await this.row(id)
    return this.statsOf(campaign)
  }

  /**
   * The results of the campaigns started in the period, oldest first, as rows of the marketing
   * report; each campaign's orders are counted over its whole attribution window.
   */
  async results(period: ReportPeriod): Promise<MarketingResult[]> {
    const rows = await this.deps.store.db
      .selectFrom('campaigns')
      .selectAll()
      .where('startedAt', '>=', period.from)
      .where('startedAt', '<', period.to)
      .orderBy('startedAt')
      .orderBy('id')
      .execute()
    const results: MarketingResult[] = []
    for (const row of rows) {
      const stats = await this.statsOf(row)
      results.push({
        source: 'campaign',
        id: row.id,
        name: row.name,
        sent: stats.sent,
        uncertain: stats.uncertain,
        held: stats.held,
        expired: stats.expired,
        opened: stats.opened,
        converted: stats.converted,
        orders: stats.orders,
        sales: stats.sales,
        cost: stats.cost,
        roi: stats.roi,
        holdout: stats.holdout,
      })
    }
    return results
  }

  private async statsOf(campaign: Selectable<CampaignsTable>): Promise<CampaignStats> {
    const { db } = this.deps.store
    const byStatus = await db
      .selectFrom('outbox')
      .select((eb) => ['status', eb.fn.countAll<number>().as('count')])
      .where('campaignId', '=', campaign.id)
      .groupBy('status')
      .execute()
    const count = (...statuses: string[]) =>
      byStatus
        .filter((s) => statuses.includes(s.status))
        .reduce((sum, s) => sum + Number(s.count), 0)
    const opened = await db
      .selectFrom('campaignOpens')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('campaignId', '=', campaign.id)
      .executeTakeFirstOrThrow()
    const sent = await db
      .selectFrom('outbox')
      .select(['id', 'memberId', 'sentAt'])
      .where('campaignId', '=', campaign.id)
      .where('status', '=', 'sent')
      .$narrowType<{ memberId: string }>()
      .execute()
    const held = await db
      .selectFrom('campaignHoldouts')
      .select('memberId')
      .where('campaignId', '=', campaign.id)
      .execute()
    // A held-out member stands in with the moment the campaign started, under the same rule.
    const standIns: Touch[] = campaign.startedAt
      ? held.map((h) => ({
          key: `h:${h.memberId}`,
          memberId: h.memberId,
          at: new Date(campaign.startedAt!).getTime(),
          openedAt: null,
          windowMs: campaign.attributionDays * DAY_MS,
          rank: 0,
        }))
      : []
    const massSends = await db
      .selectFrom('outbox')
      .leftJoin('massSendResults', 'massSendResults.msgId', 'outbox.platformMessageId')
      .select((eb) => [
        'outbox.platformMessageId as msgId',
        eb.fn.countAll<number>().as('followers'),
        eb.fn.min<number>('outbox.id').as('firstId'),
        'massSendResults.status',
        'massSendResults.totalCount',
        'massSendResults.filterCount',
        'massSendResults.sentCount',
        'massSendResults.errorCount',
        'massSendResults.finishedAt',
      ])
      .where('outbox.campaignId', '=', campaign.id)
      .where('outbox.sentVia', '=', 'mass')
      .where('outbox.platformMessageId', 'is not', null)
      .groupBy([
        'outbox.platformMessageId',
        'massSendResults.status',
        'massSendResults.totalCount',
        'massSendResults.filterCount',
        'massSendResults.sentCount',
        'massSendResults.errorCount',
        'massSendResults.finishedAt',
      ])
      .$narrowType<{ msgId: string }>()
      .execute()
    const { config: programme } = await this.programmes.current()
    const credited = await attributeOrders(
      db,
      [...sent.map((s) => messageTouch({ ...s, sentAt: s.sentAt! })), ...standIns],
      programme.reminders.conversionDays * DAY_MS,
    )
    const attributed = credited.slice(0, sent.length)
    const heldCredit = credited.slice(sent.length)
    const orders = attributed.reduce((sum, a) => sum + a.orders, 0)
    const sales = attributed.reduce((sum, a) => sum + a.sales, 0)
    const converted = attributed.filter((a) => a.orders > 0).length
    return {
      targeted: campaign.targeted,
      pending: count('pending', 'held', 'claimed', 'sending'),
      held: count('held'),
      expired: count('expired'),
      uncertain: count('uncertain'),
      sent: count('sent'),
      failed: count('failed'),
      blocked: count('blocked'),
      skipped: count('skipped'),
      cancelled: count('cancelled'),
      opened: Number(opened.count),
      converted,
      orders,
      sales,
      cost: campaign.cost,
      roi: campaign.cost ? Math.round((sales / campaign.cost) * 100 * 100) / 100 : null,
      heldOut: held.length,
      holdout:
        campaign.holdoutPercent > 0
          ? compareGroups(
              { members: sent.length, converted, sales },
              {
                members: heldCredit.length,
                converted: heldCredit.filter((a) => a.orders > 0).length,
                sales: heldCredit.reduce((sum, a) => sum + a.sales, 0),
              },
            )
          : null,
      massSends: massSends
        .sort((a, b) => Number(a.firstId) - Number(b.firstId))
        .map((m) => ({
          msgId: m.msgId,
          followers: Number(m.followers),
          result:
            m.status === null
              ? null
              : {
                  status: m.status,
                  total: m.totalCount!,
                  filtered: m.filterCount!,
                  sent: m.sentCount!,
                  errors: m.errorCount!,
                  finishedAt: m.finishedAt!,
                },
        })),
    }
  }

  private async view(row: Selectable<CampaignsTable>): Promise<CampaignView> {
    return {
      id: row.id,
      name: row.name,
      message: storedMessage(row.messageJson),
      segment: JSON.parse(row.segmentJson) as Record<string, unknown>,
      status: toStatus(row.status),
      sendAt: row.sendAt,
      attributionDays: row.attributionDays,
      holdoutPercent: row.holdoutPercent,
      holdoutSeed: row.holdoutSeed,
      createdAt: row.createdAt,
      startedAt: row.startedAt,
      completedAt: row.completedAt,
      stats: await this.statsOf(row),
    }
  }

  private async transition(
    id: string,
    from: CampaignStatus[],
    to: CampaignStatus,
  ): Promise<CampaignView> {
    const updated = await this.deps.store.db
      .updateTable('campaigns')
      .set({ status: to })
      .where('id', '=', id)
      .where('status', 'in', from)
      .executeTakeFirst()
    if (Number(updated.numUpdatedRows) === 0) {
      const row = await this.row(id)
      throw new DomainError('already_done', `campaign is ${row.status}; it cannot become ${to}`, {
        status: row.status,
      })
    }
    return this.get(id)
  }

  /** Each member's language, for the text of the message they get. */
  private async localesOf(db: Db, memberIds: string[]): Promise<Map<string, string>> {
    const locales = new Map<string, string>()
    for (let i = 0; i < memberIds.length; i += 500) {
      const rows = await db
        .selectFrom('members')
        .select(['id', 'locale'])
        .where('id', 'in', memberIds.slice(i, i + 500))
        .execute()
      for (const row of rows) locales.set(row.id, row.locale)
    }
    return locales
  }

  private async row(id: string): Promise<Selectable<CampaignsTable>> {
    const row = await this.deps.store.db
      .selectFrom('campaigns')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    if (!row) throw new DomainError('not_found', `no campaign ${id}`)
    return row
  }
}
