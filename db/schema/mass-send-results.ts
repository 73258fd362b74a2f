/** WeChat's report of a finished mass send (MASSSENDJOBFINISH), by the send's msg_id. */
export interface MassSendResultsTable {
  msgId: string
  /** WeChat's words: `send success`, `send fail`, `err(10001)` ... */
  status: string
  /** Followers the send was addressed to. */
  totalCount: number
  /** Of them, those WeChat would send to after its own filters. */
  filterCount: number
  sentCount: number
  errorCount: number
  finishedAt: string
}
