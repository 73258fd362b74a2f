import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto'

/** The headers of every webhook delivery; README "Webhooks out" shows how to verify them. */
export const WEBHOOK_HEADERS = {
  signature: 'jifen-signature',
  timestamp: 'jifen-timestamp',
  eventId: 'jifen-event-id',
  eventType: 'jifen-event-type',
  deliveryId: 'jifen-delivery-id',
} as const

/**
 * `v1=` and the hex HMAC-SHA256, keyed by the subscription's secret, of `timestamp.rawBody`
 * (the timestamp in Unix seconds): the timestamp is signed so that a receiver can refuse an old
 * delivery replayed by whoever recorded it.
 */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

/** A new signing secret, shown to the owner once. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64url')}`
}

/**
 * The secret sealed with AES-256-GCM under the server's key (32 bytes): the database alone
 * does not let whoever reads it sign as us. `iv.tag.ciphertext`, each base64url.
 */
export function sealSecret(key: Buffer, secret: string): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()])
  return [iv, cipher.getAuthTag(), data].map((part) => part.toString('base64url')).join('.')
}

/** The secret again; throws when the key is not the one it was sealed with. */
export function openSecret(key: Buffer, sealed: string): string {
  const [iv = '', tag = '', data = ''] = sealed.split('.')
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
  decipher.setAuthTag(Buffer.from(tag, 'base64url'))
  return Buffer.concat([
    decipher.update(Buffer.from(data, 'base64url')),
    decipher.final(),
  ]).toString('utf8')
}
