import { z } from 'zod'
import type { Selectable } from 'kysely'
import type { RewardsTable } from '../../../db/schema/rewards.ts'
import { isUniqueViolation } from '../../../db/errors.ts'
import { DomainError } from '../../shared/errors.ts'
import { newId, randomCode } from '../../shared/ids.ts'
import type { Db } from '../../../db/client.ts'
import { recordEvents } from '../webhooks/events.ts'
import type { DomainDeps } from '../context.ts'
import { replayOrRefuse } from '../idempotency.ts'
import { type MemberRow, lockMember } from '../ledger/ledger.repository.ts'
import { debit } from '../ledger/ledger.service.ts'
import type { MemberView } from '../members/members.ts'
import type { MembersService } from '../members/members.service.ts'
import {
  type LocalizedText,
  type Programme,
  addDays,
  localize,
  merchantText,
  storedText,
  tierIndex,
} from '../programme/programme.ts'
import type { ProgrammeService } from '../programme/programme.service.ts'
import { holdTier } from '../tiers/tiers.ts'
import { type RewardRefusal, rewardRefusal } from './eligibility.ts'
import { receivedBy, takeUnit } from './stock.ts'

export const REWARD_KINDS = [
  'gift',
  'coupon',
  'cash_offset',
  'free_shipping',
  'tier_upgrade',
  'lottery_chance',
] as const
/** Kinds whose redemption hands the member a code to show at the counter or at checkout. */
const KINDS_WITH_CODE = new Set(['gift', 'coupon', 'cash_offset', 'free_shipping'])
const COUPON_CODE_LENGTH = 10

export const rewardInputSchema = z.object({
  name: merchantText(200),
  /** A blank string is no description, as before descriptions had two languages. */
  description: z
    .preprocess(
      (text) => (typeof text === 'string' && !text.trim() ? null : text),
      merchantText(2000).nullable(),
    )
    .optional(),
  kind: z.enum(REWARD_KINDS),
  pointsCost: z.number().int().min(0).max(1_000_000_000),
  /** Units left; null or absent is unlimited. An integer column: bounded below 2^31. */
  stock: z.number().int().min(0).max(1_000_000_000).nullable().optional(),
  minTierCode: z.string().nullable().optional(),
  perMemberLimit: z.number().int().min(1).max(1_000_000).nullable().optional(),
  /** Face value in minor units (coupons, cash offsets). */
  value: z.number().int().min(0).nullable().optional(),
  /** The tier a `tier_upgrade` reward grants. */
  tierCode: z.string().nullable().optional(),
  /** Days the issued code stays valid; absent is no expiry. */
  validDays: z.number().int().min(1).max(3650).nullable().optional(),
  /** false pauses it (not offered until set true again); retiring is DELETE, for good. */
  active: z.boolean().optional(),
  /** Offered from and until these instants; null or absent is no bound. */
  startsAt: z.iso.datetime({ offset: true }).nullable().optional(),
  endsAt: z.iso.datetime({ offset: true }).nullable().optional(),
})
/** What a client writes: a name may still be one plain string (see `merchantText`). */
export type RewardInput = z.input<typeof rewardInputSchema>
export const rewardPatchSchema = rewardInputSchema.partial()

export interface RewardView {
  id: string
  name: LocalizedText
  description: LocalizedText | null
  kind: string
  pointsCost: number
  stock: number | null
  issued: number
  minTierCode: string | null
  perMemberLimit: number | null
  value: number | null
  tierCode: string | null
  validDays: number | null
  active: boolean
  /** active: offered (within its dates); paused: can be offered again; retired: for good. */
  status: RewardStatus
  startsAt: string | null
  endsAt: string | null
  retiredAt: string | null
  /** Where its picture is served (cached for good: a new picture is a new address), or null. */
  imageUrl: string | null
  createdAt: string
  updatedAt: string
}

export const REWARD_STATUSES = ['active', 'paused', 'retired'] as const
export type RewardStatus = (typeof REWARD_STATUSES)[number]

