/**
 * The update keys this process answered lately without claiming them in the database (the
 * read-only commands, whose turn commits nothing): a platform's retry to this process is
 * ignored as a claimed one is. A retry that reaches another process is answered again, which
 * changes nothing. Bounded: the oldest keys are forgotten first, as retries come within minutes.
 */
export class RecentUpdates {
  private readonly keys = new Set<string>()

  constructor(private readonly capacity = 10_000) {}

  /** True the first time this process sees the key. */
  claim(key: string): boolean {
    if (this.keys.has(key)) return false
    this.keys.add(key)
    if (this.keys.size > this.capacity) this.keys.delete(this.keys.values().next().value!)
    return true
  }
}
