import type { LogEvent } from 'kysely'

/**
 * Counts the statements a piece of work sends to the database, BEGIN and COMMIT included, from
 * Kysely's `log` hook on a real database. Counts are what the tests pin about performance: they do
 * not change with the machine's load, as timings do.
 */
export class StatementRecorder {
  private current: string[] | null = null

  readonly onStatement = (event: LogEvent): void => {
    if (event.level === 'query') this.current?.push(event.query.sql)
  }

  /** Runs `work` alone (nothing else may use the database meanwhile) and lists its statements. */
  async during<T>(work: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
    const statements: string[] = []
    this.current = statements
    try {
      return { result: await work(), statements }
    } finally {
      this.current = null
    }
  }
}

/** A statement that writes, or opens or closes a write transaction. */
export function isWrite(statement: string): boolean {
  return /^\s*(insert|update|delete|begin|commit)\b/i.test(statement)
}
