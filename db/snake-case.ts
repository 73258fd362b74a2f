import {
  CamelCasePlugin,
  type PluginTransformQueryArgs,
  PostgresDialect,
  PostgresQueryCompiler,
  type QueryCompiler,
  type RootOperationNode,
  SqliteDialect,
  SqliteQueryCompiler,
} from 'kysely'

/**
 * The schema is snake_case and the code camelCase. Kysely's CamelCasePlugin renames by copying
 * every query's whole operation tree before compiling it, which was a tenth of an order's CPU
 * (issue #15); the same renaming done while the compiler writes each identifier, and remembered
 * per name, costs nothing per query. Results are still renamed by the plugin's own mapping, so
 * the names are exactly the plugin's.
 */
/** Names come from the code, not from input, so the memo stays small; the cap is a backstop. */
const MEMO_LIMIT = 10_000

function memoized(map: (name: string) => string): (name: string) => string {
  const memo = new Map<string, string>()
  return (name) => {
    let mapped = memo.get(name)
    if (mapped === undefined) {
      mapped = map(name)
      if (memo.size < MEMO_LIMIT) memo.set(name, mapped)
    }
    return mapped
  }
}

/** Maps result rows' snake_case keys to camelCase; the query itself is left as built. */
export class CamelCaseResults extends CamelCasePlugin {
  readonly #camelCase = memoized((name) => super.camelCase(name))
  readonly toSnakeCase = memoized((name) => super.snakeCase(name))

  override transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node
  }

  protected override camelCase(name: string): string {
    return this.#camelCase(name)
  }
}

const snakeCase = new CamelCaseResults().toSnakeCase

class SnakeCaseSqliteCompiler extends SqliteQueryCompiler {
  protected override sanitizeIdentifier(identifier: string): string {
    return super.sanitizeIdentifier(snakeCase(identifier))
  }
}

class SnakeCasePostgresCompiler extends PostgresQueryCompiler {
  protected override sanitizeIdentifier(identifier: string): string {
    return super.sanitizeIdentifier(snakeCase(identifier))
  }
}

export class SnakeCaseSqliteDialect extends SqliteDialect {
  override createQueryCompiler(): QueryCompiler {
    return new SnakeCaseSqliteCompiler()
  }
}

export class SnakeCasePostgresDialect extends PostgresDialect {
  override createQueryCompiler(): QueryCompiler {
    return new SnakeCasePostgresCompiler()
  }
}
