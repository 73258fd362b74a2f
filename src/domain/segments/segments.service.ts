import { performance } from 'node:perf_hooks'
import { setImmediate, setTimeout } from 'node:timers/promises'
import { DomainError } from '../../shared/errors.ts'
import { newId } from '../../shared/ids.ts'
import type { DomainDeps } from '../context.ts'
import { carriesAnyTag } from './tags.ts'
import type { JobLeasesService } from '../job-leases/job-leases.service.ts'
import type { ProgrammeService } from '../programme/programme.service.ts'
import { localDate } from '../programme/programme.ts'
import { readPage, readUsageCycles, snapshotSizes, writePage } from './classification.ts'
import { ClassSizes, CustomerPopulation } from './scores.ts'
import { firstTouches } from '../channel-sources/channel-sources.service.ts'
import {
  type AbcClass,
  type Lifecycle,
  type MemberClassification,
  type SegmentFilter,
  type SegmentFilterInput,
  type SegmentView,
  type ValueClass,
  assertTiersExist,
  lifecycleCutoffs,
  parseSegmentFilter,
  segmentFilterSchema,
} from './segments.ts'

/** The lease that keeps a second recompute, in this process or another, from running at once. */
const RECOMPUTE_LOCK = 'segment-classification'
/** Renewed with every page, so it runs out only when its holder has died. */
const RECOMPUTE_LOCK_MS = 120_000
const RECOMPUTE_WAIT_MS = 200

/** A member as a segment's list shows them. */
export interface SegmentMember {
  id: string
  code: string
  displayName: string
  tier: string
  points: number
  marketingConsent: boolean
  lifecycle: string | null
  valueClass: string | null
  lastPurchaseAt: string | null
}

export interface RecomputeResult {
  members: number
  ms: number
  computedAt: string
}

/**
 * Customer classification (lifecycle, RFM, value class, ABC) and segments, the saved filters
 * over it that campaigns target. The classification is recomputed as a whole, on a schedule
 * and on demand; tier, tags, channels, sources, region and consent are read live.
 */
export class SegmentsService {
  readonly filterSchema = segmentFilterSchema

  constructor(
    private readonly deps: DomainDeps,
    private readonly programmes: ProgrammeService,
    private readonly leases: JobLeasesService,
  ) {}

  /** Validates a filter and fills in its defaults; throws `invalid_input` naming the field. */
  parse(input: unknown, at = 'filter'): SegmentFilter {
    return parseSegmentFilter(input, at)
  }

  /** As `parse`, and refuses tiers the programme does not have: for filters a person types. */
  async validate(input: unknown, at = 'filter'): Promise<SegmentFilter> {
    const filter = parseSegmentFilter(input, at)
    assertTiersExist(filter, (await this.programmes.current()).config, at)
    return filter
  }

  /** How many members the filter selects now: the size shown before sending. */
  async count(filter: SegmentFilterInput): Promise<number> {
    const row = await this.select(this.parse(filter))
      .select((eb) => eb.fn.countAll<number>().as('size'))
      .executeTakeFirstOrThrow()
    return Number(row.size)
  }

  /**
   * The ids of the members the filter selects, sorted by code point: sorted here rather than by
   * the database, whose collation (PostgreSQL's locale) could order them differently.
   */
  async resolve(filter: SegmentFilterInput): Promise<string[]> {
    const rows = await this.select(this.parse(filter)).select('members.id').execute()
    return rows.map((row) => row.id).sort()
  }

  /**
   * Classifies every active member again from the orders, and keeps the size of each class as
   * the snapshot of the local day (the day's last recompute wins), for reports of segment
   * movement. It works in pages of members so that orders arriving meanwhile never wait for
   * more than one page: a first pass reads every customer's purchases to learn the population
   * the quintiles and ABC rank against, a second reads each page again, classifies it and
   * writes it in a short transaction of its own, and a last transaction writes the snapshot
   * and the state. Readers see old and new rows side by side until the last page is written. A
   * member whose order lands during the run counts it if their page is read in the second pass
   * after the order, else at the next recompute; the orders themselves do not touch the
   * classification. One recompute runs at a time, whichever process asks: a second waits.
   */
  async recompute(): Promise<RecomputeResult> {
    const owner = newId('recompute')
    while (!(await this.leases.hold(RECOMPUTE_LOCK, owner, RECOMPUTE_LOCK_MS)))
      await setTimeout(RECOMPUTE_WAIT_MS)
    try {
      return await this.classifyAll(owner)
    } finally {
      await this.leases.release(RECOMPUTE_LOCK, owner)
    }
  }

