import { sql } from 'kysely'
import { z } from 'zod'
import type { Db } from '../../../db/client.ts'
import { tagSchema } from '../segments/segments.ts'
import { carriesAnyTag } from '../segments/tags.ts'

/** A console search answers one screen of members, never the whole base. */
export const MEMBER_SEARCH_LIMIT = 20

export const memberSearchSchema = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  tag: tagSchema.optional(),
  limit: z.coerce.number().int().min(1).max(MEMBER_SEARCH_LIMIT).default(MEMBER_SEARCH_LIMIT),
})
export type MemberSearch = z.input<typeof memberSearchSchema>

/** `%` and `_` typed by staff are letters to find, not wildcards. */
const likeEscaped = (text: string) => text.replaceAll(/[\\%_]/g, (c) => `\\${c}`)

/**
 * Active members whose name contains `name` (any case) and who carry `tag`, newest first; the
 * ids only, at most `limit`. Merged and erased records are left out: they are not anyone to act on.
 */
export async function searchMembers(db: Db, search: MemberSearch): Promise<string[]> {
  const { name, tag, limit } = memberSearchSchema.parse(search)
  let query = db.selectFrom('members').select('members.id').where('members.status', '=', 'active')
  if (name)
    query = query.where(
      sql<boolean>`lower(members.display_name) like ${`%${likeEscaped(name.toLowerCase())}%`} escape '\\'`,
    )
  if (tag) query = query.where(carriesAnyTag([tag]))
  const rows = await query
    .orderBy('members.joinedAt', 'desc')
    .orderBy('members.id')
    .limit(limit)
    .execute()
  return rows.map((row) => row.id)
}

/** A chat identity of a member: who linked it and whether we can still write to it. */
export interface IdentityView {
  channel: string
  externalId: string
  linkedAt: string
  /** `member:<id>` (a bind code), `staff:<id>`, `api_key:<id>`, an import; null: registered with it. */
  linkedBy: string | null
  unreachableAt: string | null
  lastInboundAt: string | null
}

/** Another record of the same person merged into this member, by whom, and what it brought. */
export interface MergeView {
  fromMemberId: string
  points: number
  by: string | null
  at: string
}

/**
 * A member's chat identities and how they came to be linked: each identity with who linked it,
 * and every record merged in (a bind code or staff), from the merge's own ledger entries.
 */
export async function identitiesOf(
  db: Db,
  memberId: string,
): Promise<{ identities: IdentityView[]; merges: MergeView[] }> {
  const [identities, merges] = await Promise.all([
    db
      .selectFrom('memberIdentities')
      .select(['channel', 'externalId', 'createdAt', 'linkedBy', 'unreachableAt', 'lastInboundAt'])
      .where('memberId', '=', memberId)
      .orderBy('createdAt')
      .orderBy('channel')
      .execute(),
    db
      .selectFrom('ledgerEntries')
      .select(['sourceId', 'points', 'actor', 'createdAt'])
      .where('memberId', '=', memberId)
      .where('kind', '=', 'merge')
      .where('reason', '=', 'merged_in')
      .orderBy('createdAt')
      .execute(),
  ])
  return {
    identities: identities.map(({ createdAt, ...identity }) => ({
      ...identity,
      linkedAt: createdAt,
    })),
    merges: merges.map((merge) => ({
      fromMemberId: merge.sourceId ?? '',
      points: Number(merge.points),
      by: merge.actor,
      at: merge.createdAt,
    })),
  }
}
