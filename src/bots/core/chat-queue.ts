/**
 * Runs tasks one after another per key (a chat or a member) and concurrently across keys, so that one
 * slow member never holds up the others while each member's messages keep their order.
 */
export class ChatQueue {
  private readonly tails = new Map<string, Promise<void>>()

  constructor(private readonly onError: (error: unknown) => void) {}

  push(key: string, task: () => Promise<void>): void {
    const previous = this.tails.get(key) ?? Promise.resolve()
    const next = previous.then(task).catch(this.onError)
    this.tails.set(key, next)
    void next.then(() => {
      if (this.tails.get(key) === next) this.tails.delete(key)
    })
  }

  /** Chats with a task queued or running, for tests of the bound. */
  get size(): number {
    return this.tails.size
  }

  /** Resolves when every task queued so far has finished (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()])
  }
}
