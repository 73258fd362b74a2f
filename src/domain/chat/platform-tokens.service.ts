import { randomBytes } from 'node:crypto'
import type { DomainDeps } from '../context.ts'
import type { JobLeasesService } from '../job-leases/job-leases.service.ts'
import type { FetchedToken, SharedTokens } from '../ports.ts'

/** Long enough for a token request to the platform, short enough that a crash costs little. */
const LEASE_MS = 30_000
/** How often a process waiting for another's fetch looks for the new token. */
const POLL_MS = 100
const MAX_POLLS = 300

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Platform access tokens in the database (SharedTokens): a process that needs a new one takes
 * the account's lease and fetches it; the others wait for the row to change instead of fetching
 * their own, which at WeChat would invalidate the token the first one just stored.
 */
export class PlatformTokensService implements SharedTokens {
  private readonly owner = `tokens-${randomBytes(6).toString('hex')}`
  /**
   * The fetch this process is making, per account. The lease keeps other processes out, but
   * it is this process's own: without this, two sends of one process finding the token
   * expired would both fetch, and at WeChat the second new token invalidates the first.
   */
  private readonly fetching = new Map<string, Promise<string>>()

  constructor(
    private readonly deps: DomainDeps,
    private readonly leases: JobLeasesService,
  ) {}

  private async usable(
    account: string,
    renewEarlyMs: number,
    stale: string | undefined,
  ): Promise<string | undefined> {
    const row = await this.deps.store.db
      .selectFrom('platformTokens')
      .select(['token', 'expiresAt'])
      .where('account', '=', account)
      .executeTakeFirst()
    if (!row || row.token === stale) return undefined
    const renewAt = new Date(row.expiresAt).getTime() - renewEarlyMs
    return renewAt > this.deps.clock.now().getTime() ? row.token : undefined
  }

  async get(
    account: string,
    fetch: () => Promise<FetchedToken>,
    options: { renewEarlyMs: number; stale?: string },
  ): Promise<string> {
    for (;;) {
      const current = await this.usable(account, options.renewEarlyMs, options.stale)
      if (current) return current
      const running = this.fetching.get(account)
      if (running) {
        // Its token is read back from the row, where `stale` is checked as for any other.
        await running.catch(() => undefined)
        continue
      }
      const fetched = this.fetchShared(account, fetch, options).finally(() =>
        this.fetching.delete(account),
      )
      this.fetching.set(account, fetched)
      return fetched
    }
  }

  private async fetchShared(
    account: string,
    fetch: () => Promise<FetchedToken>,
    options: { renewEarlyMs: number; stale?: string },
  ): Promise<string> {
    const lease = `token:${account}`
    for (let poll = 0; poll < MAX_POLLS; poll++) {
      const current = await this.usable(account, options.renewEarlyMs, options.stale)
      if (current) return current
      if (!(await this.leases.hold(lease, this.owner, LEASE_MS))) {
        await sleep(POLL_MS)
        continue
      }
      try {
        // Another process may have stored a new token between the read and the lease.
        const stored = await this.usable(account, options.renewEarlyMs, options.stale)
        if (stored) return stored
        const fetched = await fetch()
        const now = this.deps.clock.now()
        const row = {
          token: fetched.token,
          expiresAt: new Date(now.getTime() + fetched.expiresInSeconds * 1000).toISOString(),
          fetchedAt: now.toISOString(),
        }
        await this.deps.store.db
          .insertInto('platformTokens')
          .values({ account, ...row })
          .onConflict((oc) => oc.column('account').doUpdateSet(row))
          .execute()
        return fetched.token
      } finally {
        await this.leases.release(lease, this.owner)
      }
    }
    throw new Error(`no access token for ${account}: another process holds the lease`)
  }
}
