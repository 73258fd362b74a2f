import { DomainError } from '../shared/errors.ts'

/**
 * The one idempotent-replay check. `stored` is what the request's key already recorded, if
 * anything: a new key returns undefined (go on and do the work), the same request again returns
 * `replay(stored)` (the first result, unchanged), and another request under the same key throws
 * `idempotency_mismatch` with `refusal` as the message.
 */
export function replayOrRefuse<S, T>(
  stored: S | undefined,
  check: {
    sameRequest: (stored: S) => boolean
    refusal: string
    details?: Record<string, unknown>
  },
  replay: (stored: S) => T,
): T | undefined {
  if (stored === undefined) return undefined
  if (!check.sameRequest(stored))
    throw new DomainError('idempotency_mismatch', check.refusal, check.details)
  return replay(stored)
}
