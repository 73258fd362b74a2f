/** Time comes from here, so that tests move it instead of sleeping. */
export interface Clock {
  now(): Date
}

/** Shop systems' clocks drift; an order a few minutes ahead of ours is still today's order. */
export const CLOCK_SKEW_MS = 5 * 60_000

export const systemClock: Clock = { now: () => new Date() }

/** A clock that stands still until told to move. */
export class ManualClock implements Clock {
  private current: number

  constructor(start: Date | string) {
    this.current = new Date(start).getTime()
  }

  now(): Date {
    return new Date(this.current)
  }

  set(to: Date | string): void {
    this.current = new Date(to).getTime()
  }

  advance(ms: number): void {
    this.current += ms
  }
}
