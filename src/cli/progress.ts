import type { ImportProgress } from '../domain/customer-data/member-import.service.ts'

/** Where progress goes: process.stderr, or anything shaped like it. */
export interface ProgressStream {
  isTTY?: boolean
  columns?: number
  write(text: string): unknown
}

/** Plain lines (a log, a pipe) come at most this often, so a long import does not flood them. */
const PLAIN_EVERY_MS = 1_000
const BAR_WIDTH = 24

function describe(p: ImportProgress): string {
  const counts = `${p.created} created, ${p.updated} updated, ${p.unchanged} unchanged, ${p.failed} not imported`
  return `${p.rowsRead} of ${p.rowsTotal} rows (${counts})`
}

/**
 * The progress of `jifen import`, drawn on `stream`: a bar redrawn in place on a terminal,
 * plain lines otherwise. The last state is always written, so a log ends with the totals.
 */
export function importProgress(
  stream: ProgressStream,
  now: () => number = () => performance.now(),
): { update(progress: ImportProgress): void; end(): void } {
  let last: ImportProgress | undefined
  let wroteAt = -Infinity
  const draw = (p: ImportProgress) => {
    const share = p.bytesTotal ? Math.min(1, p.bytesRead / p.bytesTotal) : 1
    const filled = Math.round(share * BAR_WIDTH)
    const line = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(share * 100)).padStart(3)}% ${describe(p)}`
    // Cut to the terminal's width, or a wrapped line would not be redrawn in place.
    stream.write(`\r${line.slice(0, (stream.columns ?? 80) - 1)}\x1b[K`)
  }
  return {
    update(progress) {
      last = progress
      if (stream.isTTY) return draw(progress)
      if (now() - wroteAt < PLAIN_EVERY_MS) return
      wroteAt = now()
      stream.write(`importing: ${describe(progress)}\n`)
    },
    end() {
      if (!last) return
      if (stream.isTTY) {
        draw(last)
        stream.write('\n')
      } else {
        stream.write(`imported: ${describe(last)}\n`)
      }
    },
  }
}