  private async classifyAll(owner: string): Promise<RecomputeResult> {
    const started = performance.now()
    const { config } = await this.programmes.current()
    const now = this.deps.clock.now()
    const computedAt = now.toISOString()
    const cutoffs = lifecycleCutoffs(config.segments, now, config.timezone)
    const { db } = this.deps.store

    const everyone = new CustomerPopulation()
    for (let after: string | null = null; ;) {
      const page = await readPage(db, after)
      for (const member of page.members) if (member.purchases) everyone.add(member.purchases)
      if (page.through === null) break
      after = page.through
      await setImmediate()
    }
    const population = everyone.seal()
    const cycles = config.segments.slipping.enabled
      ? await readUsageCycles(db)
      : new Map<string, number>()

    const sizes = new ClassSizes()
    let members = 0
    for (let after: string | null = null; ;) {
      await setImmediate()
      const page = await readPage(db, after, undefined, cycles)
      const rows = page.members.map((member) => {
        const classified = population.classify(
          member.joinedAt,
          member.purchases,
          config.segments,
          cutoffs,
        )
        sizes.count(classified)
        return { ...classified, memberId: member.id, purchases: member.purchases }
      })
      await this.deps.store.transaction(async (trx) => {
        if (!(await this.leases.hold(RECOMPUTE_LOCK, owner, RECOMPUTE_LOCK_MS, trx)))
          throw new Error('the segment recompute lost its lock to another process')
        await writePage(trx, page, rows, computedAt)
      })
      members += rows.length
      if (page.through === null) break
      after = page.through
    }

    const ms = Math.round(performance.now() - started)
    await this.deps.store.transaction(async (trx) => {
      await snapshotSizes(trx, localDate(now, config.timezone), computedAt, sizes.sizes.values())
      await trx
        .updateTable('segmentState')
        .set({ computedAt, members, ms })
        .where('id', '=', 1)
        .execute()
    })
    return { members, ms, computedAt }
  }

  /** When the classification was last recomputed; null before the first time. */
  async computedAt(): Promise<string | null> {
    const row = await this.deps.store.db
      .selectFrom('segmentState')
      .select('computedAt')
      .where('id', '=', 1)
      .executeTakeFirst()
    return row?.computedAt ?? null
  }

  /** A member's classification as of the last recompute, or null if not classified yet. */
  async classificationOf(memberId: string): Promise<MemberClassification | null> {
    const row = await this.deps.store.db
      .selectFrom('memberSegments')
      .selectAll()
      .where('memberId', '=', memberId)
      .executeTakeFirst()
    if (!row) return null
    return {
      memberId: row.memberId,
      lifecycle: row.lifecycle as Lifecycle,
      rfm: row.r === null ? null : { r: row.r, f: row.f!, m: row.m! },
      valueClass: row.valueClass as ValueClass | null,
      abc: row.abc as AbcClass | null,
      ordersCount: Number(row.ordersCount),
      revenue: Number(row.revenue),
      firstPurchaseAt: row.firstPurchaseAt,
      lastPurchaseAt: row.lastPurchaseAt,
      slippingSince: row.slippingSince,
      computedAt: row.computedAt,
    }
  }

  async create(input: { name: string; filter: unknown }): Promise<SegmentView> {
    const filter = await this.validate(input.filter)
    const row = {
      id: newId('seg'),
      name: input.name,
      filterJson: JSON.stringify(filter),
      createdAt: this.deps.clock.now().toISOString(),
    }
    await this.deps.store.db.insertInto('segments').values(row).execute()
    return this.view(row)
  }

  /** A saved segment with its size now. */
  async get(id: string): Promise<SegmentView> {
    const row = await this.deps.store.db
      .selectFrom('segments')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    if (!row) throw new DomainError('not_found', `no segment ${id}`)
    return this.view(row)
  }

  /** Every saved segment, oldest first, each with its size now. */
  async sizes(): Promise<SegmentView[]> {
    const rows = await this.deps.store.db
      .selectFrom('segments')
      .selectAll()
      .orderBy('createdAt')
      .orderBy('id')
      .execute()
    const views: SegmentView[] = []
    for (const row of rows) views.push(await this.view(row))
    return views
  }

  /**
   * One page of the ids of the members a saved segment selects now, in id order after `after`:
   * the members' list and the CSV export walk a segment of any size page by page.
   */
  async memberIds(id: string, page: { after?: string; limit: number }): Promise<string[]> {
    const row = await this.deps.store.db
      .selectFrom('segments')
      .select('filterJson')
      .where('id', '=', id)
      .executeTakeFirst()
    if (!row) throw new DomainError('not_found', `no segment ${id}`)
    let query = this.select(segmentFilterSchema.parse(JSON.parse(row.filterJson)))
      .select('members.id')
      .orderBy('members.id')
      .limit(page.limit)
    if (page.after) query = query.where('members.id', '>', page.after)
    return (await query.execute()).map((r) => r.id)
  }

