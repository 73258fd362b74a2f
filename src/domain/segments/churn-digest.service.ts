import { DateTime } from 'luxon'
import { DomainError } from '../../shared/errors.ts'
import type { DomainDeps } from '../context.ts'
import { maskName } from '../members/members.ts'
import type { OutboxService } from '../outbox/outbox.service.ts'
import type { Locale, LocalizedText, Programme } from '../programme/programme.ts'
import type { ProgrammeService } from '../programme/programme.service.ts'
import { formatMoney } from '../reminders/reminder-rules.ts'
import type { RemindersService } from '../reminders/reminders.service.ts'

/** One valuable customer who started slipping, as the digest names them. */
export interface SlippingCustomer {
  memberId: string
  code: string
  displayName: string
  /** Net of refunds, minor units. */
  revenue: number
  lastPurchaseAt: string
  slippingSince: string
}

export interface ChurnDigest {
  /** The local date the digest was due: one digest per such date. */
  week: string
  /** The local days it covers, [from, to): the week before `week`. */
  from: string
  to: string
  /** Every valuable customer who started slipping in it, the most revenue first. */
  members: SlippingCustomer[]
  /** Who sent them the win-back step from it, and when; null until someone does. */
  winBack: { by: string; at: string } | null
}

/**
 * The weekly digest to the owner and managers (docs/programme-rules.md, "Churn digest"): the
 * valuable customers who started slipping in the week before it was due, the top ones with
 * their value, and the offer to send them the win-back step now, through the reminders' own
 * win-back path. One digest a week, whichever process runs the job and however often.
 */
export class ChurnDigestService {
  constructor(
    private readonly deps: DomainDeps,
    private readonly programmes: ProgrammeService,
    private readonly outbox: OutboxService,
    private readonly reminders: RemindersService,
  ) {}

  /**
   * Sends the digest that is due, if it was not sent: the last `weekday` at `sendAt` (local) not
   * after now. Waits (returns null) until the classification has been recomputed since the
   * week ended. Records the digest and queues one message per owner and manager in one
   * transaction; with no valuable customer slipping the digest is recorded and nobody is told.
   */
  async sendDue(): Promise<{ week: string; members: number; recipients: number } | null> {
    const { config } = await this.programmes.current()
    if (!config.churnDigest.enabled) return null
    const now = this.deps.clock.now()
    const { week, from, to } = dueWeek(config, now)
    const state = await this.deps.store.db
      .selectFrom('segmentState')
      .select('computedAt')
      .where('id', '=', 1)
      .executeTakeFirst()
    if (!state?.computedAt || state.computedAt < to) return null
    const members = await this.startedSlipping(config, from, to)
    return this.deps.store.transaction(async (trx) => {
      const recorded = await trx
        .insertInto('churnDigests')
        .values({
          week,
          periodFrom: from,
          periodTo: to,
          memberIdsJson: JSON.stringify(members.map((m) => m.memberId)),
          createdAt: now.toISOString(),
          winBackBy: null,
          winBackAt: null,
        })
        .onConflict((oc) => oc.column('week').doNothing())
        .returning('week')
        .executeTakeFirst()
      if (!recorded) return null
      let recipients = 0
      if (members.length > 0) {
        const staff = await trx
          .selectFrom('staff')
          .select('id')
          .where('role', 'in', ['owner', 'manager'])
          .orderBy('id')
          .execute()
        const text = digestText(config, members, now)
        // The same offer as `/slipping`'s, taken by the same callback from the pushed digest.
        const actions = [{ label: winBackOfferLabel(members.length), action: `slip:${week}` }]
        for (const { id } of staff) {
          const queued = await this.outbox.enqueueStaffMessage(
            {
              staffId: id,
              kind: 'churn_digest',
              text,
              actions,
              dedupeKey: `churn_digest:${week}`,
            },
            trx,
          )
          if (queued) recipients++
        }
      }
      return { week, members: members.length, recipients }
    })
  }

  /** The last digest recorded, with its members as they are now; null before the first. */
  async latest(): Promise<ChurnDigest | null> {
    const row = await this.deps.store.db
      .selectFrom('churnDigests')
      .selectAll()
      .orderBy('week', 'desc')
      .limit(1)
      .executeTakeFirst()
    if (!row) return null
    return {
      week: row.week,
      from: row.periodFrom,
      to: row.periodTo,
      members: await this.customers(JSON.parse(row.memberIdsJson) as string[]),
      winBack: row.winBackBy && row.winBackAt ? { by: row.winBackBy, at: row.winBackAt } : null,
    }
  }

  /**
   * The digest's text in both languages: how many, the top ones and, with `hint`, how to act
   * on it in chat (the pushed digest; `/slipping` offers the choice itself).
   */
  async text(digest: ChurnDigest, hint = true): Promise<LocalizedText> {
    const { config } = await this.programmes.current()
    return digestText(config, digest.members, this.deps.clock.now(), hint)
  }

