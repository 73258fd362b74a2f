import { randomInt } from 'node:crypto'
import type { Selectable } from 'kysely'
import { z } from 'zod'
import { hasStock, receivedBy, returnUnit, stockLessOne, takeUnit } from '../rewards/stock.ts'
import type { LotteriesTable, LotteryPrizesTable } from '../../../db/schema/engagement.ts'
import type { RewardsTable } from '../../../db/schema/rewards.ts'
import type { Db } from '../../../db/client.ts'
import { isUniqueViolation } from '../../../db/errors.ts'
import { DomainError } from '../../shared/errors.ts'
import { newId } from '../../shared/ids.ts'
import type { DomainDeps } from '../context.ts'
import { type MemberRow, lockMember } from '../ledger/ledger.repository.ts'
import { credit, debit } from '../ledger/ledger.service.ts'
import {
  type LocalizedText,
  type Programme,
  expiryFor,
  localDate,
  localize,
  merchantText,
  storedText,
} from '../programme/programme.ts'
import type { ProgrammeService } from '../programme/programme.service.ts'
import { rewardRefusal } from '../rewards/eligibility.ts'
import { grantReward } from '../rewards/rewards.service.ts'
import { available, odds, pickPrize, totalWeight } from './lottery.ts'
import { hasStarted } from './schedule.ts'

export const lotteryInputSchema = z
  .object({
    title: merchantText(200),
    /** Points per draw once the free draws of the day are used. 0: only free draws. */
    costPoints: z.number().int().min(0).max(1_000_000),
    freeDrawsPerDay: z.number().int().min(0).max(100).default(0),
    // The caps and the stock are integer columns: bounded well below 2^31, or PostgreSQL fails.
    maxDrawsPerMember: z.number().int().min(1).max(1_000_000).nullable().optional(),
    maxDrawsPerDay: z.number().int().min(1).max(1_000_000).nullable().optional(),
    opensAt: z.iso.datetime({ offset: true }),
    closesAt: z.iso.datetime({ offset: true }),
    prizes: z
      .array(
        z
          .object({
            name: merchantText(200),
            /** points: credited at once; reward: a reward of the catalogue (coupon, gift...); nothing. */
            kind: z.enum(['points', 'reward', 'nothing']),
            points: z.number().int().min(1).max(1_000_000).optional(),
            rewardId: z.string().optional(),
            weight: z.number().int().min(1).max(1_000_000),
            /** null or absent: unlimited. */
            stock: z.number().int().min(0).max(1_000_000_000).nullable().optional(),
          })
          .refine((p) => p.kind !== 'points' || p.points !== undefined, {
            message: 'a points prize says how many',
            path: ['points'],
          })
          .refine((p) => p.kind !== 'reward' || p.rewardId !== undefined, {
            message: 'a reward prize names the reward',
            path: ['rewardId'],
          }),
      )
      .min(1)
      .max(20),
  })
  .refine((l) => l.opensAt < l.closesAt, {
    message: 'closesAt is after opensAt',
    path: ['closesAt'],
  })
  .refine((l) => l.costPoints > 0 || l.freeDrawsPerDay > 0, {
    message: 'a lottery costs points or gives free draws',
    path: ['costPoints'],
  })

export type LotteryInput = z.infer<typeof lotteryInputSchema>

/**
 * A lottery's prizes as the merchant is still writing them: what their published odds depend
 * on. A weight of 0 is taken (a row being typed) and has no chance.
 */
export const draftOddsSchema = z.object({
  prizes: z
    .array(
      z.object({
        rewardId: z.string().min(1).nullable().optional(),
        weight: z.number().int().min(0).max(1_000_000),
        stock: z.number().int().min(0).max(1_000_000_000).nullable().optional(),
      }),
    )
    .min(1)
    .max(20),
})

export interface DraftOdds {
  /** True when no prize could be won: such a lottery is not offered. */
  exhausted: boolean
  /** Each prize's published chance, in the order sent. */
  probabilities: number[]
}

export interface PrizeView {
  id: string
  name: LocalizedText
  kind: string
  points: number | null
  rewardId: string | null
  weight: number
  stock: number | null
  won: number
  /** The published chance of winning this prize on the next draw. */
  probability: number
}

