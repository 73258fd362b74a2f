/**
 * The stable error codes the domain raises. Adapters map each code to an HTTP status or a
 * chat reply in one place; the code is part of the public API and never changes meaning.
 */
export type DomainErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'member_not_found'
  | 'reward_not_found'
  | 'order_not_found'
  | 'coupon_not_found'
  | 'member_exists'
  | 'identity_taken'
  | 'insufficient_points'
  | 'out_of_stock'
  | 'limit_reached'
  | 'tier_required'
  | 'tier_already_held'
  | 'reward_inactive'
  | 'reward_retired'
  | 'image_unsupported'
  | 'idempotency_mismatch'
  | 'idempotency_key_required'
  | 'refund_exceeds_order'
  | 'pending_points_decided'
  | 'order_in_future'
  | 'order_too_old'
  | 'order_lines_mismatch'
  | 'benefit_not_granted'
  | 'coupon_used'
  | 'coupon_expired'
  | 'coupon_void'
  | 'invite_required'
  | 'invite_invalid'
  | 'self_referral'
  | 'birthday_locked'
  | 'member_inactive'
  | 'already_done'
  | 'win_back_disabled'
  | 'forbidden'
  | 'unauthorized'
  | 'oauth_state_mismatch'
  | 'closed'
  | 'lottery_exhausted'
  | 'already_started'
  | 'webhooks_not_configured'

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message)
    this.name = 'DomainError'
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError
}
