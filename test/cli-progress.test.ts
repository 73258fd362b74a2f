import { describe, expect, it } from 'vitest'
import { importProgress } from '../src/cli/progress.ts'
import type { ImportProgress } from '../src/domain/customer-data/member-import.service.ts'

const at = (rowsRead: number): ImportProgress => ({
  rowsTotal: 200,
  rowsRead,
  bytesRead: rowsRead * 10,
  bytesTotal: 2_000,
  created: rowsRead,
  updated: 0,
  unchanged: 0,
  failed: 0,
})

describe('the progress of jifen import', () => {
  it('on a terminal, a bar is redrawn in place and ends with a line break', () => {
    const out: string[] = []
    const progress = importProgress({ isTTY: true, columns: 200, write: (t) => out.push(t) })
    progress.update(at(50))
    progress.update(at(200))
    progress.end()
    expect(out[0]).toMatch(/^\r\[#{6}-{18}\]  25% 50 of 200 rows \(50 created/)
    expect(out[1]).toMatch(/^\r\[#{24}\] 100% 200 of 200 rows/)
    expect(out.at(-1)).toBe('\n')
  })

  it('a bar never wraps past the terminal width', () => {
    const out: string[] = []
    const progress = importProgress({ isTTY: true, columns: 40, write: (t) => out.push(t) })
    progress.update(at(10))
    expect(out[0]!.replace('\r', '').replace('\x1b[K', '').length).toBeLessThan(40)
  })

  it('elsewhere, plain lines at most once a second, then the totals', () => {
    const out: string[] = []
    let clock = 0
    const progress = importProgress({ write: (t) => out.push(t) }, () => clock)
    progress.update(at(10))
    clock = 500
    progress.update(at(20))
    clock = 1_200
    progress.update(at(150))
    progress.end()
    expect(out).toEqual([
      'importing: 10 of 200 rows (10 created, 0 updated, 0 unchanged, 0 not imported)\n',
      'importing: 150 of 200 rows (150 created, 0 updated, 0 unchanged, 0 not imported)\n',
      'imported: 150 of 200 rows (150 created, 0 updated, 0 unchanged, 0 not imported)\n',
    ])
  })
})
