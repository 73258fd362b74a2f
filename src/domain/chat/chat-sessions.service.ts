import type { DomainDeps } from '../context.ts'

/** Chat updates older than this are forgotten; platforms redeliver within minutes, not days. */
const PROCESSED_RETENTION_MS = 7 * 86_400_000

/**
 * The state a chat channel keeps per user in the database: the dialog a user is in, and the
 * updates already handled, so that a restart or a redelivered update changes nothing.
 */
export class ChatSessionsService {
  constructor(private readonly deps: DomainDeps) {}

  /** True the first time an update is seen, false for every redelivery, across processes. */
  async claimUpdate(channel: string, updateKey: string): Promise<boolean> {
    const inserted = await this.deps.store.db
      .insertInto('processedUpdates')
      .values({ channel, updateKey, createdAt: this.deps.clock.now().toISOString() })
      .onConflict((oc) => oc.columns(['channel', 'updateKey']).doNothing())
      .executeTakeFirst()
    return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1
  }

  async forgetOldUpdates(): Promise<number> {
    const before = new Date(this.deps.clock.now().getTime() - PROCESSED_RETENTION_MS).toISOString()
    const result = await this.deps.store.db
      .deleteFrom('processedUpdates')
      .where('createdAt', '<', before)
      .executeTakeFirst()
    return Number(result.numDeletedRows)
  }

  async getState<T>(channel: string, userId: string): Promise<T | undefined> {
    const row = await this.deps.store.db
      .selectFrom('dialogStates')
      .select('state')
      .where('channel', '=', channel)
      .where('userId', '=', userId)
      .executeTakeFirst()
    return row ? (JSON.parse(row.state) as T) : undefined
  }

  async setState(channel: string, userId: string, state: unknown): Promise<void> {
    const row = {
      channel,
      userId,
      state: JSON.stringify(state),
      updatedAt: this.deps.clock.now().toISOString(),
    }
    await this.deps.store.db
      .insertInto('dialogStates')
      .values(row)
      .onConflict((oc) =>
        oc
          .columns(['channel', 'userId'])
          .doUpdateSet({ state: row.state, updatedAt: row.updatedAt }),
      )
      .execute()
  }
}
