import { DateTime } from 'luxon'
import type { Selectable } from 'kysely'
import type { Db } from '../../../db/client.ts'
import type { RemindersTable } from '../../../db/schema/reminders.ts'
import { newId } from '../../shared/ids.ts'
import { inQuietHours } from '../campaigns/campaigns.ts'
import type { DomainDeps } from '../context.ts'
import { type MemberRow, lockMember } from '../ledger/ledger.repository.ts'
import { inReminderHoldout } from '../outbox/holdout.ts'
import type { OutboxService } from '../outbox/outbox.service.ts'
import type { OutboundMessage } from '../ports.ts'
import {
  type Locale,
  type Programme,
  localize,
  storedText,
  tierAt,
  tierIndex,
} from '../programme/programme.ts'
import type { ProgrammeService } from '../programme/programme.service.ts'
import { orderSurveyOf } from '../interactions/surveys.service.ts'
import { grantReward } from '../rewards/rewards.service.ts'
import { takeUnit } from '../rewards/stock.ts'
import { benefitLabels } from '../tiers/benefits.ts'
import { memberTierOutlook } from '../tiers/tiers.ts'
import { DAY_MS, type Subject, subjectOf } from './planning.ts'
import {
  DEFAULT_TEMPLATES,
  POINTS_CHANGED_REASON_WORDS,
  type PointsChangedReason,
  type ReminderKind,
  dueOn,
  formatLocalDate,
  officialTemplateOf,
  formatMoney,
  purposeOf,
  renderTemplate,
} from './reminder-rules.ts'

const BATCH = 200

/**
 * The redemption key of a gift a reminder gave: the member did nothing for it, so the reports
 * tell it from a redemption by this prefix.
 */
export const REMINDER_GIFT_KEY_PREFIX = 'reminder:'

type Outcome =
  | { status: 'cancelled' | 'skipped'; reason: string }
  | { status: 'deferred'; until: Date; reason: string }
  | {
      status: 'queued'
      message: OutboundMessage
      identity: { channel: string; externalId: string }
    }

/**
 * Decides each due reminder once, under the member's row lock: cancelled if no longer true,
 * skipped if the member opted out, cannot be reached, or the frequency cap holds it past its
 * usefulness, otherwise rendered in the member's language and queued in the durable outbox in
 * the same transaction.
 */
export class ReminderDecider {
  constructor(
    private readonly deps: DomainDeps,
    private readonly programmes: ProgrammeService,
    private readonly outbox: OutboxService,
  ) {}

  /** Decides the reminders due by now; none during the merchant's quiet hours. */
  async decideDue(): Promise<{ queued: number; skipped: number; cancelled: number }> {
    const counts = { queued: 0, skipped: 0, cancelled: 0 }
    const now = this.deps.clock.now()
    const { config: programme } = await this.programmes.current()
    const localTime = DateTime.fromJSDate(now, { zone: programme.timezone }).toFormat('HH:mm')
    if (inQuietHours(localTime, programme.quietHours)) return counts
    let afterId = 0
    for (;;) {
      const due = await this.deps.store.db
        .selectFrom('reminders')
        .select(['id', 'memberId'])
        .where('status', '=', 'scheduled')
        .where('dueAt', '<=', now.toISOString())
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(BATCH)
        .execute()
      if (due.length === 0) return counts
      afterId = due[due.length - 1]!.id
      for (const { id, memberId } of due) {
        const outcome = await this.decide(id, memberId, programme, now)
        if (outcome === 'queued') counts.queued++
        else if (outcome === 'skipped') counts.skipped++
        else if (outcome === 'cancelled') counts.cancelled++
      }
    }
  }

