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

export interface StaffSessionsTable {
  tokenHash: string
  staffId: string
  /** How it was opened: `telegram` (initData) or `link` (a one-time login link). */
  openedBy: string
  createdAt: string
  lastSeenAt: string
  /** The absolute end; the idle timeout is counted from lastSeenAt. */
  expiresAt: string
  endedAt: string | null
}

export interface ConsoleLinksTable {
  codeHash: string
  staffId: string
  createdAt: string
  expiresAt: string
  usedAt: string | null
}

export interface AuditLogTable {
  id: string
  at: string
  /** `staff` (a console session) or `api_key`. */
  actorKind: string
  actorId: string
  actorName: string
  actorRole: string
  /** `METHOD /path` as in the access table. */
  operation: string
  targetId: string | null
  status: number
  beforeJson: string | null
  afterJson: string | null
}
