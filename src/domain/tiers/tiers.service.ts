import type { DomainDeps } from '../context.ts'
import { lockMember } from '../ledger/ledger.repository.ts'
import type { ProgrammeService } from '../programme/programme.service.ts'
import { closeWindows } from './tiers.ts'

export class TiersService {
  constructor(
    private readonly deps: DomainDeps,
    private readonly programmes: ProgrammeService,
  ) {}

  /**
   * Closes the tier windows that ended by now: keeps, drops or re-qualifies each member's tier.
   * Safe to run in several processes at once: each member is re-read under its lock.
   */
  async closeEndedWindows(): Promise<{ members: number }> {
    const now = this.deps.clock.now()
    const { config: programme } = await this.programmes.current()
    const due = await this.deps.store.db
      .selectFrom('members')
      .select('id')
      .where('status', '=', 'active')
      .where('tierWindowEnd', '<=', now.toISOString())
      .execute()
    for (const { id } of due) {
      await this.deps.store.transaction(async (trx) =>
        closeWindows(trx, await lockMember(trx, id), programme, now),
      )
    }
    return { members: due.length }
  }
}
