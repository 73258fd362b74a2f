import { DateTime } from 'luxon'
import { tagSchema } from '../segments/segments.ts'
import { checkBirthday, normalizeEmail, normalizePhone } from '../members/members.ts'
import { DomainError } from '../../shared/errors.ts'
import { type Locale, type Programme } from '../programme/programme.ts'

/**
 * The columns of a members CSV, in the order exports write them. Imports accept them in any
 * order, under these names or the aliases below (English or Chinese, as shops' own systems and
 * spreadsheets name them); unknown columns are reported and ignored.
 */
export const MEMBER_COLUMNS = [
  'code',
  'external_id',
  'name',
  'phone',
  'email',
  'birthday',
  'gender',
  'region',
  'locale',
  'tier',
  'tags',
  'points',
  'marketing_consent',
  'joined_at',
  'telegram_id',
  'wechat_id',
  'official_openid',
] as const
export type MemberColumn = (typeof MEMBER_COLUMNS)[number]

const ALIASES: Record<MemberColumn, string[]> = {
  code: ['member_code', '会员码'],
  external_id: [
    'externalid',
    'customer_id',
    'customer_no',
    'member_no',
    'card_no',
    '外部编号',
    '客户编号',
    '会员编号',
    '会员卡号',
    '卡号',
  ],
  name: [
    'display_name',
    'displayname',
    'full_name',
    'member_name',
    '姓名',
    '名字',
    '会员名称',
    '客户名称',
    '昵称',
  ],
  phone: [
    'mobile',
    'phone_number',
    'mobile_phone',
    'tel',
    '手机号',
    '手机',
    '手机号码',
    '电话',
    '联系电话',
  ],
  email: ['e_mail', 'mail', 'email_address', '邮箱', '电子邮箱', '邮件'],
  birthday: ['birth_date', 'date_of_birth', 'dob', '生日', '出生日期'],
  gender: ['sex', '性别'],
  region: ['city', 'area', '地区', '城市', '所在地区', '区域'],
  locale: ['language', 'lang', '语言'],
  tier: ['level', 'tier_code', '等级', '会员等级'],
  tags: ['tag', 'labels', '标签', '会员标签'],
  points: [
    'balance',
    'points_balance',
    'opening_points',
    '积分',
    '积分余额',
    '可用积分',
    '当前积分',
  ],
  marketing_consent: [
    'marketing',
    'opt_in',
    'optin',
    '接收营销',
    '营销许可',
    '同意营销',
    '接收活动消息',
  ],
  joined_at: [
    'joined',
    'join_date',
    'registered_at',
    'created_at',
    '入会时间',
    '注册时间',
    '加入时间',
  ],
  telegram_id: ['telegram', 'telegramid'],
  wechat_id: ['wechat', 'wechatid', '微信id'],
  official_openid: ['openid', 'official_account_openid', '公众号openid'],
}

const BY_NAME = new Map<string, MemberColumn>(
  MEMBER_COLUMNS.flatMap((column) =>
    [column, ...ALIASES[column]].map((name) => [name, column] as [string, MemberColumn]),
  ),
)

/** A header cell as a column: case, spaces and hyphens do not matter ("External ID"). */
export function columnOf(header: string): MemberColumn | undefined {
  return BY_NAME.get(
    header
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_'),
  )
}

/** A member as one CSV row states them; fields the row leaves empty are absent. */
export interface MemberRecord {
  line: number
  code?: string
  externalId?: string
  displayName?: string
  phone?: string
  email?: string
  birthday?: string
  gender?: 'female' | 'male' | 'other'
  region?: string
  locale?: Locale
  tierCode?: string
  tags: string[]
  /** The opening balance: points the member brings from the merchant's previous system. */
  points?: number
  marketingConsent?: boolean
  joinedAt?: string
  telegramId?: string
  wechatId?: string
  officialOpenId?: string
}

export interface RowIssue {
  line: number
  column?: string
  /** Stable: `invalid_value`, `missing_name`, `missing_identifier`, `duplicate_in_file`, `conflict`, `member_inactive`, `malformed_csv`, `wrong_cell_count`. */
  code: string
  message: string
}