  /** A page of a saved segment's members with their class, and the cursor of the next page. */
  async members(
    id: string,
    page: { after?: string; limit: number },
  ): Promise<{ items: SegmentMember[]; nextCursor: string | null }> {
    const ids = await this.memberIds(id, { ...page, limit: page.limit + 1 })
    const shown = ids.slice(0, page.limit)
    return {
      items: await this.describe(shown),
      nextCursor: ids.length > page.limit ? shown[shown.length - 1]! : null,
    }
  }

  /**
   * The size of a filter and the first few members it selects (in id order), so that whoever
   * composes a campaign sees whom it reaches while they change the filter, before saving it.
   */
  async preview(
    filter: SegmentFilter,
    sampleSize: number,
  ): Promise<{ size: number; sample: SegmentMember[] }> {
    const ids = await this.select(filter)
      .select('members.id')
      .orderBy('members.id')
      .limit(sampleSize)
      .execute()
    return { size: await this.count(filter), sample: await this.describe(ids.map((r) => r.id)) }
  }

  /** Members with their class, in the order of `ids`. */
  private async describe(ids: string[]): Promise<SegmentMember[]> {
    const rows = ids.length
      ? await this.deps.store.db
          .selectFrom('members')
          .leftJoin('memberSegments', 'memberSegments.memberId', 'members.id')
          .select([
            'members.id',
            'members.code',
            'members.displayName',
            'members.tierCode',
            'members.pointsBalance',
            'members.marketingConsent',
            'memberSegments.lifecycle',
            'memberSegments.valueClass',
            'memberSegments.lastPurchaseAt',
          ])
          .where('members.id', 'in', ids)
          .execute()
      : []
    const byId = new Map(rows.map((r) => [r.id, r]))
    return ids.map((memberId) => {
      const r = byId.get(memberId)!
      return {
        id: r.id,
        code: r.code,
        displayName: r.displayName,
        tier: r.tierCode,
        points: r.pointsBalance,
        marketingConsent: r.marketingConsent === 1,
        lifecycle: r.lifecycle,
        valueClass: r.valueClass,
        lastPurchaseAt: r.lastPurchaseAt,
      }
    })
  }

  async delete(id: string): Promise<void> {
    const deleted = await this.deps.store.db
      .deleteFrom('segments')
      .where('id', '=', id)
      .executeTakeFirst()
    if (Number(deleted.numDeletedRows) === 0) throw new DomainError('not_found', `no segment ${id}`)
  }

  private async view(row: {
    id: string
    name: string
    filterJson: string
    createdAt: string
  }): Promise<SegmentView> {
    // Stored filters are re-read through the schema, so that they get the defaults of today.
    const filter = segmentFilterSchema.parse(JSON.parse(row.filterJson))
    return {
      id: row.id,
      name: row.name,
      filter,
      createdAt: row.createdAt,
      size: await this.count(filter),
    }
  }

  private select(filter: SegmentFilter) {
    let query = this.deps.store.db
      .selectFrom('members')
      .leftJoin('memberSegments', 'memberSegments.memberId', 'members.id')
      .where('members.status', '=', 'active')
    if (filter.optedIn) query = query.where('members.marketingConsent', '=', 1)
    if (filter.lifecycle) query = query.where('memberSegments.lifecycle', 'in', filter.lifecycle)
    if (filter.valueClass) query = query.where('memberSegments.valueClass', 'in', filter.valueClass)
    if (filter.abc) query = query.where('memberSegments.abc', 'in', filter.abc)
    for (const score of ['r', 'f', 'm'] as const) {
      const range = filter.rfm?.[score]
      if (range?.min !== undefined) query = query.where(`memberSegments.${score}`, '>=', range.min)
      if (range?.max !== undefined) query = query.where(`memberSegments.${score}`, '<=', range.max)
    }
    if (filter.tiers) query = query.where('members.tierCode', 'in', filter.tiers)
    if (filter.regions) query = query.where('members.region', 'in', filter.regions)
    if (filter.lastPurchaseAfter) {
      const after = new Date(filter.lastPurchaseAfter).toISOString()
      query = query.where('memberSegments.lastPurchaseAt', '>=', after)
    }
    if (filter.lastPurchaseBefore) {
      const before = new Date(filter.lastPurchaseBefore).toISOString()
      query = query.where('memberSegments.lastPurchaseAt', '<', before)
    }
    const { tags, channels, sources } = filter
    if (sources) {
      const { db } = this.deps.store
      query = query.where(
        'members.id',
        'in',
        firstTouches(db).where('t.sourceId', 'in', sources).select('i.memberId'),
      )
    }
    if (tags) {
      query = query.where(carriesAnyTag(tags))
    }
    if (channels) {
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom('memberIdentities')
            .select('memberIdentities.channel')
            .whereRef('memberIdentities.memberId', '=', 'members.id')
            .where('memberIdentities.channel', 'in', channels),
        ),
      )
    }
    return query
  }
}
