import { DomainError } from '../shared/errors.ts'

/**
 * The row id a `nextCursor` stands for (lists paged by id, newest first); anything else is
 * `invalid_input` on the field `cursor`.
 */
export function cursorId(cursor: string): number {
  const id = Number(cursor)
  if (!Number.isSafeInteger(id))
    throw new DomainError('invalid_input', 'cursor is not valid', { field: 'cursor' })
  return id
}
