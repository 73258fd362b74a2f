import {
  createCipheriv,
  createDecipheriv,
  createHash,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto'

/**
 * The signature WeChat puts on every request to an Official Account's server: the hex SHA-1 of
 * the parts (the token, timestamp and nonce; in safe mode the Encrypt field too) sorted and
 * joined without a separator.
 */
export function wechatSignature(...parts: string[]): string {
  return createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex')
}

/** Compares a signature from a request with the expected one in constant time. */
export function sameSignature(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '')
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** WeChat pads to 32-byte blocks, not AES's 16, so Node's own PKCS#7 padding would not match. */
const BLOCK = 32

export class WechatCryptoError extends Error {}

/**
 * The message encryption of safe mode (安全模式), as in WeChat's WXBizMsgCrypt samples:
 * AES-256-CBC with the key decoded from the 43-character EncodingAESKey, the IV its first 16
 * bytes, PKCS#7 padding to 32 bytes; the plaintext is 16 random bytes, the XML's length as 4
 * big-endian bytes, the XML and the AppID, which proves the message is for this account.
 */
export class WechatMessageCrypto {
  private readonly key: Buffer

  constructor(
    aesKey: string,
    private readonly appId: string,
  ) {
    this.key = Buffer.from(`${aesKey}=`, 'base64')
    if (this.key.length !== 32)
      throw new WechatCryptoError('the EncodingAESKey is not 43 characters')
  }

  /** The XML inside an Encrypt field; throws WechatCryptoError when it is not for this account. */
  decrypt(encrypted: string): string {
    let plain: Buffer
    try {
      const decipher = createDecipheriv('aes-256-cbc', this.key, this.key.subarray(0, 16))
      decipher.setAutoPadding(false)
      plain = Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()])
    } catch {
      throw new WechatCryptoError('the message does not decrypt')
    }
    const pad = plain.at(-1) ?? 0
    if (pad < 1 || pad > BLOCK || plain.length < 20 + pad)
      throw new WechatCryptoError('the message has no valid padding')
    const body = plain.subarray(0, plain.length - pad)
    const length = body.readUInt32BE(16)
    if (20 + length > body.length) throw new WechatCryptoError('the message length is wrong')
    if (body.subarray(20 + length).toString('utf8') !== this.appId)
      throw new WechatCryptoError('the message is for another AppID')
    return body.subarray(20, 20 + length).toString('utf8')
  }

  /** The Encrypt field for a reply; `random` is for tests that check a fixed vector. */
  encrypt(xml: string, random: Buffer = randomBytes(16)): string {
    const message = Buffer.from(xml, 'utf8')
    const length = Buffer.alloc(4)
    length.writeUInt32BE(message.length)
    const unpadded = Buffer.concat([random, length, message, Buffer.from(this.appId, 'utf8')])
    const pad = BLOCK - (unpadded.length % BLOCK)
    const cipher = createCipheriv('aes-256-cbc', this.key, this.key.subarray(0, 16))
    cipher.setAutoPadding(false)
    const padded = Buffer.concat([unpadded, Buffer.alloc(pad, pad)])
    return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64')
  }
}