/** The public address of a reward's picture: by its hash, so that it never changes meaning. */
export const rewardImagePath = (rewardId: string, sha256: string) =>
  `/media/rewards/${encodeURIComponent(rewardId)}/${sha256}`

/** A reward with why this member cannot redeem it now, or null when they can. */
export type RewardOffer = RewardView & { refusal: RewardRefusal | null }

export interface CouponView {
  code: string
  kind: string
  value: number | null
  status: 'issued' | 'used' | 'expired' | 'void'
  memberId: string
  rewardId: string
  rewardName: LocalizedText
  issuedAt: string
  expiresAt: string | null
  usedAt: string | null
}

export interface RedemptionResult {
  id: string
  rewardId: string
  points: number
  couponCode: string | null
  coupon: CouponView | null
  createdAt: string
  replayed: boolean
  member: MemberView
}

/**
 * Gives a member a reward they are entitled to (redeemed, or won in a lottery): records the
 * redemption, issues a code for rewards shown at a counter, lifts the tier for a tier upgrade,
 * adds a lottery chance. The caller holds the member's lock and has taken payment and stock.
 */
export async function grantReward(
  trx: Db,
  member: MemberRow,
  reward: Selectable<RewardsTable>,
  programme: Programme,
  grant: {
    redemptionId: string
    idempotencyKey: string
    points: number
    ledgerEntryId: number | null
    now: Date
  },
): Promise<{ couponId: string | null }> {
  const { redemptionId, now } = grant
  const couponId = KINDS_WITH_CODE.has(reward.kind) ? newId('cpn') : null
  await trx
    .insertInto('redemptions')
    .values({
      id: redemptionId,
      memberId: member.id,
      rewardId: reward.id,
      points: grant.points,
      ledgerEntryId: grant.ledgerEntryId,
      couponId,
      idempotencyKey: grant.idempotencyKey,
      status: 'completed',
      createdAt: now.toISOString(),
    })
    .execute()
  await recordEvents(
    trx,
    [
      {
        type: 'redemption.created',
        orderKey: member.id,
        data: {
          memberId: member.id,
          redemption: {
            id: redemptionId,
            rewardId: reward.id,
            rewardKind: reward.kind,
            points: grant.points,
            couponId,
            ledgerEntryId: grant.ledgerEntryId === null ? null : String(grant.ledgerEntryId),
          },
        },
      },
    ],
    now,
  )
  if (couponId) {
    await trx
      .insertInto('coupons')
      .values({
        id: couponId,
        code: randomCode(COUPON_CODE_LENGTH),
        memberId: member.id,
        rewardId: reward.id,
        redemptionId,
        kind: reward.kind,
        value: reward.value,
        status: 'issued',
        issuedAt: now.toISOString(),
        expiresAt: reward.validDays ? addDays(now, reward.validDays).toISOString() : null,
        usedAt: null,
        usedBy: null,
        useKey: null,
      })
      .execute()
  }
  if (reward.kind === 'tier_upgrade' && reward.tierCode) {
    await holdTier(trx, member, reward.tierCode, 'reward', programme, now)
  }
  if (reward.kind === 'lottery_chance') {
    await trx
      .updateTable('members')
      .set((eb) => ({ lotteryChances: eb('lotteryChances', '+', 1) }))
      .where('id', '=', member.id)
      .execute()
  }
  return { couponId }
}

function toView(row: Selectable<RewardsTable>): RewardView {
  const { nameJson, descriptionJson, imageSha256, ...rest } = row
  return {
    ...rest,
    name: storedText(nameJson),
    description: descriptionJson === null ? null : storedText(descriptionJson),
    active: row.active === 1,
    status: row.retiredAt ? 'retired' : row.active === 1 ? 'active' : 'paused',
    imageUrl: imageSha256 && rewardImagePath(row.id, imageSha256),
  }
}

