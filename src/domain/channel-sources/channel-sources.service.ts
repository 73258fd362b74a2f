import type { Selectable } from 'kysely'
import type { Db } from '../../../db/client.ts'
import type { ChannelSourcesTable } from '../../../db/schema/channel-sources.ts'
import { DomainError } from '../../shared/errors.ts'
import { newId } from '../../shared/ids.ts'
import type { DomainDeps } from '../context.ts'
import type { Channel } from '../members/members.ts'
import type { ChannelQrCodes } from '../ports.ts'
import {
  type ChannelSourceInput,
  type ChannelSourceView,
  type SourceKind,
  type SourceReportRow,
  type TouchEvent,
  channelSourceInputSchema,
  qrImageUrl,
} from './channel-sources.ts'

/**
 * The member each follow or scan belongs to, with its source, for the touches that were each
 * member's first: a member's source is where they first came from, whatever they scanned later.
 * Touches are kept by chat identity (a follower may scan long before joining), so they count
 * for the member once the identity is theirs. Shared by segments (the `sources` filter).
 */
export function firstTouches(db: Db) {
  return db
    .selectFrom('channelSourceTouches as t')
    .innerJoin('memberIdentities as i', (join) =>
      join.onRef('i.channel', '=', 't.channel').onRef('i.externalId', '=', 't.externalId'),
    )
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('channelSourceTouches as e')
            .innerJoin('memberIdentities as ei', (join) =>
              join
                .onRef('ei.channel', '=', 'e.channel')
                .onRef('ei.externalId', '=', 'e.externalId'),
            )
            .select('e.id')
            .whereRef('ei.memberId', '=', 'i.memberId')
            .where((inner) =>
              inner.or([
                inner('e.touchedAt', '<', inner.ref('t.touchedAt')),
                inner.and([
                  inner('e.touchedAt', '=', inner.ref('t.touchedAt')),
                  inner('e.id', '<', inner.ref('t.id')),
                ]),
              ]),
            ),
        ),
      ),
    )
}

function viewOf(row: Selectable<ChannelSourcesTable>): ChannelSourceView {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as SourceKind,
    scene: row.scene,
    qrUrl: row.qrUrl,
    imageUrl: qrImageUrl(row.ticket),
    createdAt: row.createdAt,
  }
}

/**
 * The sources a merchant names for the Official Account's channel QR codes (带参数二维码, the
 * answer to the WeCom SCRMs' 渠道活码), and every follow and scan through them.
 */
export class ChannelSourcesService {
  constructor(private readonly deps: DomainDeps) {}

  /**
   * Names a source and has its permanent QR code made (`qrCodes`, the platform's). The scene
   * string is the source's id: unique, and nothing the merchant typed reaches WeChat.
   */
  async create(
    raw: ChannelSourceInput,
    createdBy: string,
    qrCodes: ChannelQrCodes,
  ): Promise<ChannelSourceView> {
    const parsed = channelSourceInputSchema.safeParse(raw)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      throw new DomainError('invalid_input', issue.message, { field: issue.path.join('.') })
    }
    const id = newId('src')
    const code = await qrCodes.create(id)
    const row = {
      id,
      name: parsed.data.name,
      kind: parsed.data.kind,
      scene: id,
      ticket: code.ticket,
      qrUrl: code.url,
      createdBy,
      createdAt: this.deps.clock.now().toISOString(),
    }
    await this.deps.store.db.insertInto('channelSources').values(row).execute()
    return viewOf(row)
  }

  async list(): Promise<ChannelSourceView[]> {
    const rows = await this.deps.store.db
      .selectFrom('channelSources')
      .selectAll()
      .orderBy('createdAt')
      .orderBy('id')
      .execute()
    return rows.map(viewOf)
  }

  /**
   * Records a follow or scan through the source whose scene WeChat sent back. A scene of no
   * source (a code made elsewhere, or deleted) is not recorded; answers whether it was.
   */
  async touch(
    channel: Channel,
    externalId: string,
    scene: string,
    event: TouchEvent,
  ): Promise<boolean> {
    const { db } = this.deps.store
    const source = await db
      .selectFrom('channelSources')
      .select('id')
      .where('scene', '=', scene)
      .executeTakeFirst()
    if (!source) return false
    await db
      .insertInto('channelSourceTouches')
      .values({
        sourceId: source.id,
        channel,
        externalId,
        event,
        touchedAt: this.deps.clock.now().toISOString(),
      })
      .execute()
    return true
  }

  /** Members by source: each source's members (first touch), follows and scans. */
  async report(): Promise<SourceReportRow[]> {
    const { db } = this.deps.store
    const [sources, members, touches] = await Promise.all([
      db.selectFrom('channelSources').select(['id', 'name', 'kind']).orderBy('createdAt').execute(),
      db
        .selectFrom(
          firstTouches(db).select(['t.sourceId as sourceId', 'i.memberId as memberId']).as('f'),
        )
        .select(['f.sourceId', (eb) => eb.fn.count<number>('f.memberId').distinct().as('members')])
        .groupBy('f.sourceId')
        .execute(),
      db
        .selectFrom('channelSourceTouches')
        .select(['sourceId', 'event', (eb) => eb.fn.countAll<number>().as('count')])
        .groupBy(['sourceId', 'event'])
        .execute(),
    ])
    const membersOf = new Map(members.map((m) => [m.sourceId, Number(m.members)]))
    const countOf = (sourceId: string, event: TouchEvent) =>
      Number(touches.find((t) => t.sourceId === sourceId && t.event === event)?.count ?? 0)
    return sources.map((source) => ({
      sourceId: source.id,
      name: source.name,
      kind: source.kind as SourceKind,
      members: membersOf.get(source.id) ?? 0,
      follows: countOf(source.id, 'subscribe'),
      scans: countOf(source.id, 'scan'),
    }))
  }
}
