import { createCanvas, loadImage } from '@napi-rs/canvas'
import { expect } from 'vitest'
import jsQR from 'jsqr'

/** A real picture of the given size and colour, as a phone or an editor saves it. */
export function picture(type: 'png' | 'jpeg' | 'webp', colour = '#c0392b', side = 64): Buffer {
  const canvas = createCanvas(side, side)
  const ctx = canvas.getContext('2d')
  ctx.fillStyle = colour
  ctx.fillRect(0, 0, side, side)
  if (type === 'png') return canvas.toBuffer('image/png')
  return type === 'jpeg' ? canvas.toBuffer('image/jpeg') : canvas.toBuffer('image/webp')
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/**
 * Checks that `png` is a PNG that decodes, and returns its size and how many distinct colours
 * it has, so that a test can tell a drawn chart from a blank picture.
 */
export async function inspectPng(png: Buffer) {
  expect(png.subarray(0, 8).equals(SIGNATURE)).toBe(true)
  expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR')
  const width = png.readUInt32BE(16)
  const height = png.readUInt32BE(20)
  const image = await loadImage(png)
  expect([image.width, image.height]).toEqual([width, height])
  const canvas = createCanvas(width, height)
  const ctx = canvas.getContext('2d')
  ctx.drawImage(image, 0, 0)
  const { data } = ctx.getImageData(0, 0, width, height)
  const colours = new Set<number>()
  let inked = 0
  for (let i = 0; i < data.length; i += 4) {
    colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!)
    if (data[i]! < 200 || data[i + 1]! < 200 || data[i + 2]! < 200) inked++
  }
  return { width, height, colours: colours.size, inkedShare: inked / (width * height) }
}

/** The text of the QR code in `png` (a screenshot of it), or null when none decodes. */
export async function decodeQr(png: Buffer): Promise<string | null> {
  const image = await loadImage(png)
  const canvas = createCanvas(image.width, image.height)
  const ctx = canvas.getContext('2d')
  ctx.drawImage(image, 0, 0)
  const { data, width, height } = ctx.getImageData(0, 0, image.width, image.height)
  return jsQR(new Uint8ClampedArray(data.buffer), width, height)?.data ?? null
}