export interface LotteryView {
  id: string
  title: LocalizedText
  costPoints: number
  freeDrawsPerDay: number
  maxDrawsPerMember: number | null
  maxDrawsPerDay: number | null
  opensAt: string
  closesAt: string
  active: boolean
  /** No prize is left to give (to the member it was shown to): not offered, draws refused. */
  exhausted: boolean
  prizes: PrizeView[]
}

export interface DrawResult {
  drawId: string
  prize: { id: string; name: LocalizedText; kind: string; points: number | null }
  couponCode: string | null
  /** How this draw was paid: a free draw of the day, a lottery chance, or points. */
  paidWith: 'free' | 'chance' | 'points'
  pointsPaid: number
  balance: number
  replayed: boolean
}

const MAX_PICKS = 20

type PrizeRow = Selectable<LotteryPrizesTable>

/**
 * The prizes whose catalogue reward cannot be given now, as a redemption's rules say (no
 * stock, the member at its limit, a tier already held...): such a prize counts as out of
 * stock. With no member, only what nobody could receive. Also the reward rows, by id.
 */
async function ungivablePrizes(
  db: Db,
  prizes: Pick<PrizeRow, 'id' | 'rewardId'>[],
  member: MemberRow | null,
  programme: Programme,
  now: Date,
): Promise<{ ungivable: Set<string>; rewards: Map<string, Selectable<RewardsTable>> }> {
  const ids = [...new Set(prizes.flatMap((p) => (p.rewardId ? [p.rewardId] : [])))]
  if (ids.length === 0) return { ungivable: new Set(), rewards: new Map() }
  const [rows, received] = await Promise.all([
    db.selectFrom('rewards').selectAll().where('id', 'in', ids).execute(),
    member ? receivedBy(db, member.id) : new Map<string, number>(),
  ])
  const rewards = new Map(rows.map((row) => [row.id, row]))
  const ungivable = new Set<string>()
  for (const prize of prizes) {
    const reward = prize.rewardId ? rewards.get(prize.rewardId) : undefined
    if (!reward) continue
    const standing = member && { ...member, received: received.get(reward.id) ?? 0 }
    const terms = { ...reward, active: reward.active === 1 }
    if (rewardRefusal(programme, terms, standing, now, 'prize')) ungivable.add(prize.id)
  }
  return { ungivable, rewards }
}

/** The columns of a lottery's terms, as written by its create and its update. */
function termsOf(input: LotteryInput) {
  return {
    titleJson: JSON.stringify(input.title),
    costPoints: input.costPoints,
    freeDrawsPerDay: input.freeDrawsPerDay,
    maxDrawsPerMember: input.maxDrawsPerMember ?? null,
    maxDrawsPerDay: input.maxDrawsPerDay ?? null,
    opensAt: new Date(input.opensAt).toISOString(),
    closesAt: new Date(input.closesAt).toISOString(),
  }
}

function prizeRowsOf(lotteryId: string, input: LotteryInput) {
  return input.prizes.map((p, position) => ({
    id: newId('prz'),
    lotteryId,
    position,
    nameJson: JSON.stringify(p.name),
    kind: p.kind,
    points: p.kind === 'points' ? p.points! : null,
    rewardId: p.kind === 'reward' ? p.rewardId! : null,
    weight: p.weight,
    stock: p.stock ?? null,
    won: 0,
  }))
}

function toView(
  row: Selectable<LotteriesTable>,
  prizes: PrizeRow[],
  ungivable: ReadonlySet<string>,
): LotteryView {
  return {
    id: row.id,
    title: storedText(row.titleJson),
    costPoints: row.costPoints,
    freeDrawsPerDay: row.freeDrawsPerDay,
    maxDrawsPerMember: row.maxDrawsPerMember,
    maxDrawsPerDay: row.maxDrawsPerDay,
    opensAt: row.opensAt,
    closesAt: row.closesAt,
    active: row.active === 1,
    exhausted: available(prizes, ungivable).length === 0,
    prizes: odds(prizes, ungivable).map(({ lotteryId: _l, position: _p, nameJson, ...prize }) => ({
      ...prize,
      name: storedText(nameJson),
    })),
  }
}

/**
 * Lotteries (抽奖): fair and auditable. Each draw rolls crypto randomness against the
 * published weights of the prizes still in stock and is recorded with its roll; stock is an
 * atomic conditional decrement (a lost race rolls again), and payment and prize are one
 * transaction, so that concurrent draws never oversell and never charge without a prize.
 */