const CODE = /^[2-9A-HJ-KMNP-Z]{8}$/
const GENDERS: Record<string, 'female' | 'male' | 'other'> = {
  female: 'female',
  f: 'female',
  woman: 'female',
  女: 'female',
  男: 'male',
  male: 'male',
  m: 'male',
  man: 'male',
  other: 'other',
  其他: 'other',
}
const YES = new Set(['true', 'yes', 'y', '1', '是', '同意', '接收'])
const NO = new Set(['false', 'no', 'n', '0', '否', '不同意', '不接收'])
const LOCALE_WORDS: Record<string, Locale> = {
  中文: 'zh-CN',
  简体中文: 'zh-CN',
  英文: 'en',
  english: 'en',
}
const TAG_SEPARATORS = /[;；,，、|]/

class CellError extends Error {}

/** Y-M-D with `-`, `/`, `.` or 年月日, as spreadsheets write dates; a real calendar date. */
function calendarDate(value: string): DateTime {
  const match = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(value)
  const date = match
    ? DateTime.fromObject(
        { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) },
        { zone: 'utc' },
      )
    : undefined
  if (!date?.isValid) throw new CellError(`${JSON.stringify(value)} is not a date like 1990-05-20`)
  return date
}

function instant(value: string, timezone: string): string {
  const iso = DateTime.fromISO(value, { setZone: true })
  if (iso.isValid && /[T ]\d{2}:\d{2}.*(Z|[+-]\d{2}:?\d{2})$/.test(value))
    return iso.toUTC().toISO()
  const local = /^(.+?)(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(value)!
  const day = calendarDate(local[1]!)
  const at = DateTime.fromObject(
    {
      year: day.year,
      month: day.month,
      day: day.day,
      hour: Number(local[2] ?? 0),
      minute: Number(local[3] ?? 0),
      second: Number(local[4] ?? 0),
    },
    { zone: timezone },
  )
  if (!at.isValid) throw new CellError(`${JSON.stringify(value)} is not a date and time`)
  return at.toUTC().toISO()
}

/** Reads one cell of a column into the record; throws CellError with the reason it is not valid. */
function readCell(
  record: MemberRecord,
  column: MemberColumn,
  value: string,
  programme: Programme,
  now: Date,
): void {
  switch (column) {
    case 'code': {
      const code = value.toUpperCase()
      if (!CODE.test(code))
        throw new CellError(`${JSON.stringify(value)} is not a member code (8 letters and digits)`)
      record.code = code
      return
    }
    case 'external_id':
      if (value.length > 200) throw new CellError('at most 200 characters')
      record.externalId = value
      return
    case 'name':
      if (value.length > 100) throw new CellError('at most 100 characters')
      record.displayName = value
      return
    case 'phone':
      if (/^\d(\.\d+)?e\+?\d+$/i.test(value))
        throw new CellError(
          `${JSON.stringify(value)}: the spreadsheet turned the phone number into a number; format the column as text and export again`,
        )
      try {
        record.phone = normalizePhone(value, programme.phoneRegion)
      } catch {
        throw new CellError(`${JSON.stringify(value)} is not a valid phone number`)
      }
      return
    case 'email':
      try {
        record.email = normalizeEmail(value)
      } catch {
        throw new CellError(`${JSON.stringify(value)} is not an email address`)
      }
      return
    case 'birthday': {
      try {
        record.birthday = checkBirthday(calendarDate(value).toISODate()!, programme.timezone, now)
      } catch (error) {
        if (error instanceof DomainError) throw new CellError(`${value}: ${error.message}`)
        throw error
      }
      return
    }
    case 'gender': {
      const gender = GENDERS[value.toLowerCase()]
      if (!gender)
        throw new CellError(`${JSON.stringify(value)}: expected female, male or other (女/男/其他)`)
      record.gender = gender
      return
    }
    case 'region':
      if (value.length > 100) throw new CellError('at most 100 characters')
      record.region = value
      return
    case 'locale': {
      const lower = value.toLowerCase()
      const locale =
        LOCALE_WORDS[lower] ??
        (/^zh([-_]|$)/.test(lower) ? 'zh-CN' : /^en([-_]|$)/.test(lower) ? 'en' : undefined)
      if (!locale) throw new CellError(`${JSON.stringify(value)}: expected zh-CN or en`)
      record.locale = locale
      return
    }
    case 'tier': {
      const lower = value.toLowerCase()
      const tier = programme.tiers.find(
        (t) => t.code === lower || t.name['zh-CN'] === value || t.name.en.toLowerCase() === lower,
      )
      if (!tier)
        throw new CellError(
          `${JSON.stringify(value)} is not a tier of the programme (${programme.tiers.map((t) => t.code).join(', ')})`,
        )
      record.tierCode = tier.code
      return
    }
    case 'tags': {
      const tags = value
        .split(TAG_SEPARATORS)
        .map((tag) => tag.trim())
        .filter(Boolean)
      for (const tag of tags) {
        if (!tagSchema.safeParse(tag).success)
          throw new CellError(`${JSON.stringify(tag)}: a tag is at most 50 characters, without /`)
      }
      if (tags.length > 50) throw new CellError('at most 50 tags')
      record.tags = [...new Set(tags)]
      return
    }
    case 'points': {
      const digits = value.replace(/[,\s]/g, '')
      const points = Number(digits)
      if (!/^\d+$/.test(digits) || !Number.isSafeInteger(points) || points > 1_000_000_000)
        throw new CellError(
          `${JSON.stringify(value)}: expected a whole number of points, 0 or more`,
        )
      record.points = points
      return
    }
    case 'marketing_consent': {
      const lower = value.toLowerCase()
      if (YES.has(lower)) record.marketingConsent = true
      else if (NO.has(lower)) record.marketingConsent = false
      else throw new CellError(`${JSON.stringify(value)}: expected yes or no (是/否)`)
      return
    }
    case 'joined_at': {
      const at = instant(value, programme.timezone)
      if (new Date(at) > now) throw new CellError(`${value} is in the future`)
      record.joinedAt = at
      return
    }
    case 'telegram_id':
      if (!/^\d{1,20}$/.test(value)) throw new CellError('a Telegram user id is digits')
      record.telegramId = value
      return
    case 'wechat_id':
      if (value.length > 200) throw new CellError('at most 200 characters')
      record.wechatId = value
      return
    case 'official_openid':
      if (value.length > 200) throw new CellError('at most 200 characters')
      record.officialOpenId = value
  }
}

/** The record a row states, or every reason its cells are not valid. */
export function readMemberRow(
  line: number,
  columns: (MemberColumn | undefined)[],
  cells: string[],
  programme: Programme,
  now: Date,
): { record: MemberRecord } | { issues: RowIssue[] } {
  const record: MemberRecord = { line, tags: [] }
  const issues: RowIssue[] = []
  if (cells.length > columns.length && cells.slice(columns.length).some(Boolean)) {
    issues.push({
      line,
      code: 'wrong_cell_count',
      message: `the row has ${cells.length} cells, the header ${columns.length}: is a comma missing its quotes?`,
    })
  }
  columns.forEach((column, i) => {
    const value = cells[i] ?? ''
    if (!column || value === '') return
    try {
      // PostgreSQL text cannot hold NUL where SQLite would: refused alike on both.
      if (value.includes('\u0000')) throw new CellError('text may not contain NUL (U+0000)')
      readCell(record, column, value, programme, now)
    } catch (error) {
      if (!(error instanceof CellError)) throw error
      issues.push({ line, column, code: 'invalid_value', message: `${column}: ${error.message}` })
    }
  })
  if (
    issues.length === 0 &&
    !record.externalId &&
    !record.phone &&
    !record.code &&
    !record.telegramId &&
    !record.wechatId &&
    !record.officialOpenId
  ) {
    issues.push({
      line,
      code: 'missing_identifier',
      message:
        'the row names no external_id, phone, code, telegram_id, wechat_id or official_openid to find the member by',
    })
  }
  return issues.length ? { issues } : { record }
}

/** The keys a record is found by, for finding the same member twice in one file. */
export function identifiersOf(record: MemberRecord): [string, string][] {
  return (
    [
      ['external_id', record.externalId],
      ['phone', record.phone],
      ['code', record.code],
      ['telegram_id', record.telegramId],
      ['wechat_id', record.wechatId],
      ['official_openid', record.officialOpenId],
    ] as [string, string | undefined][]
  ).filter((pair): pair is [string, string] => pair[1] !== undefined)
}
