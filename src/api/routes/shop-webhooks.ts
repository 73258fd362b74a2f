import { type Context, Hono } from 'hono'
import type { Logger } from 'pino'
import { ZodError } from 'zod'
import { verifyBase64Hmac } from '../../connectors/signature.ts'
import { shopifyEvents } from '../../connectors/shopify.ts'
import { wooEvents } from '../../connectors/woocommerce.ts'
import type { Domain } from '../../domain/index.ts'
import type { ShopEvent, ShopSource } from '../../domain/orders/shop-sync.service.ts'
import { DomainError } from '../../shared/errors.ts'
import { errorJson } from '../errors.ts'

export const SHOP_WEBHOOK_PATHS = {
  shopify: '/webhooks/shopify',
  woocommerce: '/webhooks/woocommerce',
} as const satisfies Record<ShopSource, string>

/** The signing secret of each connected shop; a shop without one has no endpoint. */
export type ShopWebhookSecrets = Partial<Record<ShopSource, string>>

interface Connector {
  signatureHeader: string
  deliveryIdOf(c: Context): string | undefined
  topicOf(c: Context): string | undefined
  eventsOf(topic: string, body: unknown): ShopEvent[]
}

const CONNECTORS: Record<ShopSource, Connector> = {
  shopify: {
    signatureHeader: 'X-Shopify-Hmac-Sha256',
    // The event id is the same across every subscription that delivers one event; the webhook
    // id is per delivery and kept by Shopify's retries of it.
    deliveryIdOf: (c) => c.req.header('X-Shopify-Event-Id') ?? c.req.header('X-Shopify-Webhook-Id'),
    topicOf: (c) => c.req.header('X-Shopify-Topic'),
    eventsOf: shopifyEvents,
  },
  woocommerce: {
    signatureHeader: 'X-WC-Webhook-Signature',
    deliveryIdOf: (c) => c.req.header('X-WC-Webhook-Delivery-ID'),
    topicOf: (c) => c.req.header('X-WC-Webhook-Topic'),
    eventsOf: wooEvents,
  },
}

/** WooCommerce checks a new webhook's address with a form post of its id, before any order. */
const WOO_PING = /^webhook_id=\d+$/

/**
 * The shops' order webhooks. Each request is verified (HMAC-SHA256 of the raw body under the
 * shop's secret) before its body is parsed; a refused one is logged and nothing of it reaches
 * the engine. What the engine refuses is answered 200 with the reason, since a shop retrying it
 * would get the same answer for days; a failure of ours is a 5xx, which the shop retries.
 */
export function shopWebhookRoutes(domain: Domain, secrets: ShopWebhookSecrets, logger: Logger) {
  const app = new Hono()
  for (const source of Object.keys(SHOP_WEBHOOK_PATHS) as ShopSource[]) {
    const secret = secrets[source]
    if (!secret) continue
    const connector = CONNECTORS[source]
    app.post(SHOP_WEBHOOK_PATHS[source], async (c) => {
      const raw = await c.req.text()
      if (source === 'woocommerce' && WOO_PING.test(raw)) return c.json({ ok: true })
      if (!verifyBase64Hmac(secret, raw, c.req.header(connector.signatureHeader))) {
        logger.warn({ source, path: c.req.path }, 'shop webhook: wrong or missing signature')
        return errorJson(c, 401, 'unauthorized', `wrong or missing ${connector.signatureHeader}`)
      }
      const deliveryId = connector.deliveryIdOf(c)
      const topic = connector.topicOf(c)
      if (!deliveryId || !topic)
        return errorJson(c, 400, 'invalid_input', 'the delivery id or topic header is missing')
      let events: ShopEvent[]
      try {
        events = connector.eventsOf(topic, JSON.parse(raw))
      } catch (error) {
        const reason = unreadable(error)
        if (reason === undefined) throw error
        events = [{ kind: 'refuse', reason: `payload not understood: ${reason}` }]
      }
      const result = await domain.shopSync.receive({ source, deliveryId, topic, events })
      logger[result.outcome === 'refused' ? 'warn' : 'info'](
        { source, deliveryId, topic, ...result },
        'shop webhook',
      )
      return c.json(result)
    })
  }
  return app
}

/** Why a payload could not be read, or undefined when the error is not about the payload. */
function unreadable(error: unknown): string | undefined {
  if (error instanceof ZodError)
    return error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')
  if (error instanceof SyntaxError || error instanceof DomainError) return error.message
  return undefined
}
