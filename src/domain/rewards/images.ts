import { createHash } from 'node:crypto'
import { imageSize } from 'image-size'
import { DomainError } from '../../shared/errors.ts'

/**
 * A catalogue picture is shown at most a few hundred pixels wide on a phone: 1 MB holds a
 * sharp photo at twice that, and keeps the database and a member's data plan light.
 */
export const REWARD_IMAGE_MAX_BYTES = 1024 * 1024
/** A larger picture costs a member's phone its memory to decode, whatever its file size. */
export const REWARD_IMAGE_MAX_SIDE = 4096

/** The picture formats every browser in Telegram and WeChat shows; never SVG, which can run script. */
const TYPES = { png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp' } as const

export interface CheckedImage {
  contentType: (typeof TYPES)[keyof typeof TYPES]
  sha256: string
  size: number
  width: number
  height: number
}

/**
 * What a picture is, read from its bytes and not from what the client says it is: PNG, JPEG or
 * WebP, at most REWARD_IMAGE_MAX_BYTES and REWARD_IMAGE_MAX_SIDE pixels a side. Throws
 * `image_unsupported` for anything else (no picture, another format, a broken header) and
 * `invalid_input` for a picture too large.
 */
export function checkImage(bytes: Uint8Array): CheckedImage {
  if (bytes.byteLength > REWARD_IMAGE_MAX_BYTES)
    throw new DomainError('invalid_input', 'the picture is over 1 MB', {
      field: 'image',
      maxBytes: REWARD_IMAGE_MAX_BYTES,
    })
  let found: ReturnType<typeof imageSize> | undefined
  try {
    found = imageSize(bytes)
  } catch {
    found = undefined
  }
  const contentType = found?.type && TYPES[found.type as keyof typeof TYPES]
  if (!found || !contentType)
    throw new DomainError('image_unsupported', 'the picture must be a PNG, JPEG or WebP image', {
      field: 'image',
      accepted: Object.values(TYPES),
    })
  if (found.width > REWARD_IMAGE_MAX_SIDE || found.height > REWARD_IMAGE_MAX_SIDE)
    throw new DomainError(
      'invalid_input',
      `the picture is ${found.width}×${found.height}; at most ${REWARD_IMAGE_MAX_SIDE} pixels a side`,
      { field: 'image', maxSide: REWARD_IMAGE_MAX_SIDE },
    )
  return {
    contentType,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    size: bytes.byteLength,
    width: found.width,
    height: found.height,
  }
}
