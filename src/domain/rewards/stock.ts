import { sql } from 'kysely'

// Shared by the rewards catalogue and lottery prizes, whose `stock` column means the same:
// units left, null for unlimited. Used together in one conditional UPDATE, they take a unit
// atomically on both databases; the row is not updated when none is left.

/** The stock after taking one unit: unlimited stays unlimited. */
export const stockLessOne = sql<number | null>`case when stock is null then null else stock - 1 end`

/** The row has a unit left to take. */
export const hasStock = sql<boolean>`(stock is null or stock > 0)`
