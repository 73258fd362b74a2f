/** A chat-app identity (Telegram user id, WeChat contact id) of a member. */
export interface MemberIdentitiesTable {
  channel: string
  externalId: string
  memberId: string
  createdAt: string
}
