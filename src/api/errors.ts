import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { Logger } from 'pino'
import type { ZodError } from 'zod'
import { type DomainErrorCode, isDomainError } from '../shared/errors.ts'

/** The one place where a domain error code becomes an HTTP status. */
const STATUS: Record<DomainErrorCode, ContentfulStatusCode> = {
  invalid_input: 400,
  self_referral: 400,
  invite_required: 400,
  invite_invalid: 400,
  idempotency_key_required: 400,
  order_in_future: 400,
  order_too_old: 400,
  order_lines_mismatch: 400,
  unauthorized: 401,
  oauth_state_mismatch: 403,
  forbidden: 403,
  not_found: 404,
  member_not_found: 404,
  reward_not_found: 404,
  order_not_found: 404,
  coupon_not_found: 404,
  member_exists: 409,
  identity_taken: 409,
  insufficient_points: 409,
  out_of_stock: 409,
  limit_reached: 409,
  tier_required: 409,
  tier_already_held: 409,
  benefit_not_granted: 409,
  reward_inactive: 409,
  reward_retired: 409,
  image_unsupported: 415,
  idempotency_mismatch: 409,
  refund_exceeds_order: 409,
  pending_points_decided: 409,
  coupon_used: 409,
  coupon_expired: 409,
  coupon_void: 409,
  member_inactive: 409,
  already_done: 409,
  win_back_disabled: 409,
  birthday_locked: 409,
  closed: 409,
  lottery_exhausted: 409,
  already_started: 409,
  webhooks_not_configured: 503,
}

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> }
}

export function errorJson(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  details?: Record<string, unknown>,
) {
  return c.json(errorBody(code, message, details), status)
}

/** The body of every error answer: a stable code and a message for people. */
export function errorBody(
  code: string,
  message: string,
  details?: Record<string, unknown>,
): ErrorBody {
  return { error: { code, message, ...(details ? { details } : {}) } }
}

/** A 400 naming the first invalid field, with every issue in `details`. */
export function validationError(c: Context, error: ZodError, target: string) {
  const issues = error.issues.map((issue) => ({
    field: issue.path.join('.'),
    message: issue.message,
  }))
  const first = issues[0]
  const field = first?.field || target
  return errorJson(c, 400, 'invalid_input', `${field}: ${first?.message ?? 'invalid'}`, {
    field,
    issues,
  })
}

export function onError(logger: Logger) {
  return function handleError(error: Error, c: Context) {
    if (isDomainError(error)) {
      const field = error.details?.field
      const named = typeof field === 'string' && !error.message.startsWith(`${field}:`)
      const message = named ? `${field}: ${error.message}` : error.message
      return errorJson(c, STATUS[error.code], error.code, message, error.details)
    }
    if (error instanceof HTTPException && error.status === 415) {
      const message = 'send the body as JSON with Content-Type: application/json'
      return errorJson(c, 415, 'unsupported_media_type', message)
    }
    if (error instanceof HTTPException && error.status < 500) {
      const code = error.status === 400 ? 'invalid_input' : 'bad_request'
      const status = error.status
      return errorJson(c, status, code, error.message || 'bad request')
    }
    logger.error({ err: error, method: c.req.method, path: c.req.path }, 'unhandled error')
    return errorJson(
      c,
      500,
      'internal',
      'something went wrong on our side; the request was not applied',
    )
  }
}

export function notFound(c: Context) {
  return errorJson(c, 404, 'not_found', `no route ${c.req.method} ${c.req.path}`)
}
