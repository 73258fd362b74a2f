import { timingSafeEqual } from 'node:crypto'
import { Hono } from 'hono'
import { errorJson } from '../errors.ts'

export interface TelegramWebhook {
  /** The path Telegram posts to: the path of TELEGRAM_WEBHOOK_URL. */
  path: string
  secret: string
  /** Hands the update to the bot; the route does not know the bot (api never imports bots/). */
  handle(update: unknown): Promise<void>
}

function sameSecret(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '')
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Telegram's updates, accepted only with the secret_token set when the webhook was registered. */
export function telegramWebhookRoute(webhook: TelegramWebhook): Hono {
  return new Hono().post(webhook.path, async (c) => {
    if (!sameSecret(c.req.header('X-Telegram-Bot-Api-Secret-Token'), webhook.secret)) {
      return errorJson(c, 401, 'unauthorized', 'wrong or missing secret token')
    }
    let update: unknown
    try {
      update = await c.req.json()
    } catch {
      return errorJson(c, 400, 'invalid_input', 'the body is not a JSON update')
    }
    if (
      typeof update !== 'object' ||
      update === null ||
      typeof (update as { update_id?: unknown }).update_id !== 'number'
    ) {
      return errorJson(c, 400, 'invalid_input', 'update_id: expected a Telegram update')
    }
    await webhook.handle(update)
    return c.json({ ok: true })
  })
}
