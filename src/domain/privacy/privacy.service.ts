import type { Db } from '../../../db/client.ts'
import { DomainError } from '../../shared/errors.ts'
import type { DomainDeps } from '../context.ts'
import type { LedgerReason } from '../ledger/ledger.ts'
import { dropHolds } from '../orders/pending-points.service.ts'
import { recordEvents, redactMemberEvents } from '../webhooks/events.ts'
import { type MemberRow, insertLedgerEntries, lockMember } from '../ledger/ledger.repository.ts'
import { expireDueLots } from '../ledger/ledger.service.ts'
import type { MembersService } from '../members/members.service.ts'
import type { MemberView } from '../members/members.ts'
import type { ProgrammeService } from '../programme/programme.service.ts'
import { localize, storedText } from '../programme/programme.ts'

/** What an erased member is called wherever a name is shown (exports, staff look-ups). */
export const ERASED_NAME = '(erased)'

/** Everything the programme holds about one member (个人数据副本), as they receive it. */
export interface MemberDataExport {
  exportedAt: string
  member: MemberView
  /** Other records of the same person that were merged into this one (e.g. a second chat app). */
  mergedRecords: {
    id: string
    displayName: string
    phone: string | null
    birthday: string | null
    joinedAt: string
  }[]
  chatIdentities: { channel: string; id: string; since: string }[]
  tags: string[]
  ledger: {
    at: string
    points: number
    balanceAfter: number
    kind: string
    reason: string
    note: string | null
    expiresAt: string | null
  }[]
  orders: {
    id: string
    placedAt: string
    amount: number
    currency: string
    refundedAmount: number
    status: string
    pointsEarned: number
    pointsRedeemed: number
    items: unknown
  }[]
  /** Points of orders held by an issuing cap, and what staff decided. */
  pointsHeld: {
    order: string
    points: number
    status: string
    at: string
    decidedAt: string | null
  }[]
  redemptions: { at: string; reward: string; points: number; status: string }[]
  coupons: {
    code: string
    reward: string
    status: string
    issuedAt: string
    expiresAt: string | null
    usedAt: string | null
  }[]
  tierChanges: { at: string; from: string | null; to: string; reason: string }[]
  /** Corrections of the member's details (the birthday), with who made them and why. */
  detailChanges: {
    at: string
    field: string
    from: string | null
    to: string | null
    reason: string | null
    by: string
  }[]
  quizzes: { quiz: string; correct: number; pointsAwarded: number; at: string }[]
  lotteryDraws: { lottery: string; prize: string; free: boolean; pointsPaid: number; at: string }[]
  surveyResponses: { survey: string; score: number; comment: string | null; at: string }[]
  messagesReceived: {
    campaignId: string | null
    channel: string
    status: string
    sentAt: string | null
  }[]
  membersReferred: number
}

export interface ErasureResult {
  memberId: string
  erasedAt: string
  /** Points outstanding at the erasure, forfeited by one ledger entry (negative: a debt written off). */
  pointsForfeited: number
  /** The member had been erased before; nothing changed. */
  alreadyErased: boolean
}

/**
 * A member's privacy requests: a copy of their data, and erasure (注销). Erasure keeps the
 * ledger, orders and stock counts the merchant's books need, under the member's id, and
 * removes or blanks everything that says who the member is (docs/programme-rules.md, "Privacy").
 */
export class PrivacyService {
  constructor(
    private readonly deps: DomainDeps,
    private readonly programmes: ProgrammeService,
    private readonly members: MembersService,
  ) {}

