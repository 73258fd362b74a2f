import { OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { ZodError } from 'zod'
import { errorJson, validationError } from './errors.ts'
import type { ApiEnv } from './middleware/api-key.ts'

const NUL = '\u0000'

/**
 * Where a NUL is in validated input (`items.0.sku`), or null. Iterative, so that no input is
 * deeper than the call stack.
 */
function nulIn(input: unknown): string | null {
  const pending: [unknown, string[]][] = [[input, []]]
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, path] = next
    if (typeof value === 'string') {
      if (value.includes(NUL)) return path.join('.')
    } else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key.includes(NUL)) return [...path, key].join('.')
        pending.push([inner, [...path, key]])
      }
    }
  }
  return null
}

type Validated = { target: string } & (
  { success: true; data: unknown } | { success: false; error: ZodError }
)

/**
 * Every route answers invalid input the same way: 400 naming the field. Text holding U+0000 is
 * invalid everywhere: PostgreSQL cannot store it where SQLite would, so it would be a 500 on
 * one database and kept on the other.
 */
export function validationHook(result: Validated, c: Context) {
  if (!result.success) return validationError(c, result.error, result.target)
  const field = nulIn(result.data)
  if (field === null) return undefined
  const named = field || result.target
  return errorJson(c, 400, 'invalid_input', `${named}: text may not contain NUL (U+0000)`, {
    field: named,
  })
}

export function newRouter() {
  return new OpenAPIHono<ApiEnv>({ defaultHook: validationHook })
}