  private async decide(
    id: number,
    memberId: string,
    programme: Programme,
    now: Date,
  ): Promise<'queued' | 'skipped' | 'cancelled' | 'deferred' | 'taken'> {
    return this.deps.store.transaction(async (trx) => {
      const member = await lockMember(trx, memberId)
      const reminder = await trx
        .selectFrom('reminders')
        .selectAll()
        .where('id', '=', id)
        .where('status', '=', 'scheduled')
        .executeTakeFirst()
      if (!reminder || reminder.dueAt > now.toISOString()) return 'taken'
      const outcome = await this.outcomeOf(trx, reminder, member, programme, now)
      const decidedAt = now.toISOString()
      if (outcome.status === 'deferred') {
        await trx
          .updateTable('reminders')
          .set({ dueAt: outcome.until.toISOString(), reason: outcome.reason })
          .where('id', '=', id)
          .execute()
        return 'deferred'
      }
      if (outcome.status !== 'queued') {
        await trx
          .updateTable('reminders')
          .set({ status: outcome.status, reason: outcome.reason, decidedAt })
          .where('id', '=', id)
          .execute()
        return outcome.status
      }
      const { identity } = outcome
      await this.outbox.enqueue(
        trx,
        [
          {
            source: { reminderId: id },
            purpose: purposeOf(reminder.kind as ReminderKind),
            memberId,
            identity,
            message: outcome.message,
            expiresAt: reminder.expiresAt,
          },
        ],
        decidedAt,
      )
      await trx
        .updateTable('reminders')
        .set({ status: 'queued', reason: null, decidedAt })
        .where('id', '=', id)
        .execute()
      return 'queued'
    })
  }

  private async outcomeOf(
    trx: Db,
    reminder: Selectable<RemindersTable>,
    member: MemberRow,
    programme: Programme,
    now: Date,
  ): Promise<Outcome> {
    const kind = reminder.kind as ReminderKind
    const config = programme.reminders
    const subject = subjectOf(reminder)
    if (!this.enabled(programme, kind)) return { status: 'skipped', reason: 'disabled' }
    if (member.status !== 'active') return { status: 'skipped', reason: 'inactive' }
    if (reminder.expiresAt && reminder.expiresAt <= now.toISOString())
      return { status: 'skipped', reason: 'stale' }
    const locale: Locale = member.locale === 'en' ? 'en' : 'zh-CN'
    const found = await this.valuesFor(trx, kind, subject, member, programme, locale, now)
    if ('cancel' in found) return { status: 'cancelled', reason: found.cancel }
    const { values } = found
    const marketing = purposeOf(kind) === 'marketing'
    if (marketing && member.marketingConsent !== 1)
      return { status: 'skipped', reason: 'opted_out' }
    const identity = (await this.outbox.identitiesOf([member.id], trx)).get(member.id)
    if (!identity) return { status: 'skipped', reason: 'unreachable' }
    if (marketing) {
      const until = await this.capReleases(trx, member.id, programme, now)
      if (until) {
        if (reminder.expiresAt && until.toISOString() >= reminder.expiresAt)
          return { status: 'skipped', reason: 'frequency_cap' }
        return { status: 'deferred', until, reason: 'frequency_cap' }
      }
    }
    // Last of the checks, so that the held-out are members who would have been reminded.
    if (inReminderHoldout(kind, member.id, config.holdoutPercent[kind] ?? 0))
      return { status: 'skipped', reason: 'holdout' }
    if (kind === 'win_back' && typeof subject.rewardId === 'string') {
      values.offer = await this.giveOffer(
        trx,
        member,
        subject.rewardId,
        reminder.id,
        programme,
        locale,
        now,
      )
    }
    const template = (config.templates[kind] ?? DEFAULT_TEMPLATES[kind])[locale]
    const official =
      identity.channel === 'wechat_official' ? officialTemplateOf(config, kind) : undefined
    return {
      status: 'queued',
      identity,
      message: {
        text: renderTemplate(template, values),
        miniappButton: locale === 'en' ? 'Open my points' : '打开会员中心',
        ...(official && {
          officialTemplate: {
            templateId: official.templateId,
            data: Object.fromEntries(
              Object.entries(official.data).map(([field, text]) => [
                field,
                renderTemplate(text[locale], values),
              ]),
            ),
          },
        }),
        reminderId: reminder.id,
      },
    }
  }

  /**
   * When the frequency cap lets the next marketing message through, or null if it does now.
   * Campaign messages count too: the member hears from the merchant, whatever the reason.
   */
  private async capReleases(
    trx: Db,
    memberId: string,
    programme: Programme,
    now: Date,
  ): Promise<Date | null> {
    const { messages, days } = programme.reminders.frequencyCap
    const windowStart = new Date(now.getTime() - days * DAY_MS).toISOString()
    const recent = await trx
      .selectFrom('outbox')
      .select('createdAt')
      .where('memberId', '=', memberId)
      .where('purpose', '=', 'marketing')
      .where('createdAt', '>', windowStart)
      .where('status', 'not in', ['cancelled', 'skipped', 'failed', 'blocked'])
      .orderBy('createdAt', 'desc')
      .execute()
    if (recent.length < messages) return null
    if (messages === 0) return new Date(8.64e15)
    // The message that must leave the window before another fits.
    const gate = recent[messages - 1]!
    return new Date(new Date(gate.createdAt).getTime() + days * DAY_MS)
  }

