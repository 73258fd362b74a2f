import QRCode from 'qrcode'

/**
 * A code as a QR picture drawn here, from qrcode's own module matrix: nothing is fetched, and
 * staff can scan it from the member's screen. One SVG path keeps a large code cheap to draw.
 */
export function Qr({ text, label, testId }: { text: string; label: string; testId?: string }) {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' })
  const size = modules.size
  const quiet = 4
  let path = ''
  for (let row = 0; row < size; row++)
    for (let col = 0; col < size; col++)
      if (modules.get(row, col)) path += `M${col + quiet} ${row + quiet}h1v1h-1z`
  return (
    <svg
      class="qr-code"
      role="img"
      aria-label={label}
      data-testid={testId}
      data-modules={size}
      viewBox={`0 0 ${size + quiet * 2} ${size + quiet * 2}`}
      shape-rendering="crispEdges"
    >
      <rect width="100%" height="100%" fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  )
}
