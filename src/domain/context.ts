import type { DbHandle } from '../../db/client.ts'
import type { Clock } from '../shared/clock.ts'

/** What every domain service is built from; main.ts and the tests provide it. */
export interface DomainDeps {
  store: DbHandle
  clock: Clock
}
