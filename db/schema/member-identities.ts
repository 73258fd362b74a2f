import type { Generated } from 'kysely'

/** A chat-app identity (Telegram user id, WeChat contact id) of a member. */
export interface MemberIdentitiesTable {
  channel: string
  externalId: string
  memberId: string
  createdAt: string
  /** When the platform said we can no longer write to it (the member blocked the bot). */
  unreachableAt: Generated<string | null>
}
