export interface DialogStatesTable {
  channel: string
  userId: string
  state: string
  updatedAt: string
}

export interface ProcessedUpdatesTable {
  channel: string
  updateKey: string
  createdAt: string
}

export interface BindCodesTable {
  codeHash: string
  memberId: string
  createdAt: string
  expiresAt: string
  usedAt: string | null
}
