/** A merchant admin or staff member, identified by a chat identity. */
export interface StaffTable {
  id: string
  channel: string
  externalId: string
  role: string
  displayName: string | null
  createdAt: string
}

export interface StaffInvitesTable {
  codeHash: string
  role: string
  createdAt: string
  expiresAt: string
  usedAt: string | null
  usedBy: string | null
}
