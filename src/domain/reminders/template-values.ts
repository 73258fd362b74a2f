import {
  LOCALES,
  type Locale,
  type Programme,
  localize,
  tierAt,
  tierIndex,
} from '../programme/programme.ts'
import {
  COMMON_PLACEHOLDERS,
  DEFAULT_TEMPLATES,
  PLACEHOLDERS,
  POINTS_CHANGED_REASON_WORDS,
  type ReminderKind,
  formatLocalDate,
  formatMoney,
  renderTemplate,
  unknownPlaceholders,
} from './reminder-rules.ts'
import { benefitLabels } from '../tiers/benefits.ts'

type Text = { 'zh-CN': string; en: string }

/** The text members get for `kind` now: the merchant's, else the default. */
export function templateOf(config: Programme['reminders'], kind: ReminderKind): Text {
  return config.templates[kind] ?? DEFAULT_TEMPLATES[kind]
}

/** What every kind's text may name about the member: {name} {programme} {balance} {tier}, and
 *  the tier's {benefits}. */
export function commonValues(
  programme: Programme,
  member: { displayName: string; pointsBalance: number; tierCode: string | null },
  locale: Locale,
): Record<string, string | number> {
  const tier = tierAt(programme, Math.max(tierIndex(programme, member.tierCode), 0))
  const benefits =
    benefitLabels(tier)
      .map((b) => localize(b, locale))
      .join(locale === 'en' ? '; ' : '；') || (locale === 'en' ? 'member prices' : '会员价')
  return {
    name: member.displayName,
    programme: localize(programme.name, locale),
    balance: member.pointsBalance,
    tier: localize(tier.name, locale),
    benefits,
  }
}

const SAMPLE_NAME: Text = { 'zh-CN': '王小明', en: 'Alex Wang' }
const DAY_MS = 86_400_000

/**
 * A made-up member in the second tier (or the only one) with 1,280 points, and made-up values
 * of the kind's own placeholders, in the shapes the reminders give them when they are sent.
 */
function sampleValues(
  programme: Programme,
  kind: ReminderKind,
  locale: Locale,
  now: Date,
): Record<string, string | number> {
  const tz = programme.timezone
  const tierCode = tierAt(programme, 1).code
  const common = commonValues(
    programme,
    { displayName: SAMPLE_NAME[locale], pointsBalance: 1_280, tierCode },
    locale,
  )
  const inDays = (days: number) =>
    formatLocalDate(new Date(now.getTime() + days * DAY_MS), tz, locale)
  const own: Record<ReminderKind, Record<string, string | number>> = {
    usage_cycle: { product: locale === 'en' ? 'Shampoo' : '洗发水', days: 5, date: inDays(5) },
    win_back: { days: 45, offer: '' },
    points_expiring: { expiring: 300, date: inDays(14) },
    tier_upgrade: {},
    tier_downgrade: {
      needed: formatMoney(20_000, programme.currency, locale),
      date: inDays(14),
      nextTier: localize(tierAt(programme, 0).name, locale),
    },
    order_shipped: {
      order: 'ORD-1001',
      earned: 128,
      tracking: locale === 'en' ? ' (SF 1234567)' : '（SF 1234567）',
    },
    order_delivered: { order: 'ORD-1001', earned: 128 },
    order_survey: { order: 'ORD-1001' },
    points_changed: {
      change: '+128',
      reason: POINTS_CHANGED_REASON_WORDS.order[locale],
      date: inDays(0),
    },
  }
  return { ...common, ...own[kind] }
}

export interface TemplatePreview {
  kind: ReminderKind
  placeholders: string[]
  /** The text as the sample member reads it in each language. */
  rendered: Text
  /** Placeholders in the text that the kind does not know: saving it would be refused. */
  unknown: string[]
}

/** `text` (by default the kind's text now) filled in for a sample member in both languages. */
export function previewTemplate(
  programme: Programme,
  kind: ReminderKind,
  text: Text | undefined,
  now: Date,
): TemplatePreview {
  const source = text ?? templateOf(programme.reminders, kind)
  const rendered = Object.fromEntries(
    LOCALES.map((locale) => [
      locale,
      renderTemplate(source[locale], sampleValues(programme, kind, locale, now)),
    ]),
  ) as Text
  return {
    kind,
    placeholders: [...COMMON_PLACEHOLDERS, ...PLACEHOLDERS[kind]],
    rendered,
    unknown: [...new Set(LOCALES.flatMap((locale) => unknownPlaceholders(kind, source[locale])))],
  }
}
