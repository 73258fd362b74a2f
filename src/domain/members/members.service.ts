import { z } from 'zod'
import { sql } from 'kysely'
import type { Db } from '../../../db/client.ts'
import { isUniqueViolation } from '../../../db/errors.ts'
import { prepared } from '../../../db/prepared.ts'
import { DomainError } from '../../shared/errors.ts'
import { newId, randomCode, sha256Hex } from '../../shared/ids.ts'
import type { DomainDeps } from '../context.ts'
import type { LedgerReason } from '../ledger/ledger.ts'
import { settleDebtFromLots } from '../ledger/ledger.service.ts'
import { type MemberRow, insertLedgerEntries, lockMembers } from '../ledger/ledger.repository.ts'
import { type Programme, addDays, lastLocalDay, tierIndex } from '../programme/programme.ts'
import type { ProgrammeService } from '../programme/programme.service.ts'
import { moveTags } from '../segments/tags.ts'
import { benefitLabels } from '../tiers/benefits.ts'
import { memberTierOutlook, reevaluateTier, tierOutlook, windowAt } from '../tiers/tiers.ts'
import { memberEventData, recordEvents } from '../webhooks/events.ts'
import {
  CHANNELS,
  type Channel,
  IDENTITY_FIELD,
  type IdentityField,
  type MemberRef,
  type MemberView,
  checkBirthday,
  identityRef,
  normalizeLocale,
  normalizeEmail,
  normalizePhone,
} from './members.ts'
import { type MemberSearch, identitiesOf, searchMembers } from './member-lookup.ts'

const MEMBER_CODE_LENGTH = 8
const BIND_CODE_LENGTH = 6
const BIND_CODE_VALID_MS = 10 * 60_000

export const registrationSchema = z.object({
  displayName: z.string().trim().min(1).max(100),
  phone: z.string().min(3).max(32).optional(),
  email: z.string().max(254).optional(),
  birthday: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
    .optional(),
  region: z.string().max(100).optional(),
  gender: z.enum(['female', 'male', 'other']).optional(),
  locale: z.string().max(35).optional(),
  sourceChannel: z.string().max(50).optional(),
  telegramId: z
    .string()
    .regex(/^\d{1,20}$/, 'a Telegram user id is digits')
    .optional(),
  wechatId: z.string().min(1).max(200).optional(),
  officialOpenId: z.string().min(1).max(200).optional(),
  externalId: z.string().min(1).max(200).optional(),
  referrerCode: z.string().min(1).max(32).optional(),
  inviteCode: z.string().max(100).optional(),
  marketingConsent: z.boolean().optional(),
  privacyConsent: z.boolean().optional(),
})
export type Registration = z.infer<typeof registrationSchema>

export const memberPatchSchema = registrationSchema
  .pick({
    displayName: true,
    phone: true,
    email: true,
    birthday: true,
    region: true,
    gender: true,
    locale: true,
    telegramId: true,
    wechatId: true,
    externalId: true,
    marketingConsent: true,
  })
  .partial()
  .extend({
    phone: z.string().min(3).max(32).nullable().optional(),
    email: z.string().max(254).nullable().optional(),
    birthday: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
      .nullable()
      .optional(),
    /** A tier set by hand: the member never holds less while it is set. null removes it. */
    tierFloorCode: z.string().nullable().optional(),
  })
export type MemberPatch = z.infer<typeof memberPatchSchema>

/** The member look-up's fixed-shape queries, compiled once (#15). */
const memberById = prepared((db, p: { id: string }) =>
  db.selectFrom('members').selectAll().where('id', '=', p.id),
)
const identitiesOfMember = prepared((db, p: { memberId: string }) =>
  db.selectFrom('memberIdentities').selectAll().where('memberId', '=', p.memberId),
)
// Lots past their expiry can no longer be spent, even before the expiry job closes them.
const spendableExpiringLots = prepared((db, p: { memberId: string; now: string }) =>
  db
    .selectFrom('pointLots')
    .select(['remaining', 'expiresAt'])
    .where('memberId', '=', p.memberId)
    .where('remaining', '>', 0)
    .where('expiresAt', 'is not', null)
    .where('expiresAt', '>', p.now)
    .orderBy('expiresAt'),
)
const pendingPointsOf = prepared((db, p: { memberId: string }) =>
  db
    .selectFrom('pendingPoints')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('points'), sql<number>`0`).as('total'))
    .where('memberId', '=', p.memberId)
    .where('status', '=', 'pending'),
)