  private enabled(programme: Programme, kind: ReminderKind): boolean {
    const config = programme.reminders
    const byKind: Record<ReminderKind, boolean> = {
      usage_cycle: config.usageCycle.enabled,
      win_back: config.winBack.enabled,
      points_expiring: config.pointsExpiring.enabled,
      tier_upgrade: config.tierUpgrade.enabled,
      tier_downgrade: config.tierDowngrade.enabled,
      order_shipped: config.orderShipped.enabled,
      order_delivered: config.orderDelivered.enabled,
      order_survey: config.orderSurvey.enabled,
      points_changed: config.pointsChanged.enabled,
    }
    return byKind[kind]
  }

  /** The template's values, checked afresh: a reminder that is no longer true is cancelled. */
  private async valuesFor(
    trx: Db,
    kind: ReminderKind,
    subject: Subject,
    member: MemberRow,
    programme: Programme,
    locale: Locale,
    now: Date,
  ): Promise<{ values: Record<string, string | number> } | { cancel: string }> {
    const tz = programme.timezone
    const tier = tierAt(programme, Math.max(tierIndex(programme, member.tierCode), 0))
    const benefits =
      benefitLabels(tier)
        .map((b) => localize(b, locale))
        .join(locale === 'en' ? '; ' : '；') || (locale === 'en' ? 'member prices' : '会员价')
    const common = {
      name: member.displayName,
      programme: localize(programme.name, locale),
      balance: member.pointsBalance,
      tier: localize(tier.name, locale),
      benefits,
    }
    switch (kind) {
      case 'usage_cycle': {
        const placedAt = String(subject.placedAt)
        const later = await trx
          .selectFrom('orders')
          .select('itemsJson')
          .where('memberId', '=', member.id)
          .where('placedAt', '>', placedAt)
          .execute()
        const sku = String(subject.sku)
        if (
          later.some((o) =>
            (JSON.parse(o.itemsJson) as { sku: string }[]).some((i) => i.sku === sku),
          )
        )
          return { cancel: 'bought_again' }
        const product = await trx
          .selectFrom('products')
          .select(['nameZh', 'nameEn'])
          .where('sku', '=', sku)
          .executeTakeFirst()
        const runOut = dueOn(String(subject.runOutDate), '00:00', tz)
        return {
          values: {
            ...common,
            product: product ? (locale === 'en' ? product.nameEn : product.nameZh) : sku,
            days: Math.max(0, Math.round((runOut.getTime() - now.getTime()) / DAY_MS)),
            date: formatLocalDate(runOut, tz, locale),
          },
        }
      }
      case 'win_back': {
        const last = await this.lastOrderAt(trx, member.id)
        if (!last || last > String(subject.lastOrderAt)) return { cancel: 'ordered' }
        return {
          values: {
            ...common,
            days: Math.floor((now.getTime() - new Date(last).getTime()) / DAY_MS),
            offer: '',
          },
        }
      }
      case 'points_expiring': {
        const horizon = new Date(
          now.getTime() + programme.reminders.pointsExpiring.daysBefore * DAY_MS,
        ).toISOString()
        const expiring = await trx
          .selectFrom('pointLots')
          .select((eb) => [
            eb.fn.sum<number>('remaining').as('points'),
            eb.fn.min<string>('expiresAt').as('first'),
          ])
          .where('memberId', '=', member.id)
          .where('remaining', '>', 0)
          .where('expiresAt', '>', now.toISOString())
          .where('expiresAt', '<=', horizon)
          .executeTakeFirst()
        const points = Number(expiring?.points ?? 0)
        if (points < programme.reminders.pointsExpiring.minPoints || !expiring?.first)
          return { cancel: 'nothing_expiring' }
        // Lots expire at a local midnight; the last day to use them is the day before.
        const lastDay = new Date(new Date(expiring.first).getTime() - 1)
        return {
          values: { ...common, expiring: points, date: formatLocalDate(lastDay, tz, locale) },
        }
      }
      case 'tier_upgrade': {
        if (tierIndex(programme, member.tierCode) < tierIndex(programme, String(subject.toCode)))
          return { cancel: 'no_longer_true' }
        return { values: common }
      }
      case 'tier_downgrade': {
        const { outlook } = await memberTierOutlook(trx, member, programme)
        if (outlook.keepNeeds === null || member.tierWindowEnd !== subject.windowEnd)
          return { cancel: 'tier_kept' }
        return {
          values: {
            ...common,
            needed:
              programme.tierRules.basis === 'spend'
                ? formatMoney(outlook.keepNeeds, programme.currency, locale)
                : locale === 'en'
                  ? `${outlook.keepNeeds} points`
                  : `${outlook.keepNeeds}积分`,
            date: formatLocalDate(
              new Date(new Date(member.tierWindowEnd).getTime() - 1),
              tz,
              locale,
            ),
            nextTier: localize(outlook.after.name, locale),
          },
        }
      }
      case 'points_changed': {
        const reason = String(subject.reason) as PointsChangedReason
        const at = String(subject.at)
        const change = await trx
          .selectFrom('ledgerEntries')
          .select((eb) => eb.fn.sum<number>('points').as('points'))
          .where('memberId', '=', member.id)
          .where('reason', '=', reason)
          .where('createdAt', '=', at)
          .executeTakeFirst()
        const points = Number(change?.points ?? 0)
        // The member's records were merged meanwhile: the change is told on the other record.
        if (points === 0) return { cancel: 'no_longer_true' }
        return {
          values: {
            ...common,
            change: points > 0 ? `+${points}` : String(points),
            reason: POINTS_CHANGED_REASON_WORDS[reason][locale],
            date: formatLocalDate(new Date(at), tz, locale),
          },
        }
      }
      case 'order_shipped':
      case 'order_delivered':
      case 'order_survey': {
        const orderId = String(subject.orderId)
        const order = await trx
          .selectFrom('orders')
          .select(['pointsEarned', 'pointsReversed', 'amount', 'refundedAmount'])
          .where('id', '=', orderId)
          .executeTakeFirst()
        if (!order || order.refundedAmount >= order.amount) return { cancel: 'refunded' }
        if (kind === 'order_survey') {
          const survey = (await orderSurveyOf(trx, programme))?.id
          if (!survey) return { cancel: 'no_survey' }
          const answered = await trx
            .selectFrom('surveyResponses')
            .select('id')
            .where('memberId', '=', member.id)
            .where('surveyId', '=', survey)
            .where('context', '=', `order:${orderId}`)
            .executeTakeFirst()
          if (answered) return { cancel: 'answered' }
        }
        const carrier = typeof subject.carrier === 'string' ? subject.carrier : ''
        const tracking = typeof subject.trackingNumber === 'string' ? subject.trackingNumber : ''
        const shipping = [carrier, tracking].filter(Boolean).join(' ')
        return {
          values: {
            ...common,
            order: orderId,
            earned: order.pointsEarned - order.pointsReversed,
            tracking: shipping ? (locale === 'en' ? ` (${shipping})` : `（${shipping}）`) : '',
          },
        }
      }
    }
  }