  /**
   * Sends the win-back step now to the members of the week's digest, once: the first to ask
   * does it (`actor` is recorded), a second answers `already_done` naming who did and when.
   * Each member then gets the win-back reminder as the calendar would have planned it.
   * Returns how many reminders were planned.
   */
  async sendWinBack(week: string, actor: string): Promise<{ planned: number; members: number }> {
    const { config } = await this.programmes.current()
    if (!config.reminders.winBack.enabled || config.reminders.winBack.steps.length === 0)
      throw new DomainError('win_back_disabled', 'the win-back reminder is turned off')
    const now = this.deps.clock.now().toISOString()
    return this.deps.store.transaction(async (trx) => {
      const digest = await trx
        .selectFrom('churnDigests')
        .selectAll()
        .where('week', '=', week)
        .executeTakeFirst()
      if (!digest) throw new DomainError('not_found', `no churn digest ${week}`)
      const taken = await trx
        .updateTable('churnDigests')
        .set({ winBackBy: actor, winBackAt: now })
        .where('week', '=', week)
        .where('winBackBy', 'is', null)
        .executeTakeFirst()
      if (Number(taken.numUpdatedRows) === 0)
        throw new DomainError('already_done', 'the win-back step was sent from this digest', {
          status: 'sent',
          by: digest.winBackBy,
          at: digest.winBackAt,
        })
      const memberIds = JSON.parse(digest.memberIdsJson) as string[]
      const planned = await this.reminders.bringWinBackForward(trx, memberIds)
      return { planned, members: memberIds.length }
    })
  }

  /** Valuable customers slipping now whose slipping started in [from, to), by revenue. */
  private async startedSlipping(
    config: Programme,
    from: string,
    to: string,
  ): Promise<SlippingCustomer[]> {
    const rows = await this.deps.store.db
      .selectFrom('memberSegments')
      .innerJoin('members', 'members.id', 'memberSegments.memberId')
      .select('members.id')
      .where('members.status', '=', 'active')
      .where('memberSegments.lifecycle', '=', 'slipping')
      .where('memberSegments.slippingSince', '>=', from)
      .where('memberSegments.slippingSince', '<', to)
      .where('memberSegments.abc', 'in', config.churnDigest.abc)
      .execute()
    return this.customers(rows.map((row) => row.id))
  }

  private async customers(memberIds: string[]): Promise<SlippingCustomer[]> {
    const found: SlippingCustomer[] = []
    for (let i = 0; i < memberIds.length; i += 500) {
      const rows = await this.deps.store.db
        .selectFrom('members')
        .innerJoin('memberSegments', 'memberSegments.memberId', 'members.id')
        .select([
          'members.id',
          'members.code',
          'members.displayName',
          'memberSegments.revenue',
          'memberSegments.lastPurchaseAt',
          'memberSegments.slippingSince',
        ])
        .where('members.id', 'in', memberIds.slice(i, i + 500))
        .execute()
      for (const row of rows)
        found.push({
          memberId: row.id,
          code: row.code,
          displayName: row.displayName,
          revenue: Number(row.revenue),
          lastPurchaseAt: row.lastPurchaseAt ?? '',
          slippingSince: row.slippingSince ?? '',
        })
    }
    return found.sort((a, b) => b.revenue - a.revenue || (a.memberId < b.memberId ? -1 : 1))
  }
}

/**
 * The digest due at `now`: the last local `weekday` at `sendAt` not after now, named by its
 * local date, covering the seven local days before that date.
 */
export function dueWeek(config: Programme, now: Date): { week: string; from: string; to: string } {
  const { weekday, sendAt } = config.churnDigest
  const [hour, minute] = sendAt.split(':').map(Number) as [number, number]
  const local = DateTime.fromJSDate(now, { zone: config.timezone })
  let due = local.set({ hour, minute, second: 0, millisecond: 0 })
  due = due.minus({ days: (due.weekday - weekday + 7) % 7 })
  if (due > local) due = due.minus({ weeks: 1 })
  const end = due.startOf('day')
  return {
    week: end.toISODate()!,
    from: end.minus({ days: 7 }).toUTC().toISO()!,
    to: end.toUTC().toISO()!,
  }
}

const TEXTS: Record<Locale, { head: string; line: string; more: string; offer: string }> = {
  'zh-CN': {
    head: '【流失预警】本周有 {count} 位高价值会员开始消费放缓（距上次购买已超过其平时间隔的 {multiple} 倍）：',
    line: '{n}. {name}（{code}）· 累计消费 {revenue} · {days}天未购买',
    more: '……另有 {rest} 位',
    offer: '回复「流失预警」或 /slipping，可立即向他们发送唤醒消息。',
  },
  en: {
    head: 'Churn watch: {count} valuable members started slipping this week (away longer than {multiple}× their usual gap):',
    line: '{n}. {name} ({code}) · spent {revenue} · {days} days since the last purchase',
    more: '…and {rest} more',
    offer: 'Send /slipping (on WeChat: slipping) to send them the win-back step now.',
  },
}

/** The label of the digest's one-tap offer, in the pushed digest and in `/slipping` alike. */
export function winBackOfferLabel(count: number): LocalizedText {
  return { 'zh-CN': `立即发送唤醒（${count} 位）`, en: `Send the win-back now (${count})` }
}

function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => String(values[key] ?? ''))
}

function digestText(
  config: Programme,
  members: SlippingCustomer[],
  now: Date,
  hint = true,
): LocalizedText {
  const { top } = config.churnDigest
  const render = (locale: Locale) => {
    const texts = TEXTS[locale]
    const lines = [
      fill(texts.head, { count: members.length, multiple: config.segments.slipping.multiple }),
      ...members.slice(0, top).map((m, i) =>
        fill(texts.line, {
          n: i + 1,
          name: maskName(m.displayName),
          code: m.code,
          revenue: formatMoney(m.revenue, config.currency, locale),
          days: Math.floor((now.getTime() - Date.parse(m.lastPurchaseAt)) / 86_400_000),
        }),
      ),
    ]
    if (members.length > top) lines.push(fill(texts.more, { rest: members.length - top }))
    if (hint) lines.push(texts.offer)
    return lines.join('\n')
  }
  return { 'zh-CN': render('zh-CN'), en: render('en') }
}