/** An end before the start would make a reward that is never offered: refused instead. */
function checkDates(dates: { startsAt?: string | null; endsAt?: string | null }): void {
  const { startsAt, endsAt } = dates
  if (startsAt && endsAt && new Date(endsAt) <= new Date(startsAt))
    throw new DomainError('invalid_input', 'endsAt must be after startsAt', { field: 'endsAt' })
}

/** Instants are kept as the server writes them (UTC ISO), so that they compare as text. */
const instant = (value: string | null | undefined) =>
  value === undefined ? undefined : value && new Date(value).toISOString()

/** The reward's texts as columns: what a create or a change of them writes. */
function textColumns(input: { name?: LocalizedText; description?: LocalizedText | null }) {
  return {
    nameJson: input.name && JSON.stringify(input.name),
    descriptionJson:
      input.description === undefined
        ? undefined
        : input.description && JSON.stringify(input.description),
  }
}

/** What a change of a retired reward is refused with. */
export const retiredError = (id: string) =>
  new DomainError('reward_retired', `reward ${id} is retired and can no longer be changed`)

export class RewardsService {
  constructor(
    private readonly deps: DomainDeps,
    private readonly programmes: ProgrammeService,
    private readonly members: MembersService,
  ) {}

  async create(written: RewardInput): Promise<RewardView> {
    const input = rewardInputSchema.parse(written)
    await this.checkTiers(input)
    checkDates(input)
    const now = this.deps.clock.now().toISOString()
    const row = {
      id: newId('rwd'),
      nameJson: JSON.stringify(input.name),
      descriptionJson: input.description ? JSON.stringify(input.description) : null,
      kind: input.kind,
      pointsCost: input.pointsCost,
      stock: input.stock ?? null,
      issued: 0,
      minTierCode: input.minTierCode ?? null,
      perMemberLimit: input.perMemberLimit ?? null,
      value: input.value ?? null,
      tierCode: input.tierCode ?? null,
      validDays: input.validDays ?? null,
      active: input.active === false ? 0 : 1,
      startsAt: instant(input.startsAt) ?? null,
      endsAt: instant(input.endsAt) ?? null,
      retiredAt: null,
      imageSha256: null,
      createdAt: now,
      updatedAt: now,
    }
    await this.deps.store.db.insertInto('rewards').values(row).execute()
    return toView(row)
  }

  async update(id: string, written: z.input<typeof rewardPatchSchema>): Promise<RewardView> {
    const patch = rewardPatchSchema.parse(written)
    const current = await this.get(id)
    await this.checkTiers({ ...current, ...patch })
    checkDates({ ...current, ...patch })
    const { name, description, startsAt, endsAt, ...terms } = patch
    const changed = await this.deps.store.db
      .updateTable('rewards')
      .set({
        ...terms,
        ...textColumns({ name, description }),
        active: patch.active === undefined ? undefined : patch.active ? 1 : 0,
        startsAt: instant(startsAt),
        endsAt: instant(endsAt),
        updatedAt: this.deps.clock.now().toISOString(),
      })
      .where('id', '=', id)
      .where('retiredAt', 'is', null)
      .executeTakeFirst()
    if (Number(changed.numUpdatedRows) === 0) throw retiredError(id)
    return this.get(id)
  }

  /**
   * Retires a reward for good: nobody can redeem or win it any more and it cannot be changed or
   * offered again (pausing is `active: false`); codes already issued stay valid, and its
   * redemptions keep naming it. Retiring it again changes nothing.
   */
  async retire(id: string): Promise<RewardView> {
    const current = await this.get(id)
    if (current.status === 'retired') return current
    const now = this.deps.clock.now().toISOString()
    await this.deps.store.db
      .updateTable('rewards')
      .set({ active: 0, retiredAt: now, updatedAt: now })
      .where('id', '=', id)
      .where('retiredAt', 'is', null)
      .execute()
    return this.get(id)
  }

