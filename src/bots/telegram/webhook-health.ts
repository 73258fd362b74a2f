import type { HealthState } from '../../domain/ports.ts'

/** The part of the Bot API's `getWebhookInfo` answer that tells whether updates reach us. */
export interface WebhookInfo {
  url?: string
  pending_update_count: number
  last_error_date?: number
  last_error_message?: string
}

/** An error older than this, with nothing waiting, is history, not an incident. */
export const WEBHOOK_ERROR_FRESH_S = 300

/**
 * What Telegram's view of our webhook says of the channel. Degraded when Telegram cannot
 * deliver updates to us (an error since the webhook was set, recent, with updates waiting) or
 * when the webhook points elsewhere: members write and nothing arrives, though sending still
 * works, so messages are not held. Up otherwise.
 */
export function webhookHealth(
  info: WebhookInfo,
  expectedUrl: string,
  setAtS: number,
  nowS: number,
): { state: HealthState; reason?: string } {
  if ((info.url ?? '') !== expectedUrl)
    return {
      state: 'degraded',
      reason: info.url
        ? `the webhook is set to another address (${info.url}): updates go there`
        : 'the webhook was removed: no update reaches the bot',
    }
  const errorAt = info.last_error_date ?? 0
  if (errorAt >= setAtS && info.pending_update_count > 0 && nowS - errorAt <= WEBHOOK_ERROR_FRESH_S)
    return {
      state: 'degraded',
      reason: `Telegram cannot deliver updates to the webhook: ${info.last_error_message ?? 'unknown error'} (${info.pending_update_count} waiting)`,
    }
  return { state: 'up' }
}
