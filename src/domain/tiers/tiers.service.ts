import type { DomainDeps } from '../context.ts'
import { type MemberRow, lockMember } from '../ledger/ledger.repository.ts'
import { type LocalizedText, tierAt, tierIndex } from '../programme/programme.ts'
import type { ProgrammeService } from '../programme/programme.service.ts'
import { type GrantedBenefits, grantedBenefits } from './benefits.ts'
import { closeWindows } from './tiers.ts'

export interface MemberBenefits extends GrantedBenefits {
  memberId: string
  tier: { code: string; name: LocalizedText }
  /** The currency of member prices and of the savings an order records. */
  currency: string
}

export class TiersService {
  constructor(
    private readonly deps: DomainDeps,
    private readonly programmes: ProgrammeService,
  ) {}

  /**
   * What the member's tier grants now, for a till or a connector to apply. The tier is the
   * member's tier as recorded, the one their next order earns at and claims benefits of.
   */
  async benefits(member: Pick<MemberRow, 'id' | 'tierCode'>): Promise<MemberBenefits> {
    const { config: programme } = await this.programmes.current()
    const tier = tierAt(programme, Math.max(tierIndex(programme, member.tierCode), 0))
    return {
      memberId: member.id,
      tier: { code: tier.code, name: tier.name },
      currency: programme.currency,
      ...grantedBenefits(tier),
    }
  }

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
