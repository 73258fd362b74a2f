import { type Kysely, sql } from 'kysely'

/**
 * Every text a merchant writes for members gets both languages. Each is one JSON column
 * `{"zh-CN": "...", "en": "..."}`, the shape of the programme's names: the same plain text on
 * SQLite and PostgreSQL, read and written whole, never searched inside; the `_json` name makes
 * any reader of the old single string fail to compile instead of showing JSON to members.
 * Today's strings become both languages.
 */
const TEXTS = [
  { table: 'rewards', column: 'name', required: true },
  { table: 'rewards', column: 'description', required: false },
  { table: 'quizzes', column: 'title', required: true },
  { table: 'lotteries', column: 'title', required: true },
  { table: 'lottery_prizes', column: 'name', required: true },
  { table: 'surveys', column: 'title', required: true },
  { table: 'surveys', column: 'question', required: true },
] as const

interface Localized {
  'zh-CN': string
  en: string
}
interface Question<T> {
  text: T
  choices: T[]
  answer: number
}

const both = (text: string): Localized => ({ 'zh-CN': text, en: text })
const one = (text: Localized): string => text['zh-CN'] || text.en

async function move(
  db: Kysely<unknown>,
  table: string,
  from: string,
  to: string,
  required: boolean,
  convert: (value: string) => string,
): Promise<void> {
  // SQLite adds a NOT NULL column only with a default; every insert writes the column.
  await db.schema
    .alterTable(table)
    .addColumn(to, 'text', (col) => (required ? col.notNull().defaultTo('') : col))
    .execute()
  const rows = await sql<{ id: string; value: string | null }>`
    select id, ${sql.ref(from)} as value from ${sql.table(table)}`.execute(db)
  for (const row of rows.rows) {
    if (row.value === null) continue
    await sql`update ${sql.table(table)} set ${sql.ref(to)} = ${convert(row.value)}
      where id = ${row.id}`.execute(db)
  }
  await db.schema.alterTable(table).dropColumn(from).execute()
}

async function mapQuestions(
  db: Kysely<unknown>,
  convert: (question: Question<never>) => Question<unknown>,
): Promise<void> {
  const quizzes = await sql<{
    id: string
    questions: string
  }>`select id, questions_json as questions from quizzes`.execute(db)
  for (const quiz of quizzes.rows) {
    const questions = (JSON.parse(quiz.questions) as Question<never>[]).map(convert)
    await sql`update quizzes set questions_json = ${JSON.stringify(questions)}
      where id = ${quiz.id}`.execute(db)
  }
}

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const { table, column, required } of TEXTS) {
    await move(db, table, column, `${column}_json`, required, (value) =>
      JSON.stringify(both(value)),
    )
  }
  await mapQuestions(db, (q: Question<string>) => ({
    ...q,
    text: both(q.text),
    choices: q.choices.map(both),
  }))
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await mapQuestions(db, (q: Question<Localized>) => ({
    ...q,
    text: one(q.text),
    choices: q.choices.map(one),
  }))
  for (const { table, column, required } of TEXTS) {
    await move(db, table, `${column}_json`, column, required, (value) =>
      one(JSON.parse(value) as Localized),
    )
  }
}
