export interface FloodLimits {
  /** More messages than this within `windowMs` is a flood. */
  messages: number
  windowMs: number
  /** How long a flooding user is ignored, after the one reply that says so. */
  quietMs: number
  /** Users tracked at once; the longest untouched are forgotten first beyond it. */
  maxUsers: number
}

/** A person types at most a message every second or two; a script or a stuck key does not. */
export const FLOOD_DEFAULTS: FloodLimits = {
  messages: 20,
  windowMs: 10_000,
  quietMs: 30_000,
  maxUsers: 10_000,
}

interface Count {
  windowStart: number
  messages: number
  quietUntil: number
}

/**
 * Counts each user's messages in fixed windows, in memory: a flood is a burst within seconds, so
 * a restart forgetting the counts costs nothing. The map is kept in order of last use and cut
 * at `maxUsers`, so that it never grows with every user the bot has ever heard from.
 */
export class FloodGuard {
  private readonly counts = new Map<string, Count>()

  constructor(
    private readonly limits: FloodLimits = FLOOD_DEFAULTS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** `answer` as usual, `warn` once when a flood begins, `ignore` while it lasts. */
  check(user: string): 'answer' | 'warn' | 'ignore' {
    const now = this.now()
    let count = this.counts.get(user)
    this.counts.delete(user)
    if (count && now < count.quietUntil) {
      this.counts.set(user, count)
      return 'ignore'
    }
    // A quiet spell just over starts afresh, as does a window gone by.
    if (!count || count.quietUntil > 0 || now - count.windowStart >= this.limits.windowMs) {
      count = { windowStart: now, messages: 0, quietUntil: 0 }
    }
    count.messages += 1
    this.counts.set(user, count)
    if (this.counts.size > this.limits.maxUsers)
      this.counts.delete(this.counts.keys().next().value!)
    if (count.messages <= this.limits.messages) return 'answer'
    count.quietUntil = now + this.limits.quietMs
    return 'warn'
  }

  /** Users counted now, for tests of the bound. */
  get size(): number {
    return this.counts.size
  }
}