  async get(id: string): Promise<RewardView> {
    const row = await this.deps.store.db
      .selectFrom('rewards')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    if (!row) throw new DomainError('reward_not_found', `no reward ${id}`)
    return toView(row)
  }

  async list(options: { activeOnly?: boolean } = {}): Promise<RewardView[]> {
    let query = this.deps.store.db
      .selectFrom('rewards')
      .selectAll()
      .orderBy('pointsCost')
      .orderBy('createdAt')
    if (options.activeOnly) query = query.where('active', '=', 1)
    return (await query.execute()).map(toView)
  }

  /**
   * The active rewards as one member sees them, cheapest first: each with why they cannot
   * redeem it now, or null when they can. Chat and the mini-app offer only those with none.
   */
  async offersFor(memberId: string): Promise<RewardOffer[]> {
    const offers = await this.offers(memberId, await this.list({ activeOnly: true }))
    // Outside its dates a reward is not offered: members do not see it, as if paused.
    return offers.filter((offer) => offer.refusal?.code !== 'reward_inactive')
  }

  /** One reward as the member sees it, retired or not: what a redemption would answer now. */
  async offerFor(memberId: string, rewardId: string): Promise<RewardOffer> {
    const [offer] = await this.offers(memberId, [await this.get(rewardId)])
    return offer!
  }

  /**
   * A reward as it stands for members at large, before anyone's tier, limit or balance: the
   * console's preview. Refused only for what refuses everyone (paused, retired, outside its
   * dates, no stock left).
   */
  async offerToAnyone(rewardId: string): Promise<RewardOffer> {
    const [{ config }, reward] = await Promise.all([this.programmes.current(), this.get(rewardId)])
    return { ...reward, refusal: rewardRefusal(config, reward, null, this.deps.clock.now()) }
  }

  private async offers(memberId: string, rewards: RewardView[]): Promise<RewardOffer[]> {
    const [{ config }, member, received] = await Promise.all([
      this.programmes.current(),
      this.deps.store.db
        .selectFrom('members')
        .select(['tierCode', 'pointsBalance'])
        .where('id', '=', memberId)
        .executeTakeFirst(),
      receivedBy(this.deps.store.db, memberId),
    ])
    if (!member) throw new DomainError('member_not_found', `no member ${memberId}`)
    return rewards.map((reward) => ({
      ...reward,
      refusal: rewardRefusal(
        config,
        reward,
        { ...member, received: received.get(reward.id) ?? 0 },
        this.deps.clock.now(),
      ),
    }))
  }

  /**
   * Redeems a reward for a member in one transaction: the rules of `rewardRefusal` are checked
   * under the member's lock and the stock taken by an atomic decrement, so that concurrent
   * redeemers never oversell or overspend. A retry with the same `idempotencyKey` returns the
   * first redemption. Errors: reward_not_found, member_inactive, the codes of `rewardRefusal`,
   * idempotency_mismatch.
   */
  async redeem(
    memberId: string,
    rewardId: string,
    options: { idempotencyKey?: string; actor?: string } = {},
  ): Promise<RedemptionResult> {
    const key = options.idempotencyKey ? `${memberId}:${options.idempotencyKey}` : newId('rdk')
    const replay = await this.replayOf(key, memberId, rewardId)
    if (replay) return replay
    const { version, config: programme } = await this.programmes.current()
    const now = this.deps.clock.now()
    try {
      return await this.deps.store.transaction(async (trx) => {
        let member = await lockMember(trx, memberId)
        if (member.status !== 'active')
          throw new DomainError('member_inactive', 'this member record is no longer active')
        const reward = await trx
          .selectFrom('rewards')
          .selectAll()
          .where('id', '=', rewardId)
          .executeTakeFirst()
        if (!reward) throw new DomainError('reward_not_found', `no reward ${rewardId}`)
        const refusal = await takeUnit(trx, member, reward, programme, 'redemption', now)
        if (refusal) throw new DomainError(refusal.code, refusal.message, refusal.details)
        const id = newId('rdm')
        let ledgerEntryId: number | null = null
        if (reward.pointsCost > 0) {
          const posted = await debit(
            trx,
            member,
            {
              memberId,
              points: reward.pointsCost,
              kind: 'redeem',
              reason: 'reward',
              // The ledger keeps one text: the name in the programme's own language.
              note: localize(storedText(reward.nameJson), programme.defaultLocale),
              sourceType: 'redemption',
              sourceId: id,
              idempotencyKey: `redemption:${id}`,
              programmeVersion: version,
              actor: options.actor ?? null,
              allowDebt: false,
            },
            now,
          )
          member = posted.member
          ledgerEntryId = posted.entry.id
        }
        await grantReward(trx, member, reward, programme, {
          redemptionId: id,
          idempotencyKey: key,
          points: reward.pointsCost,
          ledgerEntryId,
          now,
        })
        return this.result(trx, id, false)
      })
    } catch (error) {
      if (isUniqueViolation(error)) {
        const again = await this.replayOf(key, memberId, rewardId)
        if (again) return again
      }
      throw error
    }
  }