  /** The member's data; a member erased before has none left to give. */
  async exportMember(memberId: string): Promise<MemberDataExport> {
    const { db } = this.deps.store
    const member = await this.members.require({ id: memberId })
    if (member.status === 'erased')
      throw new DomainError('member_inactive', `member ${member.id} has been erased`)
    const ids = await recordsOf(db, member.id)
    // The member reads the file: the merchant's texts in the member's language.
    const text = (json: string) => localize(storedText(json), member.locale)
    const [
      identities,
      tags,
      ledger,
      orders,
      holds,
      redemptions,
      coupons,
      tiers,
      detailChanges,
      quizzes,
      draws,
      surveys,
      outbox,
    ] = await Promise.all([
      db.selectFrom('memberIdentities').selectAll().where('memberId', 'in', ids).execute(),
      db
        .selectFrom('memberTags')
        .select('tag')
        .where('memberId', 'in', ids)
        .orderBy('tag')
        .execute(),
      db
        .selectFrom('ledgerEntries')
        .selectAll()
        .where('memberId', 'in', ids)
        .orderBy('id')
        .execute(),
      db
        .selectFrom('orders')
        .selectAll()
        .where('memberId', 'in', ids)
        .orderBy('placedAt')
        .execute(),
      db
        .selectFrom('pendingPoints')
        .selectAll()
        .where('memberId', 'in', ids)
        .orderBy('createdAt')
        .execute(),
      db
        .selectFrom('redemptions')
        .innerJoin('rewards', 'rewards.id', 'redemptions.rewardId')
        .select([
          'redemptions.createdAt',
          'rewards.nameJson',
          'redemptions.points',
          'redemptions.status',
        ])
        .where('redemptions.memberId', 'in', ids)
        .orderBy('redemptions.createdAt')
        .execute(),
      db
        .selectFrom('coupons')
        .innerJoin('rewards', 'rewards.id', 'coupons.rewardId')
        .select([
          'coupons.code',
          'rewards.nameJson',
          'coupons.status',
          'coupons.issuedAt',
          'coupons.expiresAt',
          'coupons.usedAt',
        ])
        .where('coupons.memberId', 'in', ids)
        .orderBy('coupons.issuedAt')
        .execute(),
      db.selectFrom('tierChanges').selectAll().where('memberId', 'in', ids).orderBy('id').execute(),
      db
        .selectFrom('memberChanges')
        .selectAll()
        .where('memberId', 'in', ids)
        .orderBy('id')
        .execute(),
      db
        .selectFrom('quizAttempts')
        .innerJoin('quizzes', 'quizzes.id', 'quizAttempts.quizId')
        .select([
          'quizzes.titleJson',
          'quizAttempts.correct',
          'quizAttempts.pointsAwarded',
          'quizAttempts.startedAt',
        ])
        .where('quizAttempts.memberId', 'in', ids)
        .orderBy('quizAttempts.startedAt')
        .execute(),
      db
        .selectFrom('lotteryDraws')
        .innerJoin('lotteries', 'lotteries.id', 'lotteryDraws.lotteryId')
        .innerJoin('lotteryPrizes', 'lotteryPrizes.id', 'lotteryDraws.prizeId')
        .select([
          'lotteries.titleJson',
          'lotteryPrizes.nameJson',
          'lotteryDraws.free',
          'lotteryDraws.pointsPaid',
          'lotteryDraws.createdAt',
        ])
        .where('lotteryDraws.memberId', 'in', ids)
        .orderBy('lotteryDraws.createdAt')
        .execute(),
      db
        .selectFrom('surveyResponses')
        .innerJoin('surveys', 'surveys.id', 'surveyResponses.surveyId')
        .select([
          'surveys.titleJson',
          'surveyResponses.score',
          'surveyResponses.comment',
          'surveyResponses.createdAt',
        ])
        .where('surveyResponses.memberId', 'in', ids)
        .orderBy('surveyResponses.createdAt')
        .execute(),
      db
        .selectFrom('outbox')
        .select(['campaignId', 'channel', 'status', 'sentAt'])
        .where('memberId', 'in', ids)
        .orderBy('id')
        .execute(),
    ])
    const merged = await db
      .selectFrom('members')
      .select(['id', 'displayName', 'phone', 'birthday', 'joinedAt'])
      .where('id', 'in', ids)
      .where('id', '!=', member.id)
      .execute()
    const referred = await db
      .selectFrom('members')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('referrerId', 'in', ids)
      .executeTakeFirstOrThrow()
    return {
      exportedAt: this.deps.clock.now().toISOString(),
      member: await this.members.view(member.id),
      mergedRecords: merged,
      chatIdentities: identities.map((i) => ({
        channel: i.channel,
        id: i.externalId,
        since: i.createdAt,
      })),
      tags: tags.map((t) => t.tag),
      ledger: ledger.map((e) => ({
        at: e.createdAt,
        points: e.points,
        balanceAfter: e.balanceAfter,
        kind: e.kind,
        reason: e.reason,
        note: e.note,
        expiresAt: e.expiresAt,
      })),
      orders: orders.map((o) => ({
        id: o.id,
        placedAt: o.placedAt,
        amount: o.amount,
        currency: o.currency,
        refundedAmount: o.refundedAmount,
        status: o.status,
        pointsEarned: o.pointsEarned,
        pointsRedeemed: o.pointsRedeemed,
        items: JSON.parse(o.itemsJson) as unknown,
      })),
      pointsHeld: holds.map((h) => ({
        order: h.orderId,
        points: h.points,
        status: h.status,
        at: h.createdAt,
        decidedAt: h.decidedAt,
      })),
      redemptions: redemptions.map((r) => ({
        at: r.createdAt,
        reward: text(r.nameJson),
        points: r.points,
        status: r.status,
      })),
      coupons: coupons.map((c) => ({
        code: c.code,
        reward: text(c.nameJson),
        status: c.status,
        issuedAt: c.issuedAt,
        expiresAt: c.expiresAt,
        usedAt: c.usedAt,
      })),
      tierChanges: tiers.map((t) => ({
        at: t.createdAt,
        from: t.fromCode,
        to: t.toCode,
        reason: t.reason,
      })),
      detailChanges: detailChanges.map((d) => ({
        at: d.createdAt,
        field: d.field,
        from: d.fromValue,
        to: d.toValue,
        reason: d.reason,
        by: d.actor,
      })),
      quizzes: quizzes.map((q) => ({
        quiz: text(q.titleJson),
        correct: q.correct,
        pointsAwarded: q.pointsAwarded,
        at: q.startedAt,
      })),
      lotteryDraws: draws.map((d) => ({
        lottery: text(d.titleJson),
        prize: text(d.nameJson),
        free: d.free === 1,
        pointsPaid: d.pointsPaid,
        at: d.createdAt,
      })),
      surveyResponses: surveys.map((s) => ({
        survey: text(s.titleJson),
        score: s.score,
        comment: s.comment,
        at: s.createdAt,
      })),
      messagesReceived: outbox,
      membersReferred: Number(referred.n),
    }
  }