export class LotteriesService {
  constructor(
    private readonly deps: DomainDeps,
    private readonly programmes: ProgrammeService,
    private readonly random: (max: number) => number = randomInt,
  ) {}

  async create(written: z.input<typeof lotteryInputSchema>): Promise<LotteryView> {
    const input = await this.checked(written)
    const id = newId('lot')
    await this.deps.store.transaction(async (trx) => {
      await trx
        .insertInto('lotteries')
        .values({
          id,
          ...termsOf(input),
          active: 1,
          createdAt: this.deps.clock.now().toISOString(),
        })
        .execute()
      await trx.insertInto('lotteryPrizes').values(prizeRowsOf(id, input)).execute()
    })
    return this.get(id)
  }

  /**
   * Replaces a lottery's terms and prizes until it has started (`hasStarted`: its window
   * opened or someone drew); after that `already_started`, as its odds were published and
   * draws may refer to its prizes.
   */
  async update(id: string, written: z.input<typeof lotteryInputSchema>): Promise<LotteryView> {
    const input = await this.checked(written)
    await this.deps.store.transaction(async (trx) => {
      const lottery = await trx
        .selectFrom('lotteries')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst()
      if (!lottery) throw new DomainError('not_found', `no lottery ${id}`)
      const draws = await trx
        .selectFrom('lotteryDraws')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('lotteryId', '=', id)
        .executeTakeFirstOrThrow()
      const started = () =>
        new DomainError('already_started', 'this lottery has started and can no longer be changed')
      if (hasStarted(lottery, this.deps.clock.now(), Number(draws.n))) throw started()
      const changed = await trx
        .updateTable('lotteries')
        .set(termsOf(input))
        .where('id', '=', id)
        .where('opensAt', '=', lottery.opensAt)
        .executeTakeFirst()
      if (Number(changed.numUpdatedRows) === 0) throw started()
      await trx.deleteFrom('lotteryPrizes').where('lotteryId', '=', id).execute()
      await trx.insertInto('lotteryPrizes').values(prizeRowsOf(id, input)).execute()
    })
    return this.get(id)
  }

  /**
   * The published odds of prizes being written, by the rule of a live lottery's (`odds`): a
   * prize whose catalogue reward nobody could be given now has no chance.
   */
  async draftOdds(draft: z.input<typeof draftOddsSchema>): Promise<DraftOdds> {
    const prizes = draftOddsSchema.parse(draft).prizes.map((p, position) => ({
      id: String(position),
      rewardId: p.rewardId ?? null,
      weight: p.weight,
      stock: p.stock ?? null,
    }))
    const { config } = await this.programmes.current()
    const { ungivable } = await ungivablePrizes(
      this.deps.store.db,
      prizes,
      null,
      config,
      this.deps.clock.now(),
    )
    return {
      exhausted: available(prizes, ungivable).length === 0,
      probabilities: odds(prizes, ungivable).map((p) => p.probability),
    }
  }

  private async checked(written: z.input<typeof lotteryInputSchema>): Promise<LotteryInput> {
    const input = lotteryInputSchema.parse(written)
    for (const prize of input.prizes) {
      if (prize.kind !== 'reward') continue
      const reward = await this.deps.store.db
        .selectFrom('rewards')
        .select('id')
        .where('id', '=', prize.rewardId!)
        .executeTakeFirst()
      if (!reward)
        throw new DomainError('invalid_input', `no reward ${prize.rewardId}`, {
          field: 'prizes.rewardId',
        })
    }
    return input
  }

  async get(id: string): Promise<LotteryView> {
    const row = await this.deps.store.db
      .selectFrom('lotteries')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    if (!row) throw new DomainError('not_found', `no lottery ${id}`)
    const [view] = await this.views([row], null)
    return view!
  }

  /**
   * Lotteries with their odds. For `memberId`, as that member sees them: prizes they cannot
   * receive have no chance, and a lottery with none left for them is `exhausted`.
   */
  async list(options: { openOnly?: boolean; memberId?: string } = {}): Promise<LotteryView[]> {
    const now = this.deps.clock.now().toISOString()
    let query = this.deps.store.db.selectFrom('lotteries').selectAll().orderBy('closesAt')
    if (options.openOnly)
      query = query.where('active', '=', 1).where('opensAt', '<=', now).where('closesAt', '>', now)
    const member = options.memberId
      ? await this.deps.store.db
          .selectFrom('members')
          .selectAll()
          .where('id', '=', options.memberId)
          .executeTakeFirst()
      : null
    if (member === undefined)
      throw new DomainError('member_not_found', `no member ${options.memberId}`)
    return this.views(await query.execute(), member)
  }