export class MembersService {
  constructor(
    private readonly deps: DomainDeps,
    private readonly programmes: ProgrammeService,
  ) {}

  /**
   * Registers a member. With `enforceMembership` (members joining by themselves in a chat) a
   * restricted programme requires one of its invite codes; the merchant's API is trusted.
   * A phone or chat identity that already belongs to a member is `member_exists`.
   */
  async register(
    input: Registration,
    options: { enforceMembership?: boolean } = {},
  ): Promise<MemberView> {
    const { config: programme } = await this.programmes.current()
    if (options.enforceMembership && programme.membership.type === 'restricted') {
      if (!input.inviteCode)
        throw new DomainError('invite_required', 'this programme needs an invite code to join')
      if (!programme.membership.inviteCodes.includes(input.inviteCode.trim())) {
        throw new DomainError('invite_invalid', 'that invite code is not valid')
      }
    }
    const phone = input.phone ? normalizePhone(input.phone, programme.phoneRegion) : null
    const now = this.deps.clock.now()
    if (input.birthday) checkBirthday(input.birthday, programme.timezone, now)
    const id = await this.deps.store
      .transaction(async (trx) => {
        return this.insertMember(trx, programme, input, phone, now)
      })
      .catch((error: unknown) => {
        // Two registrations of the same phone or identity raced; the loser sees the winner.
        if (isUniqueViolation(error))
          throw new DomainError('member_exists', 'a member with these details already exists')
        throw error
      })
    return this.view(id)
  }

