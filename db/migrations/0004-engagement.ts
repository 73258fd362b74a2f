import { type Kysely, sql } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('quizzes')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('title', 'text', (col) => col.notNull())
    .addColumn('questions_json', 'text', (col) => col.notNull())
    .addColumn('reward_json', 'text', (col) => col.notNull())
    .addColumn('min_tier_code', 'text')
    .addColumn('opens_at', 'text', (col) => col.notNull())
    .addColumn('closes_at', 'text', (col) => col.notNull())
    .addColumn('active', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute()

  // One attempt per member and quiz: the unique key is the "once per member" rule.
  await db.schema
    .createTable('quiz_attempts')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('quiz_id', 'text', (col) => col.notNull().references('quizzes.id'))
    .addColumn('member_id', 'text', (col) => col.notNull().references('members.id'))
    .addColumn('answers_json', 'text', (col) => col.notNull())
    .addColumn('correct', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('points_awarded', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('started_at', 'text', (col) => col.notNull())
    .addColumn('completed_at', 'text')
    .addUniqueConstraint('quiz_attempts_once', ['quiz_id', 'member_id'])
    .execute()

  await db.schema
    .createTable('lotteries')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('title', 'text', (col) => col.notNull())
    .addColumn('cost_points', 'integer', (col) => col.notNull())
    .addColumn('free_draws_per_day', 'integer', (col) => col.notNull())
    .addColumn('max_draws_per_member', 'integer')
    .addColumn('max_draws_per_day', 'integer')
    .addColumn('opens_at', 'text', (col) => col.notNull())
    .addColumn('closes_at', 'text', (col) => col.notNull())
    .addColumn('active', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute()

  await db.schema
    .createTable('lottery_prizes')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('lottery_id', 'text', (col) => col.notNull().references('lotteries.id'))
    .addColumn('position', 'integer', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('points', 'integer')
    .addColumn('reward_id', 'text', (col) => col.references('rewards.id'))
    .addColumn('weight', 'integer', (col) => col.notNull().check(sql`weight > 0`))
    .addColumn('stock', 'integer', (col) => col.check(sql`stock >= 0`))
    .addColumn('won', 'integer', (col) => col.notNull().defaultTo(0))
    .execute()
  await db.schema
    .createIndex('lottery_prizes_lottery')
    .on('lottery_prizes')
    .column('lottery_id')
    .execute()

  await db.schema
    .createTable('lottery_draws')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('lottery_id', 'text', (col) => col.notNull().references('lotteries.id'))
    .addColumn('member_id', 'text', (col) => col.notNull().references('members.id'))
    .addColumn('prize_id', 'text', (col) => col.notNull().references('lottery_prizes.id'))
    .addColumn('free', 'integer', (col) => col.notNull())
    .addColumn('points_paid', 'integer', (col) => col.notNull())
    .addColumn('roll', 'integer', (col) => col.notNull())
    .addColumn('total_weight', 'integer', (col) => col.notNull())
    .addColumn('coupon_id', 'text')
    .addColumn('fulfilled_at', 'text')
    .addColumn('fulfilled_by', 'text')
    .addColumn('idempotency_key', 'text', (col) => col.notNull().unique())
    .addColumn('local_day', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute()
  await db.schema
    .createIndex('lottery_draws_member')
    .on('lottery_draws')
    .columns(['lottery_id', 'member_id', 'local_day'])
    .execute()

  await db.schema
    .createTable('surveys')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('title', 'text', (col) => col.notNull())
    .addColumn('question', 'text', (col) => col.notNull())
    .addColumn('reward_points', 'integer', (col) => col.notNull())
    .addColumn('active', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute()

  // A member answers a survey once on demand, and once per order it was sent after.
  await db.schema
    .createTable('survey_responses')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('survey_id', 'text', (col) => col.notNull().references('surveys.id'))
    .addColumn('member_id', 'text', (col) => col.notNull().references('members.id'))
    .addColumn('context', 'text', (col) => col.notNull())
    .addColumn('score', 'integer', (col) => col.notNull().check(sql`score between 1 and 7`))
    .addColumn('comment', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addUniqueConstraint('survey_responses_once', ['survey_id', 'member_id', 'context'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'survey_responses',
    'surveys',
    'lottery_draws',
    'lottery_prizes',
    'lotteries',
    'quiz_attempts',
    'quizzes',
  ]) {
    await db.schema.dropTable(table).execute()
  }
}
