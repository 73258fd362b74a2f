import { writeFileSync } from 'node:fs'
import QRCode from 'qrcode'

const WIDTH = 640
const HEIGHT = 480
const MODULE_PX = 8

/**
 * A one-frame Y4M video of `text` as a QR code, black on white in the middle of the picture:
 * what Chromium's fake camera (`--use-file-for-fake-video-capture`) shows the page, over and
 * over, so that the page's own decoder reads it from a real MediaStream.
 */
export function writeQrVideo(path: string, text: string): void {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' })
  const luma = Buffer.alloc(WIDTH * HEIGHT, 255)
  const left = Math.floor((WIDTH - modules.size * MODULE_PX) / 2)
  const top = Math.floor((HEIGHT - modules.size * MODULE_PX) / 2)
  for (let row = 0; row < modules.size; row++)
    for (let col = 0; col < modules.size; col++) {
      if (!modules.get(row, col)) continue
      for (let y = 0; y < MODULE_PX; y++)
        luma.fill(
          0,
          (top + row * MODULE_PX + y) * WIDTH + left + col * MODULE_PX,
          (top + row * MODULE_PX + y) * WIDTH + left + (col + 1) * MODULE_PX,
        )
    }
  // 4:2:0: each chroma plane is a quarter of the picture; 128 is no colour.
  const chroma = Buffer.alloc((WIDTH / 2) * (HEIGHT / 2) * 2, 128)
  const header = `YUV4MPEG2 W${WIDTH} H${HEIGHT} F10:1 Ip A1:1 C420jpeg\nFRAME\n`
  writeFileSync(path, Buffer.concat([Buffer.from(header), luma, chroma]))
}