  /** What a counter sees when scanning a code; never changes it. */
  async verifyCoupon(code: string): Promise<CouponView> {
    const row = await this.couponRow(code)
    return this.couponView(row)
  }

  /**
   * Uses a coupon once: an atomic conditional update, so that two tills scanning the same code
   * at once cannot both accept it. A retry with the same `idempotencyKey` (a lost answer, a
   * double tap) gets the first use back instead of coupon_used. Errors: coupon_not_found,
   * coupon_used, coupon_expired, coupon_void, idempotency_mismatch (the key used another coupon).
   */
  async useCoupon(
    code: string,
    usedBy: string,
    options: { idempotencyKey?: string } = {},
  ): Promise<CouponView> {
    const normalized = code.trim().toUpperCase()
    const key = options.idempotencyKey ?? null
    const replay = key ? await this.useReplayOf(key, normalized) : undefined
    if (replay) return replay
    const now = this.deps.clock.now().toISOString()
    let used: boolean
    try {
      used = await this.deps.store.transaction(async (trx) => {
        const coupon = await trx
          .updateTable('coupons')
          .set({ status: 'used', usedAt: now, usedBy, useKey: key })
          .where('code', '=', normalized)
          .where('status', '=', 'issued')
          .where((eb) => eb.or([eb('expiresAt', 'is', null), eb('expiresAt', '>', now)]))
          .returningAll()
          .executeTakeFirst()
        if (coupon)
          await recordEvents(
            trx,
            [
              {
                type: 'coupon.used',
                orderKey: coupon.memberId,
                data: {
                  memberId: coupon.memberId,
                  coupon: {
                    id: coupon.id,
                    code: coupon.code,
                    rewardId: coupon.rewardId,
                    redemptionId: coupon.redemptionId,
                    kind: coupon.kind,
                    value: coupon.value,
                    usedAt: now,
                    usedBy,
                  },
                },
              },
            ],
            new Date(now),
          )
        return coupon !== undefined
      })
    } catch (error) {
      if (!(key && isUniqueViolation(error))) throw error
      used = false
    }
    const row = await this.couponRow(normalized)
    if (!used) {
      // The same key may have used it a moment ago, in a request that raced this one.
      const raced = key ? await this.useReplayOf(key, normalized) : undefined
      if (raced) return raced
      const view = this.couponView(row)
      const code =
        view.status === 'used'
          ? 'coupon_used'
          : view.status === 'expired'
            ? 'coupon_expired'
            : 'coupon_void'
      throw new DomainError(code, `coupon ${normalized} is ${view.status}`, {
        usedAt: view.usedAt,
        expiresAt: view.expiresAt,
      })
    }
    return this.couponView(row)
  }

