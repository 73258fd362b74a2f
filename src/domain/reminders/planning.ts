import type { Selectable } from 'kysely'
import type { Db } from '../../../db/client.ts'
import type { RemindersTable } from '../../../db/schema/reminders.ts'
import type { DomainDeps } from '../context.ts'
import { type Programme, tierIndex } from '../programme/programme.ts'
import type { ProgrammeService } from '../programme/programme.service.ts'
import { EARNED_UPGRADE_REASON, memberTierOutlook } from '../tiers/tiers.ts'
import {
  POINTS_CHANGED_REASONS,
  type ReminderKind,
  dueOn,
  plusLocalDays,
  winBackStep,
} from './reminder-rules.ts'

export const DAY_MS = 86_400_000
/** Tier upgrades older than this are not congratulated (e.g. when reminders are turned on). */
const UPGRADE_NEWS_DAYS = 7
/** Points changes older than this are old news: not told (e.g. when the kind is turned on). */
const POINTS_NEWS_DAYS = 2

export interface Subject {
  [key: string]: unknown
}

export function subjectOf(row: Pick<Selectable<RemindersTable>, 'subjectJson'>): Subject {
  return JSON.parse(row.subjectJson) as Subject
}

/**
 * Writes a reminder row per fact worth telling (a supply running out, a customer away, points
 * expiring, a tier won or at risk, an order shipped) under a unique key, so planning twice or in
 * two processes plans once.
 */
export class ReminderPlanner {
  constructor(
    private readonly deps: DomainDeps,
    private readonly programmes: ProgrammeService,
  ) {}

  /** Plans the calendar's reminders; returns how many new ones it planned. */
  async planCalendar(): Promise<number> {
    const now = this.deps.clock.now()
    const { config: programme } = await this.programmes.current()
    const config = programme.reminders
    let planned = 0
    if (config.winBack.enabled && config.winBack.steps.length > 0)
      planned += await this.planWinBack(programme, now)
    if (config.pointsExpiring.enabled) planned += await this.planPointsExpiring(programme, now)
    if (config.tierUpgrade.enabled) planned += await this.planTierUpgrades(now)
    if (config.tierDowngrade.enabled) planned += await this.planTierDowngrades(programme, now)
    if (config.pointsChanged.enabled) planned += await this.planPointsChanged(now)
    return planned
  }

  async plan(
    db: Db,
    reminder: {
      memberId: string
      kind: ReminderKind
      key: string
      subject: Subject
      dueAt: Date
      expiresAt: Date | null
    },
  ): Promise<boolean> {
    const inserted = await db
      .insertInto('reminders')
      .values({
        memberId: reminder.memberId,
        kind: reminder.kind,
        dedupeKey: reminder.key,
        subjectJson: JSON.stringify(reminder.subject),
        dueAt: reminder.dueAt.toISOString(),
        expiresAt: reminder.expiresAt?.toISOString() ?? null,
        status: 'scheduled',
        reason: null,
        createdAt: this.deps.clock.now().toISOString(),
        decidedAt: null,
      })
      .onConflict((oc) => oc.column('dedupeKey').doNothing())
      .returning('id')
      .executeTakeFirst()
    return Boolean(inserted)
  }

  async cancelPending(db: Db, keys: string[], reason: string): Promise<void> {
    if (keys.length === 0) return
    await db
      .updateTable('reminders')
      .set({ status: 'cancelled', reason, decidedAt: this.deps.clock.now().toISOString() })
      .where('dedupeKey', 'in', keys)
      .where('status', '=', 'scheduled')
      .execute()
  }

  async planSurvey(
    db: Db,
    programme: Programme,
    memberId: string,
    orderId: string,
    after: Date,
  ): Promise<void> {
    const config = programme.reminders.orderSurvey
    if (!config.enabled) return
    const dueAt = new Date(after.getTime() + config.delayHours * 3_600_000)
    await this.plan(db, {
      memberId,
      kind: 'order_survey',
      key: `order_survey:${orderId}`,
      subject: { orderId },
      dueAt,
      expiresAt: new Date(dueAt.getTime() + 14 * DAY_MS),
    })
  }