  /** Grants a win-back step's reward as a gift; the offer line, or '' if none can be given. */
  private async giveOffer(
    trx: Db,
    member: MemberRow,
    rewardId: string,
    reminderId: number,
    programme: Programme,
    locale: Locale,
    now: Date,
  ): Promise<string> {
    const reward = await trx
      .selectFrom('rewards')
      .selectAll()
      .where('id', '=', rewardId)
      .executeTakeFirst()
    // A gift is a unit like a prize: the same stock, limit and pointless-upgrade rules.
    if (!reward || (await takeUnit(trx, member, reward, programme, 'prize', now))) return ''
    await grantReward(trx, member, reward, programme, {
      redemptionId: newId('rdm'),
      idempotencyKey: `${REMINDER_GIFT_KEY_PREFIX}${reminderId}:gift`,
      points: 0,
      ledgerEntryId: null,
      now,
    })
    const name = localize(storedText(reward.nameJson), locale)
    return locale === 'en'
      ? `A gift for you: ${name}, waiting in your coupons. `
      : `送你「${name}」，已放入你的券包。`
  }

  private async lastOrderAt(db: Db, memberId: string): Promise<string | null> {
    const row = await db
      .selectFrom('orders')
      .select((eb) => eb.fn.max<string>('placedAt').as('last'))
      .where('memberId', '=', memberId)
      .whereRef('refundedAmount', '<', 'amount')
      .executeTakeFirst()
    return row?.last ?? null
  }
}
