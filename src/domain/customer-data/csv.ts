import { parse } from 'csv-parse/sync'
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
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(file)
    return file
  } catch {
    return Buffer.from(new TextDecoder('gb18030').decode(file), 'utf8')
  }
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
}

export interface ParsedCsv {
  header: string[]
  records: CsvRecord[]
  /** Problems that cost whole records: a quote never closed swallows the rest of the file. */
  problems: { line: number; message: string }[]
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
 * Reads a CSV file into trimmed, restored cells with the line each record starts on. Blank
 * lines are skipped. Throws `invalid_input` when there is no header line.
 */
export function parseCsv(file: Buffer): ParsedCsv {
  const bytes = toUtf8(file)
  const skipped: string[] = []
  const rows = parse(bytes, {
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
  }) as unknown as { record: string[]; raw: string; info: { bytes: number } }[]
  // csv-parse counts a CRLF inside a quoted cell as two lines, so lines are counted here, on
  // the bytes: a record ends on the line of its last byte and spans the line breaks it holds.
  let lastLine = 0
  const records = rows.flatMap(({ record, raw, info }) => {
    lastLine = 1 + countLf(bytes, 0, Math.max(info.bytes - 1, 0))
    const inside = (raw.replace(/\r?\n$/, '').match(/\n/g) ?? []).length
    const cells = record.map((cell) => restore(cell.trim()))
    return cells.every((cell) => cell === '') ? [] : [{ line: lastLine - inside, cells }]
  })
  const [header, ...body] = records
  if (!header) throw new DomainError('invalid_input', 'the file is empty: no header line')
  // With relaxed quotes the one error left is a quote opened and never closed, which takes the
  // rest of the file with it: it starts on the line after the last record read.
  const problems = skipped.map((message) => ({
    line: lastLine + 1,
    message: /quote not closed/i.test(message)
      ? 'a quoted cell starting here is never closed, so the rest of the file could not be read'
      : message,
  }))
  return { header: header.cells, records: body, problems }
}
