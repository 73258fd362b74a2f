import { useEffect, useRef, useState } from 'preact/hooks'
import { c } from './state.ts'

/** Frames are decoded this small: a QR code at the counter fills the picture, and each try stays short. */
const MAX_SIDE = 480
const SCAN_EVERY_MS = 150

/**
 * The device's camera, read for a QR code in a browser (Telegram has its own scanner). jsQR,
 * loaded only when the camera opens, decodes one small frame at a time between pauses, so
 * that the page never stalls; the first code read goes to `onCode` and the camera stops.
 */
export function Camera({ onCode }: { onCode: (code: string) => void }) {
  const video = useRef<HTMLVideoElement>(null)
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    let stopped = false
    let stream: MediaStream | undefined
    let timer: number | undefined
    const canvas = document.createElement('canvas')
    const context = canvas.getContext('2d', { willReadFrequently: true })
    const start = async () => {
      const [{ default: jsQR }, media] = await Promise.all([
        import('jsqr'),
        navigator.mediaDevices.getUserMedia({
          video: { facingMode: 'environment' },
          audio: false,
        }),
      ])
      stream = media
      // Closed while the camera was being opened: the cleanup has run, so stop it here.
      if (stopped || !video.current || !context) return media.getTracks().forEach((t) => t.stop())
      video.current.srcObject = media
      await video.current.play()
      const frame = () => {
        const source = video.current
        if (stopped || !source) return
        if (source.videoWidth > 0) {
          const scale = Math.min(1, MAX_SIDE / Math.max(source.videoWidth, source.videoHeight))
          canvas.width = Math.round(source.videoWidth * scale)
          canvas.height = Math.round(source.videoHeight * scale)
          context.drawImage(source, 0, 0, canvas.width, canvas.height)
          const { data, width, height } = context.getImageData(0, 0, canvas.width, canvas.height)
          const found = jsQR(data, width, height, { inversionAttempts: 'dontInvert' })
          if (found?.data) return onCode(found.data)
        }
        timer = window.setTimeout(frame, SCAN_EVERY_MS)
      }
      frame()
    }
    start().catch(() => !stopped && setFailed(true))
    return () => {
      stopped = true
      window.clearTimeout(timer)
      stream?.getTracks().forEach((track) => track.stop())
    }
  }, [])
  if (failed || !navigator.mediaDevices)
    return (
      <p class="counter-state refused" role="alert">
        {c().noCamera}
      </p>
    )
  return (
    <figure class="camera">
      <video ref={video} muted playsInline data-testid="camera" />
      <figcaption class="hint">{c().cameraHint}</figcaption>
    </figure>
  )
}