  /**
   * Erases a member (and the records merged into them) in one transaction: name, phone,
   * birthday, region, gender, external id, chat identities and their dialog state, tags,
   * survey comments, ledger notes and the member copies kept in order receipts are removed or
   * blanked; outstanding points are forfeited by a ledger entry (`erasure`), so that every
   * balance still equals its ledger; unused coupons are voided and queued messages dropped.
   * Erasing again changes nothing.
   */
  async erase(memberId: string, actor: string): Promise<ErasureResult> {
    const found = await this.members.require({ id: memberId })
    const { version } = await this.programmes.current()
    const now = this.deps.clock.now()
    const at = now.toISOString()
    return this.deps.store.transaction(async (trx) => {
      const member = await lockMember(trx, found.id)
      if (member.status === 'erased')
        return {
          memberId: member.id,
          erasedAt: member.updatedAt,
          pointsForfeited: 0,
          alreadyErased: true,
        }
      const ids = await recordsOf(trx, member.id)
      const forfeited = await forfeit(trx, member, version, actor, now)
      await dropHolds(trx, member, { actor, version, now })
      const identities = await trx
        .selectFrom('memberIdentities')
        .select(['channel', 'externalId'])
        .where('memberId', 'in', ids)
        .execute()
      const chats = identities.map((i) => ({ channel: i.channel, userId: i.externalId }))
      const console = await trx
        .selectFrom('members')
        .select('externalId')
        .where('id', 'in', ids)
        .where('externalId', 'like', 'console:%')
        .execute()
      for (const row of console)
        chats.push({ channel: 'console', userId: row.externalId!.slice(8) })
      for (const chat of chats) {
        await trx
          .deleteFrom('dialogStates')
          .where('channel', '=', chat.channel)
          .where('userId', '=', chat.userId)
          .execute()
        // The member's own chat id is the actor of what they did in chat (a redemption).
        await trx
          .updateTable('ledgerEntries')
          .set({ actor: 'member' })
          .where('actor', '=', `${chat.channel}:${chat.userId}`)
          .execute()
      }
      await trx.deleteFrom('memberIdentities').where('memberId', 'in', ids).execute()
      for (const table of ['bindCodes', 'miniappLinks', 'memberTags', 'memberSegments'] as const)
        await trx.deleteFrom(table).where('memberId', 'in', ids).execute()
      await trx
        .updateTable('surveyResponses')
        .set({ comment: null })
        .where('memberId', 'in', ids)
        .execute()
      await trx
        .updateTable('ledgerEntries')
        .set({ note: null })
        .where('memberId', 'in', ids)
        .where('note', 'is not', null)
        .execute()
      // A birthday correction holds the birthdays and the staff's free-text reason.
      await trx
        .updateTable('memberChanges')
        .set({ fromValue: null, toValue: null, reason: null })
        .where('memberId', 'in', ids)
        .execute()
      await trx
        .updateTable('coupons')
        .set({ status: 'void' })
        .where('memberId', 'in', ids)
        .where('status', '=', 'issued')
        .execute()
      await trx
        .updateTable('outbox')
        .set({ status: 'skipped', leaseOwner: null, leaseUntil: null })
        .where('memberId', 'in', ids)
        .where('status', 'in', ['pending', 'claimed', 'sending'])
        .execute()
      await trx
        .updateTable('outbox')
        .set({ recipient: 'erased', payloadJson: '{}', lastError: null })
        .where('memberId', 'in', ids)
        .execute()
      // Reminders name orders, products and parcels (a tracking number leads to an address).
      await trx
        .updateTable('reminders')
        .set({ status: 'cancelled', reason: 'erased' })
        .where('memberId', 'in', ids)
        .where('status', '=', 'scheduled')
        .execute()
      await trx
        .updateTable('reminders')
        .set({ subjectJson: '{}' })
        .where('memberId', 'in', ids)
        .execute()
      await trx
        .updateTable('orderEvents')
        .set({ detailsJson: '{}' })
        .where('orderId', 'in', (eb) =>
          eb.selectFrom('orders').select('orders.id').where('orders.memberId', 'in', ids),
        )
        .execute()
      for (const id of ids) {
        await trx
          .updateTable('members')
          .set({
            code: await this.members.unusedCode(trx),
            displayName: ERASED_NAME,
            phone: null,
            email: null,
            birthday: null,
            region: null,
            gender: null,
            externalId: null,
            marketingConsent: 0,
            privacyConsentAt: null,
            lotteryChances: 0,
            status: id === member.id ? 'erased' : 'merged',
            updatedAt: at,
          })
          .where('id', '=', id)
          .execute()
      }
      await redactMemberEvents(trx, ids)
      await recordEvents(
        trx,
        [
          {
            type: 'member.erased',
            orderKey: member.id,
            data: { memberId: member.id, erasedAt: at },
          },
        ],
        now,
      )
      // Order receipts keep the member as they were when the order was answered.
      const anonymous = await this.members.view(member.id, trx)
      const orders = await trx
        .selectFrom('orders')
        .select(['id', 'responseJson'])
        .where('memberId', 'in', ids)
        .execute()
      for (const order of orders) {
        if (!order.responseJson) continue
        const receipt = JSON.parse(order.responseJson) as Record<string, unknown>
        await trx
          .updateTable('orders')
          .set({ responseJson: JSON.stringify({ ...receipt, member: anonymous }) })
          .where('id', '=', order.id)
          .execute()
      }
      return { memberId: member.id, erasedAt: at, pointsForfeited: forfeited, alreadyErased: false }
    })
  }
}