  private async views(
    rows: Selectable<LotteriesTable>[],
    member: MemberRow | null,
  ): Promise<LotteryView[]> {
    const { config } = await this.programmes.current()
    return Promise.all(
      rows.map(async (row) => {
        const prizes = await this.prizes(row.id)
        const { ungivable } = await ungivablePrizes(
          this.deps.store.db,
          prizes,
          member,
          config,
          this.deps.clock.now(),
        )
        return toView(row, prizes, ungivable)
      }),
    )
  }

  /** Draws left for a member today: free ones, and whether paid ones are possible. */
  async allowance(memberId: string, lotteryId: string) {
    const lottery = await this.get(lotteryId)
    const { config } = await this.programmes.current()
    const day = localDate(this.deps.clock.now(), config.timezone)
    const draws = await this.deps.store.db
      .selectFrom('lotteryDraws')
      .select(['free', 'localDay'])
      .where('lotteryId', '=', lotteryId)
      .where('memberId', '=', memberId)
      .execute()
    const today = draws.filter((d) => d.localDay === day)
    return {
      freeLeftToday: Math.max(
        0,
        lottery.freeDrawsPerDay - today.filter((d) => d.free === 1).length,
      ),
      drawsLeftToday:
        lottery.maxDrawsPerDay === null ? null : Math.max(0, lottery.maxDrawsPerDay - today.length),
      drawsLeft:
        lottery.maxDrawsPerMember === null
          ? null
          : Math.max(0, lottery.maxDrawsPerMember - draws.length),
    }
  }

