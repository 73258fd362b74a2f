import type { Compilable, CompiledQuery } from 'kysely'
import type { Db } from './client.ts'

const PARAMETER = Symbol('parameter')
interface Placeholder {
  readonly [PARAMETER]: string
}

const isPlaceholder = (value: unknown): value is Placeholder =>
  typeof value === 'object' && value !== null && PARAMETER in value

/** A query of one fixed shape, run with the values of its parameters. */
export interface Prepared<P, R> {
  all(db: Db, params: P): Promise<R[]>
  first(db: Db, params: P): Promise<R | undefined>
}

/**
 * A query built and compiled once per dialect, then run with new parameter values: building
 * and compiling through Kysely cost more CPU than SQLite spends running a small query (a
 * quarter of an order's CPU, #15), and the hot paths run the same shapes over and over.
 *
 * `build` is called once, with a placeholder in place of each parameter, so it must give the
 * same shape whatever the values are: placeholders go only where Kysely binds a value (a
 * comparison, an insert or update value, a limit), never into a list for `in` or anything
 * that decides the shape. A placeholder that does not come out as a bound parameter is refused
 * at the first run, and a list as a value at every run (`in` writes one `?` per item). A shape
 * that depends on something else (a programme setting) is a second prepared query.
 */
export function prepared<P extends Record<string, unknown>, R>(
  build: (db: Db, params: P) => Compilable<R>,
): Prepared<P, R> {
  // The SQL differs by dialect only; transactions share their database's adapter object.
  const compiled = new WeakMap<object, CompiledQuery<R>>()
  function compile(db: Db, params: P): CompiledQuery<R> {
    const adapter = db.getExecutor().adapter
    let query = compiled.get(adapter)
    if (!query) {
      const names = Object.keys(params)
      const placeholders = Object.fromEntries(names.map((name) => [name, { [PARAMETER]: name }]))
      query = build(db, placeholders as P).compile()
      const bound = new Set(query.parameters.filter(isPlaceholder).map((p) => p[PARAMETER]))
      const unbound = names.filter((name) => !bound.has(name))
      if (unbound.length > 0)
        throw new Error(`prepared query: ${unbound.join(', ')} not bound as parameters`)
      compiled.set(adapter, query)
    }
    return query
  }
  async function all(db: Db, params: P): Promise<R[]> {
    for (const [name, value] of Object.entries(params))
      if (Array.isArray(value))
        throw new Error(`prepared query: ${name} is a list, whose length decides the shape`)
    const query = compile(db, params)
    const parameters = query.parameters.map((p) => (isPlaceholder(p) ? params[p[PARAMETER]] : p))
    return (await db.executeQuery<R>({ ...query, parameters })).rows
  }
  return { all, first: async (db, params) => (await all(db, params))[0] }
}
