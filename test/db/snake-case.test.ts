import {
  CamelCasePlugin,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
} from 'kysely'
import { describe, expect, it } from 'vitest'
import type { Database } from '../../db/client.ts'
import {
  CamelCaseResults,
  SnakeCasePostgresDialect,
  SnakeCaseSqliteDialect,
} from '../../db/snake-case.ts'

/** Kysely without a database: each query is compiled, never run. */
function compiling(dialect: 'sqlite' | 'postgres', renamedWhileCompiling: boolean) {
  const parts =
    dialect === 'sqlite'
      ? {
          adapter: () => new SqliteAdapter(),
          introspector: (db: Kysely<unknown>) => new SqliteIntrospector(db),
          plain: () => new SqliteQueryCompiler(),
          renaming: () =>
            new SnakeCaseSqliteDialect({ database: {} as never }).createQueryCompiler(),
        }
      : {
          adapter: () => new PostgresAdapter(),
          introspector: (db: Kysely<unknown>) => new PostgresIntrospector(db),
          plain: () => new PostgresQueryCompiler(),
          renaming: () => new SnakeCasePostgresDialect({ pool: {} as never }).createQueryCompiler(),
        }
  const compiler = renamedWhileCompiling ? parts.renaming() : parts.plain()
  return new Kysely<Database>({
    dialect: {
      createAdapter: parts.adapter,
      createDriver: () => new DummyDriver(),
      createIntrospector: parts.introspector,
      createQueryCompiler: () => compiler,
    },
    plugins: [renamedWhileCompiling ? new CamelCaseResults() : new CamelCasePlugin()],
  })
}

/** Queries of every shape the code writes: joins, aliases, subqueries, raw references, DDL. */
const shapes = (db: Kysely<Database>) => [
  db
    .selectFrom('members')
    .innerJoin('memberIdentities as mi', 'mi.memberId', 'members.id')
    .select(['members.id', 'members.displayName', 'mi.externalId as chatId'])
    .where('members.pointsBalance', '>', 10)
    .orderBy('members.tierWindowEnd', 'desc'),
  db
    .selectFrom('ledgerEntries')
    .select((eb) => [eb.fn.sum<number>('points').as('totalPoints'), 'memberId'])
    .groupBy('memberId')
    .having(sql`count(${sql.ref('ledgerEntries.sourceType')})`, '>', 1),
  db
    .insertInto('ledgerEntries')
    .values({ memberId: 'm', points: 5, reason: 'r' } as never)
    .onConflict((oc) =>
      oc.columns(['memberId']).doUpdateSet({ points: (eb) => eb.ref('excluded.points') }),
    )
    .returning(['id', 'createdAt']),
  db
    .updateTable('members')
    .set({ pointsBalance: sql`points_balance + 1`, updatedAt: 'now' } as never)
    .where(
      'id',
      'in',
      db.selectFrom('memberIdentities').select('memberId').where('channel', '=', 'telegram'),
    ),
  db.deleteFrom('memberTags').where('memberId', '=', 'm'),
  db.schema
    .createTable('someNewTable')
    .addColumn('someColumnName', 'text')
    .addColumn('n2Value', 'integer'),
  db.schema.createIndex('someIndexName').on('someNewTable').columns(['someColumnName', 'n2Value']),
]

describe('identifiers renamed while compiling', () => {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    it(`are named in ${dialect} exactly as Kysely's CamelCasePlugin names them, in every shape of query`, () => {
      const ours = shapes(compiling(dialect, true)).map((q) => q.compile().sql)
      const plugin = shapes(compiling(dialect, false)).map((q) => q.compile().sql)
      expect(ours).toEqual(plugin)
      expect(ours[0]).toContain('"display_name"')
    })
  }

  it('map result rows back to camelCase, nested objects included, as the plugin does', async () => {
    const rows = [{ display_name: 'a', points_balance: 3, nested_obj: { inner_key: 1 } }]
    const args = { queryId: { queryId: 'q' }, result: { rows } }
    expect(await new CamelCaseResults().transformResult(args)).toEqual(
      await new CamelCasePlugin().transformResult(args),
    )
  })
})