  private async planWinBack(programme: Programme, now: Date): Promise<number> {
    const config = programme.reminders.winBack
    const tz = programme.timezone
    const firstStep = config.steps[0]!.days
    const lastStep = config.steps[config.steps.length - 1]!.days
    const latest = dueOn(plusLocalDays(now, -firstStep, tz), '23:59', tz).toISOString()
    // Customers past the last step's window were let go: they need not be read at all.
    const earliest = dueOn(
      plusLocalDays(now, -(lastStep + config.lastStepWindowDays + 1), tz),
      '00:00',
      tz,
    ).toISOString()
    const customers = await this.deps.store.db
      .selectFrom('orders')
      .innerJoin('members', 'members.id', 'orders.memberId')
      .select((eb) => [
        'orders.memberId',
        eb.fn.countAll<number>().as('orders'),
        eb.fn.max<string>('orders.placedAt').as('lastOrderAt'),
      ])
      .where('members.status', '=', 'active')
      .whereRef('orders.refundedAmount', '<', 'orders.amount')
      .groupBy('orders.memberId')
      .having((eb) => eb.fn.countAll(), '>=', config.minOrders)
      .having((eb) => eb.fn.max('orders.placedAt'), '<=', latest)
      .having((eb) => eb.fn.max('orders.placedAt'), '>=', earliest)
      .execute()
    // What is planned already, read in batches: most customers are, on every run but one.
    const known = new Set<string>()
    for (let i = 0; i < customers.length; i += 500) {
      const rows = await this.deps.store.db
        .selectFrom('reminders')
        .select('dedupeKey')
        .where('kind', '=', 'win_back')
        .where(
          'memberId',
          'in',
          customers.slice(i, i + 500).map((c) => c.memberId),
        )
        .execute()
      for (const row of rows) known.add(row.dedupeKey)
    }
    let planned = 0
    for (const customer of customers) {
      if (await this.planWinBackStep(this.deps.store.db, programme, customer, now, known)) planned++
    }
    return planned
  }

  /**
   * Plans a customer's win-back step (see `winBackStep`) under its unique key, so that a step
   * planned by the calendar and one sent early by staff are the same reminder, planned once.
   * Returns whether it planned a new one.
   */
  private async planWinBackStep(
    db: Db,
    programme: Programme,
    customer: { memberId: string; lastOrderAt: string },
    now: Date,
    known: Set<string> = new Set(),
    early = false,
  ): Promise<boolean> {
    const config = programme.reminders.winBack
    const step = winBackStep(
      new Date(customer.lastOrderAt),
      now,
      config.steps,
      config.lastStepWindowDays,
      programme.reminders.sendAt,
      programme.timezone,
      early,
    )
    const key = `win_back:${customer.memberId}:${customer.lastOrderAt}:${step?.days}`
    if (!step || known.has(key)) return false
    return this.plan(db, {
      memberId: customer.memberId,
      kind: 'win_back',
      key,
      subject: {
        lastOrderAt: customer.lastOrderAt,
        step: step.days,
        ...(step.rewardId ? { rewardId: step.rewardId } : {}),
      },
      dueAt: step.dueAt,
      expiresAt: step.expiresAt,
    })
  }

