import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Whether `signature` is the base64 HMAC-SHA256 of the raw body under `secret`, as Shopify
 * (X-Shopify-Hmac-Sha256) and WooCommerce (X-WC-Webhook-Signature) both sign. Compared in
 * constant time over the bytes, so that the comparison leaks nothing of the expected value.
 */
export function verifyBase64Hmac(secret: string, rawBody: string, signature: string | undefined) {
  if (!signature) return false
  const expected = createHmac('sha256', secret).update(rawBody, 'utf8').digest()
  const given = Buffer.from(signature.trim(), 'base64')
  return given.length === expected.length && timingSafeEqual(given, expected)
}
