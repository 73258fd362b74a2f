import { z } from 'zod'
import { DomainError } from '../../shared/errors.ts'
import type { DomainDeps } from '../context.ts'
import type { MembersService } from '../members/members.service.ts'
import { tagSchema } from './segments.ts'
import { addTagsWithin } from './tags.ts'

export const tagsInputSchema = z.object({ tags: z.array(tagSchema).min(1).max(50) }).strict()

export interface MemberTags {
  memberId: string
  tags: string[]
}

/** The merchant's own labels on members (会员标签), for segments to select by. */
export class TagsService {
  constructor(
    private readonly deps: DomainDeps,
    private readonly members: MembersService,
  ) {}

  /** Adds tags to a member; a tag the member already has is left as it is. */
  async add(memberId: string, tags: string[]): Promise<MemberTags> {
    const id = await this.activeMember(memberId)
    const createdAt = this.deps.clock.now().toISOString()
    const unique = [...new Set(tags.map((tag) => tagSchema.parse(tag)))]
    await addTagsWithin(this.deps.store.db, id, unique, createdAt)
    return this.of(id)
  }

  /** Removes a tag; removing a tag the member does not have changes nothing. */
  async remove(memberId: string, tag: string): Promise<MemberTags> {
    const id = await this.activeMember(memberId)
    await this.deps.store.db
      .deleteFrom('memberTags')
      .where('memberId', '=', id)
      .where('tag', '=', tag.trim())
      .execute()
    return this.of(id)
  }

  /** A member's tags, sorted by code point (the same on both databases, whatever the collation). */
  async of(memberId: string): Promise<MemberTags> {
    const member = await this.members.require({ id: memberId })
    const rows = await this.deps.store.db
      .selectFrom('memberTags')
      .select('tag')
      .where('memberId', '=', member.id)
      .execute()
    return { memberId: member.id, tags: rows.map((row) => row.tag).sort() }
  }

  /** The member's id, following a merge to the record that carries on. */
  private async activeMember(memberId: string): Promise<string> {
    const member = await this.members.require({ id: memberId })
    if (member.status !== 'active')
      throw new DomainError('member_inactive', `member ${member.id} is ${member.status}`)
    return member.id
  }
}