  /**
   * Staff send the win-back step now to these members (the slipping customers of a digest):
   * each active customer gets the step they have reached, or the first, due at once; the
   * reminder is then decided as any other (consent, reachability, the cap, quiet hours, the
   * holdout). A step already planned for the same absence is not planned again. Returns how
   * many were planned.
   */
  async bringWinBackForward(db: Db, memberIds: string[]): Promise<number> {
    const { config: programme } = await this.programmes.current(db)
    if (!programme.reminders.winBack.enabled || memberIds.length === 0) return 0
    const now = this.deps.clock.now()
    let planned = 0
    for (let i = 0; i < memberIds.length; i += 500) {
      const customers = await db
        .selectFrom('orders')
        .innerJoin('members', 'members.id', 'orders.memberId')
        .select((eb) => ['orders.memberId', eb.fn.max<string>('orders.placedAt').as('lastOrderAt')])
        .where('members.status', '=', 'active')
        .where('orders.memberId', 'in', memberIds.slice(i, i + 500))
        .whereRef('orders.refundedAmount', '<', 'orders.amount')
        .groupBy('orders.memberId')
        .execute()
      for (const customer of customers) {
        if (await this.planWinBackStep(db, programme, customer, now, undefined, true)) planned++
      }
    }
    return planned
  }

