import type { ExpressionBuilder } from 'kysely'
import type { Database, Db } from '../../../db/client.ts'

/** The condition "the query's member carries any of `tags`", for segments and the member search. */
export function carriesAnyTag(tags: string[]) {
  return (eb: ExpressionBuilder<Database, 'members'>) =>
    eb.exists(
      eb
        .selectFrom('memberTags')
        .select('memberTags.tag')
        .whereRef('memberTags.memberId', '=', 'members.id')
        .where('memberTags.tag', 'in', tags),
    )
}

/** Gives the tags of a merged record to the member it is merged into; a tag both carry stays once. */
export async function moveTags(trx: Db, sourceId: string, targetId: string): Promise<void> {
  const rows = await trx
    .selectFrom('memberTags')
    .selectAll()
    .where('memberId', '=', sourceId)
    .execute()
  if (rows.length === 0) return
  await trx
    .insertInto('memberTags')
    .values(rows.map((row) => ({ ...row, memberId: targetId })))
    .onConflict((oc) => oc.columns(['memberId', 'tag']).doNothing())
    .execute()
  await trx.deleteFrom('memberTags').where('memberId', '=', sourceId).execute()
}

/** Adds tags inside the caller's transaction; a tag the member already has is left as it is. */
export async function addTagsWithin(
  trx: Db,
  memberId: string,
  tags: string[],
  createdAt: string,
): Promise<void> {
  if (tags.length === 0) return
  await trx
    .insertInto('memberTags')
    .values(tags.map((tag) => ({ memberId, tag, createdAt })))
    .onConflict((oc) => oc.columns(['memberId', 'tag']).doNothing())
    .execute()
}