  private async useReplayOf(key: string, code: string): Promise<CouponView | undefined> {
    const first = await this.couponQuery().where('coupons.useKey', '=', key).executeTakeFirst()
    return replayOrRefuse(
      first,
      {
        sameRequest: (used) => used.code === code,
        refusal: 'this idempotency key was used for another coupon',
      },
      (used) => this.couponView(used),
    )
  }

  async couponsOf(memberId: string): Promise<CouponView[]> {
    const rows = await this.couponQuery()
      .where('coupons.memberId', '=', memberId)
      .orderBy('coupons.issuedAt', 'desc')
      .execute()
    return rows.map((row) => this.couponView(row))
  }

  private couponQuery() {
    return this.deps.store.db
      .selectFrom('coupons')
      .innerJoin('rewards', 'rewards.id', 'coupons.rewardId')
      .selectAll('coupons')
      .select('rewards.nameJson as rewardNameJson')
  }

  private async couponRow(code: string) {
    const row = await this.couponQuery()
      .where('coupons.code', '=', code.trim().toUpperCase())
      .executeTakeFirst()
    if (!row) throw new DomainError('coupon_not_found', 'no coupon has that code')
    return row
  }

  private couponView(row: Awaited<ReturnType<RewardsService['couponRow']>>): CouponView {
    const expired =
      row.status === 'issued' &&
      row.expiresAt !== null &&
      row.expiresAt <= this.deps.clock.now().toISOString()
    return {
      code: row.code,
      kind: row.kind,
      value: row.value,
      status: expired ? 'expired' : (row.status as CouponView['status']),
      memberId: row.memberId,
      rewardId: row.rewardId,
      rewardName: storedText(row.rewardNameJson),
      issuedAt: row.issuedAt,
      expiresAt: row.expiresAt,
      usedAt: row.usedAt,
    }
  }

  private async result(
    db: typeof this.deps.store.db,
    redemptionId: string,
    replayed: boolean,
  ): Promise<RedemptionResult> {
    const redemption = await db
      .selectFrom('redemptions')
      .selectAll()
      .where('id', '=', redemptionId)
      .executeTakeFirstOrThrow()
    const coupon = redemption.couponId
      ? await db
          .selectFrom('coupons')
          .innerJoin('rewards', 'rewards.id', 'coupons.rewardId')
          .selectAll('coupons')
          .select('rewards.nameJson as rewardNameJson')
          .where('coupons.id', '=', redemption.couponId)
          .executeTakeFirstOrThrow()
      : null
    return {
      id: redemption.id,
      rewardId: redemption.rewardId,
      points: redemption.points,
      couponCode: coupon?.code ?? null,
      coupon: coupon ? this.couponView(coupon) : null,
      createdAt: redemption.createdAt,
      replayed,
      member: await this.members.view(redemption.memberId, db),
    }
  }

  private async replayOf(
    key: string,
    memberId: string,
    rewardId: string,
  ): Promise<RedemptionResult | undefined> {
    const existing = await this.deps.store.db
      .selectFrom('redemptions')
      .selectAll()
      .where('idempotencyKey', '=', key)
      .executeTakeFirst()
    return replayOrRefuse(
      existing,
      {
        sameRequest: (first) => first.memberId === memberId && first.rewardId === rewardId,
        refusal: 'this idempotency key was used for another redemption',
      },
      (first) => this.result(this.deps.store.db, first.id, true),
    )
  }

  private async checkTiers(input: {
    minTierCode?: string | null
    tierCode?: string | null
    kind?: string
  }): Promise<void> {
    const { config } = await this.programmes.current()
    for (const field of ['minTierCode', 'tierCode'] as const) {
      const code = input[field]
      if (code && tierIndex(config, code) < 0)
        throw new DomainError('invalid_input', `no tier ${code}`, { field })
    }
    if (input.kind === 'tier_upgrade' && !input.tierCode) {
      throw new DomainError('invalid_input', 'a tier_upgrade reward names the tier it grants', {
        field: 'tierCode',
      })
    }
  }
}
