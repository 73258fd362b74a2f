export interface ServerSecretsTable {
  name: string
  value: string
  createdAt: string
}

export interface MiniappLinksTable {
  idHash: string
  memberId: string
  createdAt: string
  expiresAt: string
  usedAt: string | null
}
