/** Every version of the programme configuration, kept for the ledger entries that cite it. */
export interface ProgrammeVersionsTable {
  version: number
  config: string
  note: string | null
  createdBy: string | null
  createdAt: string
}
