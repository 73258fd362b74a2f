import type { Db } from '../../../db/client.ts'
import type { DomainDeps } from '../context.ts'
import { checkImage } from '../rewards/images.ts'
import type { StoredImage } from '../rewards/reward-images.service.ts'

/** The public address of a campaign picture: by its hash, so that it never changes meaning. */
export const campaignImagePath = (sha256: string) => `/media/campaigns/${sha256}`

export interface CampaignImageView {
  /** What a campaign message names the picture by (`message.imageSha256`). */
  sha256: string
  url: string
  contentType: string
  size: number
  width: number
  height: number
}

/**
 * The pictures of campaign messages, checked as the catalogue's are (`checkImage`) and kept in
 * the database by their hash (see migration 0031): the channels send the bytes themselves,
 * since Telegram and WeChat cannot fetch a picture from a server without a public address.
 */
export class CampaignImagesService {
  constructor(private readonly deps: DomainDeps) {}

  /**
   * Stores a picture for messages to use, recording who (`by`, an actor as the audit names
   * one); the same bytes again are the same picture. Errors:
   * image_unsupported, invalid_input (too large).
   */
  async upload(bytes: Uint8Array, by: string): Promise<CampaignImageView> {
    const image = checkImage(bytes)
    await this.deps.store.db
      .insertInto('campaignImages')
      .values({
        sha256: image.sha256,
        contentType: image.contentType,
        bytes: Buffer.from(bytes),
        size: image.size,
        width: image.width,
        height: image.height,
        createdBy: by,
        createdAt: this.deps.clock.now().toISOString(),
      })
      .onConflict((oc) => oc.column('sha256').doNothing())
      .execute()
    const { sha256, contentType, size, width, height } = image
    return { sha256, url: campaignImagePath(sha256), contentType, size, width, height }
  }

  /** The picture with this hash, or undefined when none was uploaded. */
  async get(sha256: string): Promise<StoredImage | undefined> {
    return (await campaignImages(this.deps.store.db, [sha256])).get(sha256)
  }
}

/** The stored pictures among these hashes, each read once however many messages name it. */
export async function campaignImages(db: Db, hashes: string[]): Promise<Map<string, StoredImage>> {
  const wanted = [...new Set(hashes)]
  if (wanted.length === 0) return new Map()
  const rows = await db
    .selectFrom('campaignImages')
    .select(['sha256', 'contentType', 'bytes'])
    .where('sha256', 'in', wanted)
    .execute()
  return new Map(rows.map((row) => [row.sha256, { ...row, bytes: Buffer.from(row.bytes) }]))
}
