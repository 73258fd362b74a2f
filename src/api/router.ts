import { OpenAPIHono } from '@hono/zod-openapi'
import { validationError } from './errors.ts'
import type { ApiEnv } from './middleware/api-key.ts'

/** Every router answers invalid input the same way: 400 naming the field. */
export function newRouter() {
  return new OpenAPIHono<ApiEnv>({
    defaultHook: (result, c) => {
      if (!result.success) return validationError(c, result.error, result.target)
      return undefined
    },
  })
}
