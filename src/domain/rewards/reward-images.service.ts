import type { Db } from '../../../db/client.ts'
import type { DomainDeps } from '../context.ts'
import { checkImage } from './images.ts'
import { type RewardView, type RewardsService, retiredError } from './rewards.service.ts'

export interface StoredImage {
  contentType: string
  sha256: string
  bytes: Buffer
}

/** The catalogue's pictures, one per reward, kept in the database (see migration 0021). */
export class RewardImagesService {
  constructor(
    private readonly deps: DomainDeps,
    private readonly rewards: RewardsService,
  ) {}

  /**
   * Sets a reward's picture, replacing the one it had, after `checkImage`; the picture and the
   * reward's address of it change in one transaction. Errors: reward_not_found, reward_retired,
   * image_unsupported, invalid_input (too large).
   */
  async set(rewardId: string, bytes: Uint8Array): Promise<RewardView> {
    const image = checkImage(bytes)
    const now = this.deps.clock.now().toISOString()
    await this.writable(rewardId)
    await this.deps.store.transaction(async (trx) => {
      const row = {
        sha256: image.sha256,
        contentType: image.contentType,
        bytes: Buffer.from(bytes),
        size: image.size,
        width: image.width,
        height: image.height,
        updatedAt: now,
      }
      await trx
        .insertInto('rewardImages')
        .values({ rewardId, ...row })
        .onConflict((oc) => oc.column('rewardId').doUpdateSet(row))
        .execute()
      await this.point(trx, rewardId, image.sha256, now)
    })
    return this.rewards.get(rewardId)
  }

  /** Takes a reward's picture away; a reward without one stays without. */
  async remove(rewardId: string): Promise<RewardView> {
    await this.writable(rewardId)
    const now = this.deps.clock.now().toISOString()
    await this.deps.store.transaction(async (trx) => {
      await trx.deleteFrom('rewardImages').where('rewardId', '=', rewardId).execute()
      await this.point(trx, rewardId, null, now)
    })
    return this.rewards.get(rewardId)
  }

  /** The picture at its address, or undefined when the reward has another or none. */
  async get(rewardId: string, sha256: string): Promise<StoredImage | undefined> {
    return this.deps.store.db
      .selectFrom('rewardImages')
      .select(['contentType', 'sha256', 'bytes'])
      .where('rewardId', '=', rewardId)
      .where('sha256', '=', sha256)
      .executeTakeFirst()
  }

  private async writable(rewardId: string): Promise<void> {
    const reward = await this.rewards.get(rewardId)
    if (reward.status === 'retired') throw retiredError(rewardId)
  }

  /** Points the reward at its picture; a reward retired meanwhile keeps what it had. */
  private async point(
    trx: Db,
    rewardId: string,
    sha256: string | null,
    now: string,
  ): Promise<void> {
    const changed = await trx
      .updateTable('rewards')
      .set({ imageSha256: sha256, updatedAt: now })
      .where('id', '=', rewardId)
      .where('retiredAt', 'is', null)
      .executeTakeFirst()
    if (Number(changed.numUpdatedRows) === 0) throw retiredError(rewardId)
  }
}
