import { createHash, randomBytes, randomInt } from 'node:crypto'

/** Crockford-style alphabet without 0/O, 1/I/L, so that codes read aloud at a counter survive. */
const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'

export function randomCode(length: number): string {
  let code = ''
  for (let i = 0; i < length; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]
  return code
}

/** A prefixed, URL-safe, unguessable id such as `mem_3kT9...`. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex')
}

/** A stable hash of a JSON value: object keys sorted, so that key order never matters. */
export function hashJson(value: unknown): string {
  return sha256Hex(JSON.stringify(sortKeys(value)))
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, sortKeys(v)]),
    )
  }
  return value
}