/** The member and every record merged into them, however many merges deep. */
async function recordsOf(db: Db, memberId: string): Promise<string[]> {
  const ids = [memberId]
  for (let frontier = [memberId]; frontier.length > 0;) {
    const rows = await db
      .selectFrom('members')
      .select('id')
      .where('mergedInto', 'in', frontier)
      .execute()
    frontier = rows.map((r) => r.id).filter((id) => !ids.includes(id))
    ids.push(...frontier)
  }
  return ids
}

/**
 * Forfeits the member's outstanding points: lots left are closed as expired under one `expire`
 * entry, reason `erasure`; a debt is written off by an `adjust` entry with the same reason.
 * Returns the points forfeited (negative for a debt written off).
 */
async function forfeit(
  trx: Db,
  locked: MemberRow,
  version: number,
  actor: string,
  now: Date,
): Promise<number> {
  const member = await expireDueLots(trx, locked, now)
  const balance = member.pointsBalance
  if (balance === 0) return 0
  await insertLedgerEntries(
    trx,
    [
      {
        memberId: member.id,
        points: -balance,
        kind: balance > 0 ? 'expire' : 'adjust',
        reason: 'erasure' satisfies LedgerReason,
        note: null,
        sourceType: 'erasure',
        sourceId: member.id,
        idempotencyKey: `erasure:${member.id}`,
        programmeVersion: version,
        balanceAfter: 0,
        expiresAt: null,
        actor,
        createdAt: now.toISOString(),
      },
    ],
    now,
  )
  if (balance > 0) {
    await trx
      .updateTable('pointLots')
      .set((eb) => ({ expired: eb('expired', '+', eb.ref('remaining')), remaining: 0 }))
      .where('memberId', '=', member.id)
      .where('remaining', '>', 0)
      .execute()
  }
  await trx
    .updateTable('members')
    .set({ pointsBalance: 0, pointsDebt: 0 })
    .where('id', '=', member.id)
    .execute()
  return balance
}
