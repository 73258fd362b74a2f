/** A member import run in the background; see migration 0014. */
export interface ImportJobsTable {
  id: string
  /** queued, running, done, failed or cancelled */
  status: string
  onExisting: string
  actor: string
  /** The process that accepted the job and runs it. */
  owner: string
  /** The uploaded CSV, until the job ends. */
  file: Buffer | null
  fileBytes: number
  rowsTotal: number | null
  rowsRead: number
  bytesRead: number
  bytesTotal: number
  created: number
  updated: number
  unchanged: number
  failed: number
  reportJson: string | null
  summaryJson: string | null
  errorCode: string | null
  errorMessage: string | null
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
  heartbeatAt: string
}