  /**
   * Inserts a member inside the caller's transaction (an import writes its other changes in
   * the same one). `code` keeps a member code from another system when it is free; `joinedAt`
   * keeps the date the member first joined there.
   */
  async insertMember(
    trx: Db,
    programme: Programme,
    input: Registration,
    phone: string | null,
    now: Date,
    carried: { code?: string; joinedAt?: string } = {},
  ): Promise<string> {
    const referrer = input.referrerCode
      ? await this.findByRef(trx, { code: input.referrerCode.trim().toUpperCase() })
      : undefined
    if (input.referrerCode && !referrer) {
      throw new DomainError('member_not_found', 'no member has that referral code', {
        field: 'referrerCode',
      })
    }
    if (referrer && (await this.sharesIdentity(trx, referrer, phone, input))) {
      throw new DomainError('self_referral', 'a member cannot refer themselves')
    }
    await this.assertIdentitiesFree(trx, phone, input)
    const id = newId('mem')
    const joinedAt = carried.joinedAt ?? now.toISOString()
    const window = windowAt(programme, new Date(joinedAt), now)
    const member = await trx
      .insertInto('members')
      .values({
        id,
        code: carried.code ?? (await this.unusedCode(trx)),
        displayName: input.displayName,
        phone,
        email: input.email ? normalizeEmail(input.email) : null,
        birthday: input.birthday ?? null,
        region: input.region ?? null,
        gender: input.gender ?? null,
        locale: normalizeLocale(input.locale, programme.defaultLocale),
        sourceChannel: input.sourceChannel ?? null,
        referrerId: referrer?.id ?? null,
        marketingConsent: input.marketingConsent ? 1 : 0,
        privacyConsentAt: input.privacyConsent ? now.toISOString() : null,
        status: 'active',
        mergedInto: null,
        tierCode: programme.tiers[0]!.code,
        tierFloorCode: null,
        tierRetainedCode: null,
        tierWindowStart: window.start,
        tierWindowEnd: window.end,
        pointsBalance: 0,
        pointsDebt: 0,
        lotteryChances: 0,
        externalId: input.externalId ?? null,
        joinedAt,
        updatedAt: now.toISOString(),
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    await recordEvents(
      trx,
      [{ type: 'member.created', orderKey: id, data: memberEventData(member) }],
      now,
    )
    // Registered with the identity: nobody linked it to an existing member.
    await this.addIdentities(trx, id, input, now, null)
    await trx
      .insertInto('tierChanges')
      .values({
        memberId: id,
        fromCode: null,
        toCode: programme.tiers[0]!.code,
        reason: 'joined',
        createdAt: now.toISOString(),
      })
      .execute()
    return id
  }

  /**
   * `actor` is who asks (`member:<id>`, `staff:<id>`, `api_key:<id>`): a chat identity the
   * patch adds is recorded as linked by them. `reason` is why staff correct a detail the member
   * set; changing a birthday that is set needs one.
   */
  async update(
    memberId: string,
    patch: MemberPatch,
    actor: string,
    reason?: string,
  ): Promise<MemberView> {
    const { config: programme } = await this.programmes.current()
    const phone = patch.phone ? normalizePhone(patch.phone, programme.phoneRegion) : patch.phone
    if (patch.tierFloorCode && tierIndex(programme, patch.tierFloorCode) < 0) {
      throw new DomainError('invalid_input', `no tier ${patch.tierFloorCode}`, {
        field: 'tierFloorCode',
      })
    }
    const now = this.deps.clock.now()
    await this.deps.store.transaction((trx) =>
      this.updateWithin(trx, memberId, { ...patch, phone }, programme, now, actor, reason),
    )
    return this.view(memberId)
  }

  /**
   * Applies a patch whose phone is already normalised, inside the caller's transaction, under
   * the member's lock; a phone or identity of another member is `member_exists`. A member sets
   * their birthday once (`birthday_locked` after); staff correct it with a reason, recorded.
   */
  async updateWithin(
    trx: Db,
    memberId: string,
    patch: MemberPatch,
    programme: Programme,
    now: Date,
    actor: string,
    reason?: string,
  ): Promise<void> {
    const phone = patch.phone
    const [member] = (await lockMembers(trx, [memberId])).values()
    await this.assertIdentitiesFree(trx, phone ?? null, patch, member!.id)
    if (patch.birthday !== undefined && patch.birthday !== member!.birthday) {
      await this.changeBirthday(trx, member!, patch.birthday, programme, now, actor, reason)
    }
    const updated = await trx
      .updateTable('members')
      .set({
        displayName: patch.displayName,
        phone,
        email: patch.email ? normalizeEmail(patch.email) : patch.email,
        birthday: patch.birthday,
        region: patch.region,
        gender: patch.gender,
        locale:
          patch.locale === undefined
            ? undefined
            : normalizeLocale(patch.locale, programme.defaultLocale),
        externalId: patch.externalId,
        marketingConsent:
          patch.marketingConsent === undefined ? undefined : patch.marketingConsent ? 1 : 0,
        tierFloorCode: patch.tierFloorCode,
        updatedAt: now.toISOString(),
      })
      .where('id', '=', memberId)
      .returningAll()
      .executeTakeFirstOrThrow()
    const changed = Object.keys(patch).filter(
      (field) => patch[field as keyof MemberPatch] !== undefined,
    )
    await recordEvents(
      trx,
      [
        {
          type: 'member.updated',
          orderKey: memberId,
          data: { ...memberEventData(updated), changed, actor },
        },
      ],
      now,
    )
    await this.addIdentities(trx, memberId, patch, now, actor)
    if (patch.tierFloorCode !== undefined) {
      await reevaluateTier(
        trx,
        { ...member!, tierFloorCode: patch.tierFloorCode },
        programme,
        now,
        'staff',
      )
    }
  }

  private async changeBirthday(
    trx: Db,
    member: MemberRow,
    birthday: string | null,
    programme: Programme,
    now: Date,
    actor: string,
    reason: string | undefined,
  ): Promise<void> {
    if (birthday !== null) checkBirthday(birthday, programme.timezone, now)
    if (member.birthday !== null && actor.startsWith('member:')) {
      throw new DomainError('birthday_locked', 'a birthday once set is corrected by the merchant')
    }
    if (member.birthday !== null && !reason?.trim()) {
      throw new DomainError('invalid_input', 'changing a birthday that is set needs a reason', {
        field: 'reason',
      })
    }
    await trx
      .insertInto('memberChanges')
      .values({
        memberId: member.id,
        field: 'birthday',
        fromValue: member.birthday,
        toValue: birthday,
        reason: reason?.trim() || null,
        actor,
        createdAt: now.toISOString(),
      })
      .execute()
  }

  /** Finds a member; a merged record leads to the member it was merged into. */
  async findByRef(db: Db, ref: MemberRef): Promise<MemberRow | undefined> {
    let row: MemberRow | undefined
    if ('id' in ref) row = await memberById.first(db, { id: ref.id })
    else if ('code' in ref)
      row = await db
        .selectFrom('members')
        .selectAll()
        .where('code', '=', ref.code.trim().toUpperCase())
        .executeTakeFirst()
    else if ('externalId' in ref)
      row = await db
        .selectFrom('members')
        .selectAll()
        .where('externalId', '=', ref.externalId)
        .executeTakeFirst()
    else if ('email' in ref) {
      let email: string
      try {
        email = normalizeEmail(ref.email)
      } catch {
        return undefined
      }
      row = await db
        .selectFrom('members')
        .selectAll()
        .where('email', '=', email)
        .where('status', '=', 'active')
        .executeTakeFirst()
    } else if ('phone' in ref) {
      const { config } = await this.programmes.current(db)
      let phone: string
      try {
        phone = normalizePhone(ref.phone, config.phoneRegion)
      } catch {
        return undefined
      }
      row = await db
        .selectFrom('members')
        .selectAll()
        .where('phone', '=', phone)
        .where('status', '=', 'active')
        .executeTakeFirst()
    } else {
      const [channel, externalId] =
        'telegramId' in ref
          ? ['telegram', ref.telegramId]
          : 'wechatId' in ref
            ? ['wechat', ref.wechatId]
            : ['wechat_official', ref.officialOpenId]
      row = await db
        .selectFrom('memberIdentities')
        .innerJoin('members', 'members.id', 'memberIdentities.memberId')
        .selectAll('members')
        .where('memberIdentities.channel', '=', channel)
        .where('memberIdentities.externalId', '=', externalId)
        .executeTakeFirst()
    }
    if (row?.mergedInto) return this.findByRef(db, { id: row.mergedInto })
    return row
  }

  /** Active members by part of their name and/or a tag (member-lookup.ts), newest first. */
  async search(search: MemberSearch): Promise<MemberView[]> {
    const ids = await searchMembers(this.deps.store.db, search)
    return Promise.all(ids.map((id) => this.view(id)))
  }

  /** A member's chat identities, who linked each, and the records merged into them. */
  async identities(ref: MemberRef) {
    const member = await this.require(ref)
    return identitiesOf(this.deps.store.db, member.id)
  }

  async require(ref: MemberRef, db: Db = this.deps.store.db): Promise<MemberRow> {
    const row = await this.findByRef(db, ref)
    if (!row) throw new DomainError('member_not_found', 'no member matches', { ref })
    return row
  }

  async get(ref: MemberRef): Promise<MemberView> {
    return this.viewOf(await this.require(ref))
  }

  async view(memberId: string, db: Db = this.deps.store.db): Promise<MemberView> {
    const member = await memberById.first(db, { id: memberId })
    if (!member) throw new DomainError('member_not_found', `no member ${memberId}`)
    return this.viewOf(member, db)
  }

  /**
   * The view of a member row the caller already holds, fresh in `db`: a look-up or an order
   * has just read or written it, so it is not read again. What the caller knows already (the
   * programme of the request, the tier window's value it has just summed) is not read again
   * either.
   */
  async viewOf(
    member: MemberRow,
    db: Db = this.deps.store.db,
    known: { programme?: Programme; windowValue?: number } = {},
  ): Promise<MemberView> {
    const programme = known.programme ?? (await this.programmes.current(db)).config
    const identities = await identitiesOfMember.all(db, { memberId: member.id })
    return {
      id: member.id,
      code: member.code,
      displayName: member.displayName,
      phone: member.phone,
      email: member.email,
      birthday: member.birthday,
      region: member.region,
      gender: member.gender,
      locale: member.locale,
      sourceChannel: member.sourceChannel,
      referrerId: member.referrerId,
      externalId: member.externalId,
      marketingConsent: member.marketingConsent === 1,
      privacyConsentAt: member.privacyConsentAt,
      status: member.status,
      telegramId: identities.find((i) => i.channel === 'telegram')?.externalId ?? null,
      wechatId: identities.find((i) => i.channel === 'wechat')?.externalId ?? null,
      officialOpenId: identities.find((i) => i.channel === 'wechat_official')?.externalId ?? null,
      lotteryChances: member.lotteryChances,
      joinedAt: member.joinedAt,
      tier: await this.tierView(db, member, programme, known.windowValue),
      points: await this.pointsView(db, member, programme),
    }
  }

  /**
   * Binds a second record of the same person (e.g. their WeChat record) into `targetId`:
   * lots move with their expiry, the balance and any debt move through a pair of `merge`
   * entries, orders, tags and tier history follow, and the tier is the better of the two.
   * `actor` (who merged them) is recorded on both entries and on the identities that moved.
   */
  async merge(sourceId: string, targetId: string, actor: string): Promise<MemberView> {
    if (sourceId === targetId)
      throw new DomainError('invalid_input', 'a member cannot be merged into itself')
    const { version, config: programme } = await this.programmes.current()
    const now = this.deps.clock.now()
    await this.deps.store.transaction(async (trx) => {
      const locked = await lockMembers(trx, [sourceId, targetId])
      const source = locked.get(sourceId)!
      let target = locked.get(targetId)!
      if (source.status !== 'active' || target.status !== 'active') {
        throw new DomainError('member_inactive', 'only active members can be merged')
      }
      const moved = source.pointsBalance
      for (const table of [
        'pointLots',
        'orders',
        'pendingPoints',
        'coupons',
        'redemptions',
        'tierChanges',
        'memberChanges',
      ] as const) {
        await trx
          .updateTable(table)
          .set({ memberId: targetId })
          .where('memberId', '=', sourceId)
          .execute()
      }
      await trx
        .updateTable('memberIdentities')
        .set({ memberId: targetId, linkedBy: actor })
        .where('memberId', '=', sourceId)
        .execute()
      await moveTags(trx, sourceId, targetId)
      await insertLedgerEntries(
        trx,
        [
          {
            memberId: sourceId,
            points: -moved,
            kind: 'merge',
            reason: 'merged_out' satisfies LedgerReason,
            note: null,
            sourceType: 'member',
            sourceId: targetId,
            idempotencyKey: `merge:${sourceId}:out`,
            programmeVersion: version,
            balanceAfter: 0,
            expiresAt: null,
            actor,
            createdAt: now.toISOString(),
          },
          {
            memberId: targetId,
            points: moved,
            kind: 'merge',
            reason: 'merged_in' satisfies LedgerReason,
            note: null,
            sourceType: 'member',
            sourceId,
            idempotencyKey: `merge:${sourceId}:in`,
            programmeVersion: version,
            balanceAfter: target.pointsBalance + moved,
            expiresAt: null,
            actor,
            createdAt: now.toISOString(),
          },
        ],
        now,
      )
      const better = (a: string | null, b: string | null) =>
        tierIndex(programme, a) >= tierIndex(programme, b) ? a : b
      await trx
        .updateTable('members')
        .set({
          status: 'merged',
          mergedInto: targetId,
          pointsBalance: 0,
          pointsDebt: 0,
          updatedAt: now.toISOString(),
        })
        .where('id', '=', sourceId)
        .execute()
      target = {
        ...target,
        pointsBalance: target.pointsBalance + moved,
        pointsDebt: target.pointsDebt + source.pointsDebt,
        tierCode: better(target.tierCode, source.tierCode)!,
        tierFloorCode: better(target.tierFloorCode, source.tierFloorCode),
        tierRetainedCode: better(target.tierRetainedCode, source.tierRetainedCode),
        tierRetainedCause:
          better(target.tierRetainedCode, source.tierRetainedCode) === target.tierRetainedCode
            ? target.tierRetainedCause
            : source.tierRetainedCause,
        lotteryChances: target.lotteryChances + source.lotteryChances,
      }
      await trx
        .updateTable('members')
        .set({
          pointsBalance: target.pointsBalance,
          pointsDebt: target.pointsDebt,
          tierCode: target.tierCode,
          tierFloorCode: target.tierFloorCode,
          tierRetainedCode: target.tierRetainedCode,
          tierRetainedCause: target.tierRetainedCause,
          // The birthday multiplier paid to either record counts for the merged member.
          birthdayBonusYear:
            Math.max(target.birthdayBonusYear ?? 0, source.birthdayBonusYear ?? 0) || null,
          lotteryChances: target.lotteryChances,
          phone: target.phone ?? source.phone,
          email: target.email ?? source.email,
          birthday: target.birthday ?? source.birthday,
          marketingConsent: Math.max(target.marketingConsent, source.marketingConsent),
          updatedAt: now.toISOString(),
        })
        .where('id', '=', targetId)
        .execute()
      await settleDebtFromLots(trx, target, now)
    })
    return this.view(targetId)
  }

  /**
   * Records that a chat identity blocked the bot (or unblocked it): campaigns skip an
   * unreachable identity. Unknown identities are ignored.
   */
  async setReachable(channel: Channel, externalId: string, reachable: boolean): Promise<void> {
    await this.deps.store.db
      .updateTable('memberIdentities')
      .set({ unreachableAt: reachable ? null : this.deps.clock.now().toISOString() })
      .where('channel', '=', channel)
      .where('externalId', '=', externalId)
      .execute()
  }

  /**
   * Records that the holder of a chat identity wrote to us now; unknown identities are ignored.
   * A platform that lets us write back only for a while after (the Official Account) reads it.
   */
  async touch(channel: Channel, externalId: string): Promise<void> {
    await this.deps.store.db
      .updateTable('memberIdentities')
      .set({ lastInboundAt: this.deps.clock.now().toISOString() })
      .where('channel', '=', channel)
      .where('externalId', '=', externalId)
      .execute()
  }

  /** When the holder of a chat identity last wrote to us, if we know. */
  async lastInboundAt(channel: Channel, externalId: string): Promise<Date | undefined> {
    const row = await this.deps.store.db
      .selectFrom('memberIdentities')
      .select('lastInboundAt')
      .where('channel', '=', channel)
      .where('externalId', '=', externalId)
      .executeTakeFirst()
    return row?.lastInboundAt ? new Date(row.lastInboundAt) : undefined
  }

  /** A one-time code, valid ten minutes, that the member sends from their other chat app. */
  async createBindCode(memberId: string): Promise<{ code: string; expiresAt: string }> {
    const now = this.deps.clock.now()
    const code = randomCode(BIND_CODE_LENGTH)
    const expiresAt = new Date(now.getTime() + BIND_CODE_VALID_MS).toISOString()
    await this.deps.store.db
      .insertInto('bindCodes')
      .values({
        codeHash: sha256Hex(code),
        memberId,
        createdAt: now.toISOString(),
        expiresAt,
        usedAt: null,
      })
      .execute()
    return { code, expiresAt }
  }

  /**
   * Links a chat identity to the member who issued `code`, once. When the identity already
   * has its own member record, that record is merged into the issuer's (lots, expiry, orders
   * and tier history kept); the issuer's record, member code and id stay. `merged` tells the
   * two apart; either way the issuer, through their code, is recorded as who did it.
   */
  async bind(
    code: string,
    channel: Channel,
    externalId: string,
  ): Promise<{ member: MemberView; merged: boolean }> {
    const now = this.deps.clock.now().toISOString()
    const claimed = await this.deps.store.db
      .updateTable('bindCodes')
      .set({ usedAt: now })
      .where('codeHash', '=', sha256Hex(code.trim().toUpperCase()))
      .where('usedAt', 'is', null)
      .where('expiresAt', '>', now)
      .returning('memberId')
      .executeTakeFirst()
    if (!claimed)
      throw new DomainError('invite_invalid', 'this binding code is unknown, used or expired')
    const target = await this.require({ id: claimed.memberId })
    const current = await this.findByRef(this.deps.store.db, identityRef(channel, externalId))
    if (current?.id === target.id) return { member: await this.view(target.id), merged: false }
    const actor = `member:${target.id}`
    if (current) return { member: await this.merge(current.id, target.id, actor), merged: true }
    await this.addIdentities(
      this.deps.store.db,
      target.id,
      { [IDENTITY_FIELD[channel]]: externalId },
      new Date(now),
      actor,
    )
    return { member: await this.view(target.id), merged: false }
  }

  private async tierView(
    db: Db,
    member: MemberRow,
    programme: Programme,
    windowValue?: number,
  ): Promise<MemberView['tier']> {
    const { outlook, value } =
      windowValue === undefined
        ? await memberTierOutlook(db, member, programme)
        : { outlook: tierOutlook(programme, member, windowValue), value: windowValue }
    const { tier } = outlook
    const next = programme.tiers[tierIndex(programme, tier.code) + 1]
    return {
      code: tier.code,
      name: tier.name,
      multiplierPercent: tier.multiplierPercent,
      benefits: benefitLabels(tier),
      floorCode: member.tierFloorCode,
      windowStart: member.tierWindowStart,
      windowEnd: member.tierWindowEnd,
      progress: {
        basis: programme.tierRules.basis,
        value,
        next: next
          ? {
              code: next.code,
              name: next.name,
              threshold: next.threshold,
              remaining: Math.max(0, next.threshold - value),
            }
          : null,
      },
      outlook: {
        heldBy: outlook.heldBy,
        lastDay: outlook.lastDay,
        keepNeeds: outlook.keepNeeds,
        after: { code: outlook.after.code, name: outlook.after.name },
      },
    }
  }

  private async pointsView(
    db: Db,
    member: MemberRow,
    programme: Programme,
  ): Promise<MemberView['points']> {
    const now = this.deps.clock.now()
    const before = addDays(now, programme.expiringSoonDays).toISOString()
    const lots = await spendableExpiringLots.all(db, {
      memberId: member.id,
      now: now.toISOString(),
    })
    const first = lots[0]
    const pending = (await pendingPointsOf.first(db, { memberId: member.id }))!
    return {
      balance: member.pointsBalance,
      debt: member.pointsDebt,
      pending: Number(pending.total),
      expiringSoon: lots
        .filter((lot) => lot.expiresAt! < before)
        .reduce((sum, lot) => sum + lot.remaining, 0),
      expiringSoonBefore: before,
      nextExpiry: first
        ? {
            at: first.expiresAt!,
            lastDay: lastLocalDay(first.expiresAt!, programme.timezone),
            points: lots
              .filter((l) => l.expiresAt === first.expiresAt)
              .reduce((s, l) => s + l.remaining, 0),
          }
        : null,
    }
  }

  /** A member code no member has: a new member's, or an erased member's replacement. */
  async unusedCode(db: Db): Promise<string> {
    for (;;) {
      const code = randomCode(MEMBER_CODE_LENGTH)
      const taken = await db
        .selectFrom('members')
        .select('id')
        .where('code', '=', code)
        .executeTakeFirst()
      if (!taken) return code
    }
  }

  private async sharesIdentity(
    db: Db,
    referrer: MemberRow,
    phone: string | null,
    input: Registration,
  ): Promise<boolean> {
    if (phone && referrer.phone === phone) return true
    const identities = await db
      .selectFrom('memberIdentities')
      .selectAll()
      .where('memberId', '=', referrer.id)
      .execute()
    return identities.some(
      (i) =>
        (i.channel === 'telegram' && i.externalId === input.telegramId) ||
        (i.channel === 'wechat' && i.externalId === input.wechatId) ||
        (i.channel === 'wechat_official' && i.externalId === input.officialOpenId),
    )
  }

  private async assertIdentitiesFree(
    db: Db,
    phone: string | null,
    input: Partial<Record<IdentityField, string>> & {
      externalId?: string | null
      email?: string | null
    },
    self?: string,
  ): Promise<void> {
    const checks: [string, MemberRef | null][] = [
      ['phone', phone ? { phone } : null],
      ['email', input.email ? { email: input.email } : null],
      ['telegramId', input.telegramId ? { telegramId: input.telegramId } : null],
      ['wechatId', input.wechatId ? { wechatId: input.wechatId } : null],
      ['officialOpenId', input.officialOpenId ? { officialOpenId: input.officialOpenId } : null],
      ['externalId', input.externalId ? { externalId: input.externalId } : null],
    ]
    for (const [field, ref] of checks) {
      if (!ref) continue
      const holder = await this.findByRef(db, ref)
      if (holder && holder.id !== self) {
        throw new DomainError('member_exists', `a member with this ${field} already exists`, {
          field,
          memberId: holder.id,
        })
      }
    }
  }

  private async addIdentities(
    db: Db,
    memberId: string,
    input: Partial<Record<IdentityField, string>>,
    now: Date,
    linkedBy: string | null,
  ): Promise<void> {
    const rows = CHANNELS.map((channel) => [channel, input[IDENTITY_FIELD[channel]]] as const)
      .filter(([, externalId]) => externalId)
      .map(([channel, externalId]) => ({
        channel,
        externalId: externalId!,
        memberId,
        createdAt: now.toISOString(),
        linkedBy,
      }))
    if (rows.length === 0) return
    try {
      await db
        .insertInto('memberIdentities')
        .values(rows)
        .onConflict((oc) => oc.columns(['channel', 'externalId']).doNothing())
        .execute()
    } catch (error) {
      if (isUniqueViolation(error))
        throw new DomainError('identity_taken', 'that chat identity belongs to another member')
      throw error
    }
  }
}
