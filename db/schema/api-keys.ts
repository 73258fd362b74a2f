/** Only the SHA-256 of a key is stored; the key itself is shown once when created. */
export interface ApiKeysTable {
  id: string
  name: string
  prefix: string
  keyHash: string
  role: string
  createdAt: string
  lastUsedAt: string | null
  revokedAt: string | null
}
