import { isUtf8 } from 'node:buffer'
import { Readable } from 'node:stream'
import { parse } from 'csv-parse'
import { stringify } from 'csv-stringify/sync'
import { DomainError } from '../../shared/errors.ts'

/**
 * CSV as merchants move it through spreadsheets: Excel writes UTF-8 with a byte order mark
 * ("CSV UTF-8") or, in Chinese Windows, GB18030 ("CSV (逗号分隔)"); it quotes cells that hold
 * commas, quotes or line breaks and doubles the quotes inside them (RFC 4180).
 */

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf])

/**
 * The file as UTF-8 bytes. UTF-8 (with or without a byte order mark) is read as it is; a file
 * that is not valid UTF-8 is read as GB18030, which every Chinese Excel export is.
 */
export function toUtf8(file: Buffer): Buffer {
  if (file.subarray(0, 3).equals(UTF8_BOM)) return file.subarray(3)
  return isUtf8(file) ? file : Buffer.from(new TextDecoder('gb18030').decode(file), 'utf8')
}

/**
 * Cells a spreadsheet would run as a formula start with one of these (OWASP "CSV injection").
 * Exports prefix such cells with an apostrophe; imports take exactly one apostrophe off a
 * cell of apostrophes followed by one of them, so that every text comes back as it went out.
 */
const FORMULA_START = /^'*[=+\-@\t\r]/
const NEUTRALISED = /^'+[=+\-@\t\r]/

/** A text cell made safe to open in a spreadsheet; numbers are written as they are. */
export function neutralise(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell
}

/** The inverse of `neutralise`, applied to every cell read. */
export function restore(cell: string): string {
  return NEUTRALISED.test(cell) ? cell.slice(1) : cell
}

export type Cell = string | number | boolean | null | undefined

/**
 * CSV text of the rows, the header first when given: CRLF line ends, cells quoted only when
 * needed, texts neutralised against formulas. `bom` starts the text with a byte order mark, so
 * that Excel reads UTF-8 (Chinese) correctly; only the first chunk of a file carries it.
 */
export function toCsv(rows: Cell[][], options: { header?: string[]; bom?: boolean } = {}): string {
  const records = rows.map((row) =>
    row.map((cell) =>
      typeof cell === 'string' ? neutralise(cell) : cell === null || cell === undefined ? '' : cell,
    ),
  )
  const text = stringify(options.header ? [options.header, ...records] : records, {
    record_delimiter: 'windows',
    cast: { boolean: (value) => (value ? 'true' : 'false') },
  })
  return options.bom ? `\ufeff${text}` : text
}

export interface CsvRecord {
  /** The line of the file where the record starts (a quoted cell may span several lines). */
  line: number
  cells: string[]
  /** Bytes of the UTF-8 text read up to the end of this record, for progress. */
  bytes: number
}

export interface CsvProblem {
  line: number
  message: string
}

export interface CsvReader {
  /** Bytes of the UTF-8 text (a GB18030 file is read as UTF-8, which is longer). */
  totalBytes: number
  /** Every record that is not blank, the header first, as the parser reaches it. */
  records: AsyncGenerator<CsvRecord>
  /**
   * Problems that cost whole records (a quote never closed swallows the rest of the file),
   * complete once `records` is done.
   */
  problems: CsvProblem[]
}

const DELIMITERS = [',', ';', '\t'] as const

/** The delimiter the header line uses most: Excel writes `;` in some locales, WPS may write tabs. */
function delimiterOf(text: string): string {
  const first = text.slice(0, text.search(/\r?\n|$/))
  const counts = DELIMITERS.map((d) => first.split(d).length - 1)
  const best = counts.indexOf(Math.max(...counts))
  return counts[best]! > 0 ? DELIMITERS[best]! : ','
}

function countLf(bytes: Buffer, from: number, to: number): number {
  let count = 0
  for (let i = from; i < to; i++) if (bytes[i] === 0x0a) count++
  return count
}

/**
 * Handed to the parser in slices, so that it parses only as far as the reader has read: the
 * parser takes each slice in one synchronous go, so a small slice keeps that go short.
 */
const SLICE_BYTES = 4 * 1024

function* slices(bytes: Buffer): Generator<Buffer> {
  for (let at = 0; at < bytes.length; at += SLICE_BYTES) yield bytes.subarray(at, at + SLICE_BYTES)
}

/**
 * Reads a CSV file into trimmed, restored cells with the line each record starts on, one
 * record at a time: nothing but the file itself is held, and the work per record does not grow
 * with the file. Blank lines are skipped. Throws `invalid_input` when there is no header line.
 */
export function readCsv(file: Buffer): CsvReader {
  const bytes = toUtf8(file)
  const problems: CsvProblem[] = []
  async function* records(): AsyncGenerator<CsvRecord> {
    const skipped: string[] = []
    const parser = Readable.from(slices(bytes)).pipe(
      parse({
        delimiter: delimiterOf(bytes.subarray(0, 4096).toString('utf8')),
        info: true,
        raw: true,
        relax_column_count: true,
        relax_quotes: true,
        skip_empty_lines: true,
        skip_records_with_error: true,
        on_skip: (error) => {
          if (error) skipped.push(error.message)
        },
      }),
    )
    // csv-parse counts a CRLF inside a quoted cell as two lines, so lines are counted here, on
    // the bytes: a record ends on the line of its last byte and spans the line breaks it holds.
    // The count goes on from the previous record, never from the start of the file again.
    let scanned = 0
    let lastLine = 1
    let any = false
    for await (const row of parser as AsyncIterable<{
      record: string[]
      raw: string
      info: { bytes: number }
    }>) {
      const end = Math.max(row.info.bytes - 1, scanned)
      lastLine += countLf(bytes, scanned, end)
      scanned = end
      const inside = (row.raw.replace(/\r?\n$/, '').match(/\n/g) ?? []).length
      const cells = row.record.map((cell) => restore(cell.trim()))
      if (cells.every((cell) => cell === '')) continue
      any = true
      yield { line: lastLine - inside, cells, bytes: row.info.bytes }
    }
    if (!any) throw new DomainError('invalid_input', 'the file is empty: no header line')
    // With relaxed quotes the one error left is a quote opened and never closed, which takes the
    // rest of the file with it: it starts on the line after the last record read.
    for (const message of skipped)
      problems.push({
        line: lastLine + 1,
        message: /quote not closed/i.test(message)
          ? 'a quoted cell starting here is never closed, so the rest of the file could not be read'
          : message,
      })
  }
  return { records: records(), problems, totalBytes: bytes.length }
}
