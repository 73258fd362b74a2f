import type { Generated } from 'kysely'

/** A chat-app identity (Telegram user id, WeChat contact id) of a member. */
export interface MemberIdentitiesTable {
  channel: string
  externalId: string
  memberId: string
  createdAt: string
  /**
   * Who attached it to an existing member: `member:<id>` (through a bind code), `staff:<id>`,
   * `api_key:<id>`, or whoever an import names; null when it came with the member's own
   * registration.
   */
  linkedBy: Generated<string | null>
  /** When the platform said we can no longer write to it (the member blocked the bot). */
  unreachableAt: Generated<string | null>
  /** When the member last wrote to us on the channel (a message, a menu click, a follow). */
  lastInboundAt: Generated<string | null>
}
