import type { Db } from '../../../db/client.ts'
import type { DomainDeps } from '../context.ts'

/**
 * Which process runs a periodic job now. Every process runs the same scheduler; before a run
 * each asks for the job's lease for that tick and only the one that gets it runs, so a job
 * runs once per tick however many processes share the database. The same leases lock work
 * that must never run twice at once (`hold`). A crashed holder's lease runs out.
 */
export class JobLeasesService {
  constructor(private readonly deps: DomainDeps) {}

  /**
   * Takes the lease of `name` for `ttlMs` to run the tick scheduled at `tick`, unless another
   * owner holds a live lease or already ran that tick.
   */
  async acquire(name: string, owner: string, ttlMs: number, tick: Date): Promise<boolean> {
    return this.take(this.deps.store.db, name, owner, ttlMs, tick)
  }

  /**
   * Takes the lease of `name` for `ttlMs` unless another owner holds a live one: a lock for
   * work that must never run twice at once, whatever the tick. The holder keeps it by taking
   * it again before it runs out, in `db` (a transaction of its own work, so that work and
   * lease stand or fall together).
   */
  async hold(
    name: string,
    owner: string,
    ttlMs: number,
    db: Db = this.deps.store.db,
  ): Promise<boolean> {
    return this.take(db, name, owner, ttlMs)
  }

  private async take(
    db: Db,
    name: string,
    owner: string,
    ttlMs: number,
    tick?: Date,
  ): Promise<boolean> {
    const now = this.deps.clock.now()
    await db
      .insertInto('jobLeases')
      .values({ name, owner: null, leaseUntil: null, lastTickAt: null, lastFinishedAt: null })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute()
    const taken = await db
      .updateTable('jobLeases')
      .set({
        owner,
        leaseUntil: new Date(now.getTime() + ttlMs).toISOString(),
        ...(tick && { lastTickAt: tick.toISOString() }),
      })
      .where('name', '=', name)
      .where((eb) =>
        eb.or([
          eb('leaseUntil', 'is', null),
          eb('leaseUntil', '<', now.toISOString()),
          eb('owner', '=', owner),
        ]),
      )
      .$if(tick !== undefined, (qb) =>
        qb.where((eb) =>
          eb.or([eb('lastTickAt', 'is', null), eb('lastTickAt', '<', tick!.toISOString())]),
        ),
      )
      .executeTakeFirst()
    return Number(taken.numUpdatedRows) === 1
  }

  /** Gives the lease back after a run, so the next tick (anywhere) need not wait for it. */
  async release(name: string, owner: string): Promise<void> {
    await this.deps.store.db
      .updateTable('jobLeases')
      .set({ leaseUntil: null, lastFinishedAt: this.deps.clock.now().toISOString() })
      .where('name', '=', name)
      .where('owner', '=', owner)
      .execute()
  }
}
