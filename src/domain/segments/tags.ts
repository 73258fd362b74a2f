import type { Db } from '../../../db/client.ts'

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