  /**
   * One draw for a member. Paid with, in order: a free draw of the day, a lottery chance
   * (bought as a reward), then `costPoints`. A prize of a catalogue reward takes its unit as a
   * redemption does (stock, per-member limit); one that cannot be given is out of stock for
   * this draw. Errors: closed, lottery_exhausted (nothing left this member can win; refused
   * before any write), limit_reached, insufficient_points, out_of_stock (the prizes ran out
   * while drawing). A retry with the same idempotency key returns the first draw.
   */
  async draw(
    memberId: string,
    lotteryId: string,
    options: { idempotencyKey?: string } = {},
  ): Promise<DrawResult> {
    const key = options.idempotencyKey ? `${memberId}:${options.idempotencyKey}` : newId('drk')
    const replay = await this.replayOf(key)
    if (replay) return replay
    const { version, config: programme } = await this.programmes.current()
    const now = this.deps.clock.now()
    const nowIso = now.toISOString()
    const day = localDate(now, programme.timezone)
    try {
      return await this.deps.store.transaction(async (trx) => {
        let member = await lockMember(trx, memberId)
        const lottery = await trx
          .selectFrom('lotteries')
          .selectAll()
          .where('id', '=', lotteryId)
          .executeTakeFirst()
        if (!lottery) throw new DomainError('not_found', `no lottery ${lotteryId}`)
        if (lottery.active !== 1 || nowIso < lottery.opensAt || nowIso >= lottery.closesAt) {
          throw new DomainError('closed', 'this lottery is not open')
        }
        const title = localize(storedText(lottery.titleJson), member.locale)
        const exhausted = () =>
          new DomainError('lottery_exhausted', `${title} has no prize left to give`, { title })
        const prizeRows = () =>
          trx
            .selectFrom('lotteryPrizes')
            .selectAll()
            .where('lotteryId', '=', lotteryId)
            .orderBy('position')
            .execute()
        const prizes = await prizeRows()
        const { ungivable, rewards } = await ungivablePrizes(trx, prizes, member, programme, now)
        if (available(prizes, ungivable).length === 0) throw exhausted()
        const draws = await trx
          .selectFrom('lotteryDraws')
          .select(['free', 'localDay'])
          .where('lotteryId', '=', lotteryId)
          .where('memberId', '=', memberId)
          .execute()
        const today = draws.filter((d) => d.localDay === day)
        if (lottery.maxDrawsPerMember !== null && draws.length >= lottery.maxDrawsPerMember) {
          throw new DomainError(
            'limit_reached',
            `at most ${lottery.maxDrawsPerMember} draws per member`,
          )
        }
        if (lottery.maxDrawsPerDay !== null && today.length >= lottery.maxDrawsPerDay) {
          throw new DomainError('limit_reached', `at most ${lottery.maxDrawsPerDay} draws a day`)
        }
        const id = newId('drw')
        let paidWith: DrawResult['paidWith']
        let pointsPaid = 0
        if (today.filter((d) => d.free === 1).length < lottery.freeDrawsPerDay) {
          paidWith = 'free'
        } else if (member.lotteryChances > 0) {
          paidWith = 'chance'
          await trx
            .updateTable('members')
            .set((eb) => ({ lotteryChances: eb('lotteryChances', '-', 1) }))
            .where('id', '=', memberId)
            .execute()
          member = { ...member, lotteryChances: member.lotteryChances - 1 }
        } else if (lottery.costPoints > 0) {
          paidWith = 'points'
          pointsPaid = lottery.costPoints
          member = (
            await debit(
              trx,
              member,
              {
                memberId,
                points: pointsPaid,
                kind: 'redeem',
                reason: 'lottery',
                // The ledger keeps one text: the name in the programme's own language.
                note: localize(storedText(lottery.titleJson), programme.defaultLocale),
                sourceType: 'lottery_draw',
                sourceId: id,
                idempotencyKey: `lottery:${id}:pay`,
                programmeVersion: version,
                allowDebt: false,
              },
              now,
            )
          ).member
        } else {
          throw new DomainError('limit_reached', 'no free draws left today')
        }

        let won: PrizeRow | undefined
        let roll = 0
        let total = 0
        for (let pick = 0; pick < MAX_PICKS && !won; pick++) {
          const live = available(await prizeRows(), ungivable)
          total = totalWeight(live)
          if (total === 0) throw exhausted()
          roll = this.random(total)
          const candidate = pickPrize(live, roll)
          const reward = candidate.rewardId ? rewards.get(candidate.rewardId) : undefined
          // The reward's unit first: a refusal takes no lock, so a draw holding a prize's row
          // never waits for a reward's. A reward that cannot be given is out of stock here.
          if (reward && (await takeUnit(trx, member, reward, programme, 'prize', now))) {
            ungivable.add(candidate.id)
            continue
          }
          const taken = await trx
            .updateTable('lotteryPrizes')
            .set((eb) => ({
              stock: stockLessOne,
              won: eb('won', '+', 1),
            }))
            .where('id', '=', candidate.id)
            .where(hasStock)
            .executeTakeFirst()
          if (Number(taken.numUpdatedRows) === 1) won = candidate
          // Another draw took the prize's last one between our read and our write: roll again.
          else if (reward) await returnUnit(trx, reward.id)
        }
        if (!won)
          throw new DomainError(
            'out_of_stock',
            'the prizes ran out while drawing; please try again',
          )

        let couponId: string | null = null
        if (won.kind === 'points' && won.points) {
          member = (
            await credit(
              trx,
              member,
              {
                memberId,
                points: won.points,
                kind: 'earn',
                reason: 'lottery_prize',
                note: localize(storedText(won.nameJson), programme.defaultLocale),
                sourceType: 'lottery_draw',
                sourceId: id,
                idempotencyKey: `lottery:${id}:prize`,
                programmeVersion: version,
                expiresAt: expiryFor(programme.expiry, now, programme.timezone),
              },
              now,
            )
          ).member
        }
        const reward = won.rewardId ? rewards.get(won.rewardId) : undefined
        if (reward) {
          couponId = (
            await grantReward(trx, member, reward, programme, {
              redemptionId: newId('rdm'),
              idempotencyKey: `lottery:${id}`,
              points: 0,
              ledgerEntryId: null,
              now,
            })
          ).couponId
        }
        await trx
          .insertInto('lotteryDraws')
          .values({
            id,
            lotteryId,
            memberId,
            prizeId: won.id,
            free: paidWith === 'free' ? 1 : 0,
            pointsPaid,
            roll,
            totalWeight: total,
            couponId,
            fulfilledAt: null,
            fulfilledBy: null,
            idempotencyKey: key,
            localDay: day,
            createdAt: nowIso,
          })
          .execute()
        return this.result(trx, id, paidWith, false)
      })
    } catch (error) {
      if (isUniqueViolation(error)) {
        const again = await this.replayOf(key)
        if (again) return again
      }
      throw error
    }
  }