  /**
   * Members with points expiring within `daysBefore` days are told once per such period: the
   * total expiring in it and the first day it happens.
   */
  private async planPointsExpiring(programme: Programme, now: Date): Promise<number> {
    const config = programme.reminders.pointsExpiring
    const horizon = new Date(now.getTime() + config.daysBefore * DAY_MS).toISOString()
    const since = new Date(now.getTime() - config.daysBefore * DAY_MS).toISOString()
    const expiring = await this.deps.store.db
      .selectFrom('pointLots')
      .innerJoin('members', 'members.id', 'pointLots.memberId')
      .select((eb) => [
        'pointLots.memberId',
        eb.fn.sum<number>('pointLots.remaining').as('points'),
        eb.fn.min<string>('pointLots.expiresAt').as('first'),
      ])
      .where('members.status', '=', 'active')
      .where('pointLots.remaining', '>', 0)
      .where('pointLots.expiresAt', '>', now.toISOString())
      .where('pointLots.expiresAt', '<=', horizon)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('reminders')
              .select('reminders.id')
              .whereRef('reminders.memberId', '=', 'pointLots.memberId')
              .where('reminders.kind', '=', 'points_expiring')
              .where('reminders.createdAt', '>', since),
          ),
        ),
      )
      .groupBy('pointLots.memberId')
      .execute()
    let planned = 0
    for (const row of expiring) {
      if (Number(row.points) < config.minPoints) continue
      const added = await this.plan(this.deps.store.db, {
        memberId: row.memberId,
        kind: 'points_expiring',
        key: `points_expiring:${row.memberId}:${row.first}`,
        subject: { firstExpiry: row.first },
        dueAt: now,
        expiresAt: new Date(row.first),
      })
      if (added) planned++
    }
    return planned
  }

  private async planTierUpgrades(now: Date): Promise<number> {
    const { config: programme } = await this.programmes.current()
    const since = new Date(now.getTime() - UPGRADE_NEWS_DAYS * DAY_MS).toISOString()
    const changes = await this.deps.store.db
      .selectFrom('tierChanges')
      .selectAll()
      .where('createdAt', '>', since)
      .execute()
    let planned = 0
    for (const change of changes) {
      // Joining, a bought or imported tier and a floor set by staff are no upgrade the member
      // earned; only the member's own orders are congratulated.
      if (change.fromCode === null || change.reason !== EARNED_UPGRADE_REASON) continue
      if (tierIndex(programme, change.toCode) <= tierIndex(programme, change.fromCode)) continue
      const added = await this.plan(this.deps.store.db, {
        memberId: change.memberId,
        kind: 'tier_upgrade',
        key: `tier_upgrade:${change.id}`,
        subject: { fromCode: change.fromCode, toCode: change.toCode },
        dueAt: new Date(change.createdAt),
        expiresAt: new Date(new Date(change.createdAt).getTime() + UPGRADE_NEWS_DAYS * DAY_MS),
      })
      if (added) planned++
    }
    return planned
  }

  /**
   * A member is told of the points that moved for `POINTS_CHANGED_REASONS` in the last two
   * days, once per change: the entries of one reason written at one moment (the lots of one
   * expiry) are one change. Read from the ledger rather than hooked into each writer, so that
   * every way points move for those reasons is told, today's and those added later.
   */
  private async planPointsChanged(now: Date): Promise<number> {
    const since = new Date(now.getTime() - POINTS_NEWS_DAYS * DAY_MS).toISOString()
    const changes = await this.deps.store.db
      .selectFrom('ledgerEntries')
      .innerJoin('members', 'members.id', 'ledgerEntries.memberId')
      .select((eb) => [
        'ledgerEntries.memberId',
        'ledgerEntries.reason',
        'ledgerEntries.createdAt',
        eb.fn.min<number>('ledgerEntries.id').as('firstId'),
      ])
      .where('ledgerEntries.createdAt', '>', since)
      .where('ledgerEntries.reason', 'in', POINTS_CHANGED_REASONS)
      .where('members.status', '=', 'active')
      .groupBy(['ledgerEntries.memberId', 'ledgerEntries.reason', 'ledgerEntries.createdAt'])
      .having((eb) => eb.fn.sum('ledgerEntries.points'), '!=', 0)
      .execute()
    if (changes.length === 0) return 0
    const known = new Set(
      (
        await this.deps.store.db
          .selectFrom('reminders')
          .select('dedupeKey')
          .where('kind', '=', 'points_changed')
          .where('createdAt', '>', since)
          .execute()
      ).map((row) => row.dedupeKey),
    )
    let planned = 0
    // In the order the points moved, so that the member reads them so.
    for (const change of changes.sort((a, b) => Number(a.firstId) - Number(b.firstId))) {
      const key = `points_changed:${change.memberId}:${change.reason}:${change.createdAt}`
      if (known.has(key)) continue
      const added = await this.plan(this.deps.store.db, {
        memberId: change.memberId,
        kind: 'points_changed',
        key,
        subject: { reason: change.reason, at: change.createdAt },
        dueAt: new Date(change.createdAt),
        expiresAt: new Date(new Date(change.createdAt).getTime() + POINTS_NEWS_DAYS * DAY_MS),
      })
      if (added) planned++
    }
    return planned
  }

  private async planTierDowngrades(programme: Programme, now: Date): Promise<number> {
    const config = programme.reminders.tierDowngrade
    const tz = programme.timezone
    const horizon = new Date(now.getTime() + config.daysBefore * DAY_MS).toISOString()
    const members = await this.deps.store.db
      .selectFrom('members')
      .selectAll()
      .where('status', '=', 'active')
      .where('tierWindowEnd', '>', now.toISOString())
      .where('tierWindowEnd', '<=', horizon)
      .where('tierCode', '!=', programme.tiers[0]!.code)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('reminders')
              .select('reminders.id')
              .whereRef('reminders.memberId', '=', 'members.id')
              .where('reminders.kind', '=', 'tier_downgrade')
              .whereRef('reminders.createdAt', '>=', 'members.tierWindowStart'),
          ),
        ),
      )
      .execute()
    let planned = 0
    for (const member of members) {
      const { outlook } = await memberTierOutlook(this.deps.store.db, member, programme)
      if (outlook.keepNeeds === null) continue
      const windowEnd = new Date(member.tierWindowEnd)
      const warnDate = plusLocalDays(windowEnd, -config.daysBefore, tz)
      const added = await this.plan(this.deps.store.db, {
        memberId: member.id,
        kind: 'tier_downgrade',
        key: `tier_downgrade:${member.id}:${member.tierWindowEnd}`,
        subject: { windowEnd: member.tierWindowEnd, tierCode: member.tierCode },
        dueAt: dueOn(warnDate, programme.reminders.sendAt, tz),
        expiresAt: windowEnd,
      })
      if (added) planned++
    }
    return planned
  }
}