  /** Every draw, or only the winners, newest first, for the merchant to see and fulfil. */
  async draws(lotteryId: string, options: { winnersOnly?: boolean } = {}) {
    let query = this.deps.store.db
      .selectFrom('lotteryDraws')
      .innerJoin('lotteryPrizes', 'lotteryPrizes.id', 'lotteryDraws.prizeId')
      .innerJoin('members', 'members.id', 'lotteryDraws.memberId')
      .leftJoin('coupons', 'coupons.id', 'lotteryDraws.couponId')
      .select([
        'lotteryDraws.id',
        'lotteryDraws.createdAt',
        'lotteryDraws.roll',
        'lotteryDraws.totalWeight',
        'lotteryDraws.pointsPaid',
        'lotteryDraws.fulfilledAt',
        'lotteryPrizes.nameJson as prizeJson',
        'lotteryPrizes.kind',
        'members.id as memberId',
        'members.displayName',
        'members.code as memberCode',
        'members.phone',
        'coupons.code as couponCode',
        'coupons.status as couponStatus',
      ])
      .where('lotteryDraws.lotteryId', '=', lotteryId)
      .orderBy('lotteryDraws.createdAt', 'desc')
    if (options.winnersOnly) query = query.where('lotteryPrizes.kind', '!=', 'nothing')
    return (await query.execute()).map(({ prizeJson, ...draw }) => ({
      ...draw,
      prize: storedText(prizeJson),
    }))
  }

  /** Marks a won gift as handed over or shipped. */
  async fulfil(drawId: string, by: string) {
    const updated = await this.deps.store.db
      .updateTable('lotteryDraws')
      .set({ fulfilledAt: this.deps.clock.now().toISOString(), fulfilledBy: by })
      .where('id', '=', drawId)
      .where('fulfilledAt', 'is', null)
      .executeTakeFirst()
    if (Number(updated.numUpdatedRows) === 0) {
      const exists = await this.deps.store.db
        .selectFrom('lotteryDraws')
        .select('id')
        .where('id', '=', drawId)
        .executeTakeFirst()
      throw exists
        ? new DomainError('already_done', 'this prize was already fulfilled')
        : new DomainError('not_found', `no draw ${drawId}`)
    }
  }

  private prizes(lotteryId: string) {
    return this.deps.store.db
      .selectFrom('lotteryPrizes')
      .selectAll()
      .where('lotteryId', '=', lotteryId)
      .orderBy('position')
      .execute()
  }

  private async result(
    db: DomainDeps['store']['db'],
    drawId: string,
    paidWith: DrawResult['paidWith'] | null,
    replayed: boolean,
  ): Promise<DrawResult> {
    const row = await db
      .selectFrom('lotteryDraws')
      .innerJoin('lotteryPrizes', 'lotteryPrizes.id', 'lotteryDraws.prizeId')
      .innerJoin('members', 'members.id', 'lotteryDraws.memberId')
      .leftJoin('coupons', 'coupons.id', 'lotteryDraws.couponId')
      .select([
        'lotteryDraws.id',
        'lotteryDraws.free',
        'lotteryDraws.pointsPaid',
        'lotteryPrizes.id as prizeId',
        'lotteryPrizes.nameJson',
        'lotteryPrizes.kind',
        'lotteryPrizes.points',
        'members.pointsBalance',
        'coupons.code',
      ])
      .where('lotteryDraws.id', '=', drawId)
      .executeTakeFirstOrThrow()
    return {
      drawId: row.id,
      prize: {
        id: row.prizeId,
        name: storedText(row.nameJson),
        kind: row.kind,
        points: row.points,
      },
      couponCode: row.code,
      paidWith: paidWith ?? (row.free === 1 ? 'free' : row.pointsPaid > 0 ? 'points' : 'chance'),
      pointsPaid: row.pointsPaid,
      balance: row.pointsBalance,
      replayed,
    }
  }

  private async replayOf(key: string): Promise<DrawResult | undefined> {
    const row = await this.deps.store.db
      .selectFrom('lotteryDraws')
      .select('id')
      .where('idempotencyKey', '=', key)
      .executeTakeFirst()
    return row ? this.result(this.deps.store.db, row.id, null, true) : undefined
  }
}
