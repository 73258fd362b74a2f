import { DateTime } from 'luxon'
import { z } from 'zod'
import type { LedgerReason } from '../ledger/ledger.ts'
import { MAX_HOLDOUT_PERCENT } from '../outbox/holdout.ts'

/**
 * The reminders and touchpoints the programme sends by itself. Order touchpoints (shipped,
 * delivered) and points changed are service messages about the member's own order or points;
 * every other kind is marketing:
 * it needs the member's consent (退订 stops it) and counts toward the frequency cap.
 */
export const REMINDER_KINDS = [
  'usage_cycle',
  'win_back',
  'points_expiring',
  'tier_upgrade',
  'tier_downgrade',
  'order_shipped',
  'order_delivered',
  'order_survey',
  'points_changed',
] as const
export type ReminderKind = (typeof REMINDER_KINDS)[number]

export const SERVICE_KINDS: ReadonlySet<ReminderKind> = new Set([
  'order_shipped',
  'order_delivered',
  'points_changed',
])

/**
 * The ledger reasons a member is told of by `points_changed`: points that moved without the
 * member doing it in the chat (staff's adjustment, an order's points, held points approved, a
 * refund taking them back, expiry). Check-ins, quizzes and redemptions are answered in the
 * chat already; a first-order bonus comes with its order's points.
 */
export const POINTS_CHANGED_REASONS = [
  'manual',
  'order',
  'points_approved',
  'order_refund',
  'expiry',
] as const satisfies readonly LedgerReason[]
export type PointsChangedReason = (typeof POINTS_CHANGED_REASONS)[number]

/** Each of those reasons as the member reads it in a points_changed message ({reason}). */
export const POINTS_CHANGED_REASON_WORDS: Record<
  PointsChangedReason,
  { 'zh-CN': string; en: string }
> = {
  manual: { 'zh-CN': '积分调整', en: 'adjustment' },
  order: { 'zh-CN': '消费积分', en: 'order points' },
  points_approved: { 'zh-CN': '积分审核通过', en: 'points approved' },
  order_refund: { 'zh-CN': '退款扣回', en: 'refund' },
  expiry: { 'zh-CN': '积分过期', en: 'points expired' },
}

/**
 * The kinds that are notifications about the member's own points, tier or order: the only ones
 * the Official Account may send as template messages (WeChat's rules forbid marketing in them).
 */
export const NOTIFICATION_KINDS = [
  'points_expiring',
  'tier_upgrade',
  'tier_downgrade',
  'order_shipped',
  'order_delivered',
  'points_changed',
] as const satisfies readonly ReminderKind[]
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number]

export function purposeOf(kind: ReminderKind): 'marketing' | 'service' {
  return SERVICE_KINDS.has(kind) ? 'service' : 'marketing'
}

export const COMMON_PLACEHOLDERS = ['name', 'programme', 'balance', 'tier'] as const

/** What each kind's template may name, beyond the common {name} {programme} {balance} {tier}. */
export const PLACEHOLDERS: Record<ReminderKind, readonly string[]> = {
  usage_cycle: ['product', 'days', 'date'],
  win_back: ['days', 'offer'],
  points_expiring: ['expiring', 'date'],
  tier_upgrade: ['benefits'],
  tier_downgrade: ['needed', 'date', 'nextTier'],
  order_shipped: ['order', 'earned', 'tracking'],
  order_delivered: ['order', 'earned', 'benefits'],
  order_survey: ['order'],
  points_changed: ['change', 'reason', 'date'],
}

type Template = { 'zh-CN': string; en: string }

/**
 * The texts a programme starts with; merchants replace any of them (programme `reminders.
 * templates`). Command words in them (兑换, 评价, rewards, survey) work on every channel.
 */
export const DEFAULT_TEMPLATES: Record<ReminderKind, Template> = {
  usage_cycle: {
    'zh-CN':
      '{name}，你购买的{product}预计{days}天后用完（{date}），需要补货吗？回复「兑换」看看积分能换什么。',
    en: '{name}, your {product} should run out in {days} days ({date}). Time to restock? Reply "rewards" to see what your points buy.',
  },
  win_back: {
    'zh-CN': '{name}，好久不见！你已经{days}天没来了。{offer}你现在有{balance}积分。',
    en: 'We miss you, {name}! It has been {days} days since your last visit. {offer}You have {balance} points.',
  },
  points_expiring: {
    'zh-CN': '{name}，你有{expiring}积分将于{date}过期，回复「兑换」用掉它们吧。',
    en: '{name}, {expiring} of your points expire on {date}. Reply "rewards" to use them.',
  },
  tier_upgrade: {
    'zh-CN': '恭喜{name}升级为{tier}！你的新权益：{benefits}',
    en: 'Congratulations {name}, you are now {tier}! Your new benefits: {benefits}',
  },
  tier_downgrade: {
    'zh-CN':
      '{name}，你的{tier}资格将于{date}到期评估，再消费{needed}即可保级，否则将调整为{nextTier}。',
    en: '{name}, your {tier} status is reviewed on {date}: {needed} more keeps it, otherwise it becomes {nextTier}.',
  },
  order_shipped: {
    'zh-CN': '{name}，你的订单{order}已发货{tracking}。本单获得{earned}积分，当前{balance}积分。',
    en: '{name}, your order {order} has shipped{tracking}. It earned you {earned} points; you have {balance}.',
  },
  order_delivered: {
    'zh-CN':
      '{name}，你的订单{order}已签收，获得{earned}积分，当前共{balance}积分。你是{tier}，享有：{benefits}',
    en: '{name}, your order {order} was delivered and earned {earned} points; you have {balance}. As {tier} you enjoy: {benefits}',
  },
  order_survey: {
    'zh-CN': '{name}，你对订单{order}满意吗？回复「评价」打个分吧。',
    en: '{name}, how was your order {order}? Reply "survey" to rate it.',
  },
  points_changed: {
    'zh-CN': '{name}，你的积分于{date}变动{change}（{reason}），当前{balance}积分。',
    en: '{name}, your points changed by {change} on {date} ({reason}); you have {balance}.',
  },
}

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time as HH:mm')
const days = (max: number) => z.number().int().min(0).max(max)
const enabled = z.boolean().default(true)
const template = z.object({
  'zh-CN': z.string().trim().min(1).max(1_000),
  en: z.string().trim().min(1).max(1_000),
})

/**
 * A template message of the Official Account for one notification kind: the id of a template
 * the merchant chose in the admin pages, and the text of each of its fields (`thing1`,
 * `time2`, `keyword1`, ...) with the kind's placeholders, in both languages.
 */
const officialTemplate = z.object({
  templateId: z
    .string()
    .trim()
    .regex(/^[\w-]{1,128}$/, 'the template id of the admin pages (模板ID)'),
  data: z
    .record(
      z.string().regex(/^[a-z][a-z_]{0,31}\d{0,3}$/, "a field of the template, such as 'thing1'"),
      z.object({
        'zh-CN': z.string().trim().min(1).max(200),
        en: z.string().trim().min(1).max(200),
      }),
    )
    .refine((data) => Object.keys(data).length >= 1 && Object.keys(data).length <= 20, {
      message: 'a template has 1 to 20 fields',
    }),
})

function placeholderList(kind: ReminderKind): string {
  return [...COMMON_PLACEHOLDERS, ...PLACEHOLDERS[kind]].map((p) => `{${p}}`).join(' ')
}

/** The placeholders in `text` that `kind` does not know. */
export function unknownPlaceholders(kind: ReminderKind, text: string): string[] {
  const known = new Set<string>([...COMMON_PLACEHOLDERS, ...PLACEHOLDERS[kind]])
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).filter((name) => !known.has(name))
}

export const remindersConfigSchema = z
  .object({
    /** At most this many marketing messages (campaigns included) per member in `days`. */
    frequencyCap: z
      .object({ messages: z.number().int().min(0).max(100), days: z.number().int().min(1).max(90) })
      .default({ messages: 2, days: 7 }),
    /** Local time at which a reminder falling on a day becomes due. */
    sendAt: hhmm.default('10:00'),
    /** A member who orders within this many days of a reminder counts as converted by it. */
    conversionDays: z.number().int().min(1).max(90).default(7),
    /**
     * A standing holdout per kind, in percent: that share of the reminders due is drawn out and
     * not sent, so that the results compare the members reminded with those who were not.
     */
    holdoutPercent: z
      .partialRecord(z.enum(REMINDER_KINDS), z.number().int().min(0).max(MAX_HOLDOUT_PERCENT))
      .default({}),
    usageCycle: z
      .object({ enabled, daysBefore: days(365).default(5) })
      .default({ enabled: true, daysBefore: 5 }),
    winBack: z
      .object({
        enabled,
        /** Only repeat customers are woken: members with at least this many orders. */
        minOrders: z.number().int().min(1).max(1_000).default(2),
        /** Days since the last order; each step once, optionally with a reward as a gift. */
        steps: z
          .array(
            z.object({ days: z.number().int().min(1).max(3_650), rewardId: z.string().optional() }),
          )
          .max(6)
          .refine(
            (steps) => steps.every((step, i) => i === 0 || step.days > steps[i - 1]!.days),
            'win-back steps are in increasing days',
          )
          .default([{ days: 30 }, { days: 60 }, { days: 90 }]),
        /** After the last step plus this many days a member is let go, not written to. */
        lastStepWindowDays: z.number().int().min(1).max(365).default(30),
      })
      .default({
        enabled: true,
        minOrders: 2,
        steps: [{ days: 30 }, { days: 60 }, { days: 90 }],
        lastStepWindowDays: 30,
      }),
    pointsExpiring: z
      .object({
        enabled,
        daysBefore: z.number().int().min(1).max(365).default(14),
        minPoints: z.number().int().min(1).default(1),
      })
      .default({ enabled: true, daysBefore: 14, minPoints: 1 }),
    tierUpgrade: z.object({ enabled }).default({ enabled: true }),
    tierDowngrade: z
      .object({ enabled, daysBefore: z.number().int().min(1).max(365).default(14) })
      .default({ enabled: true, daysBefore: 14 }),
    orderShipped: z.object({ enabled }).default({ enabled: true }),
    orderDelivered: z.object({ enabled }).default({ enabled: true }),
    /**
     * Off unless the merchant turns it on: it tells every member of each order's points on
     * every channel, which many merchants leave to the order's own notices.
     */
    pointsChanged: z.object({ enabled: z.boolean().default(false) }).default({ enabled: false }),
    orderSurvey: z
      .object({
        enabled,
        /** The survey to ask; absent is the newest active survey. */
        surveyId: z.string().optional(),
        /**
         * Ask after the shop reports the delivery, or after the order itself (counter sales,
         * shops that report no deliveries).
         */
        after: z.enum(['delivered', 'order']).default('delivered'),
        delayHours: z
          .number()
          .int()
          .min(0)
          .max(24 * 30)
          .default(24),
      })
      .default({ enabled: true, after: 'delivered', delayHours: 24 }),
    templates: z.partialRecord(z.enum(REMINDER_KINDS), template).default({}),
    /**
     * Template messages (模板消息) of the Official Account per notification kind: how a follower
     * is told outside the 48 hours in which a customer-service message is allowed.
     */
    officialTemplates: z.partialRecord(z.enum(NOTIFICATION_KINDS), officialTemplate).default({}),
  })
  .superRefine((config, ctx) => {
    for (const [kind, { data }] of Object.entries(config.officialTemplates)) {
      for (const [field, text] of Object.entries(data)) {
        for (const locale of ['zh-CN', 'en'] as const) {
          const unknown = unknownPlaceholders(kind as ReminderKind, text[locale])
          if (unknown.length > 0)
            ctx.addIssue({
              code: 'custom',
              path: ['officialTemplates', kind, 'data', field, locale],
              message: `unknown placeholder {${unknown[0]}}; ${kind} knows ${placeholderList(kind as ReminderKind)}`,
            })
        }
      }
    }
    for (const [kind, text] of Object.entries(config.templates)) {
      for (const locale of ['zh-CN', 'en'] as const) {
        const unknown = unknownPlaceholders(kind as ReminderKind, text[locale])
        if (unknown.length > 0)
          ctx.addIssue({
            code: 'custom',
            path: ['templates', kind, locale],
            message: `unknown placeholder {${unknown[0]}}; ${kind} knows ${placeholderList(kind as ReminderKind)}`,
          })
      }
    }
  })
export type RemindersConfig = z.infer<typeof remindersConfigSchema>

/** The Official Account's template for `kind`, if the programme sets one (notifications only). */
export function officialTemplateOf(
  config: RemindersConfig,
  kind: ReminderKind,
): RemindersConfig['officialTemplates'][NotificationKind] {
  return (NOTIFICATION_KINDS as readonly ReminderKind[]).includes(kind)
    ? config.officialTemplates[kind as NotificationKind]
    : undefined
}

/** Fills a template; a placeholder without a value becomes empty rather than showing braces. */
export function renderTemplate(text: string, values: Record<string, string | number>): string {
  return text
    .replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ''))
    .replace(/[ \t]{2,}/g, ' ')
    .trim()
}

// ---------------------------------------------------------------------------------------------
// Timing. Days are the merchant's local calendar days; a reminder that falls on a day is due
// at the programme's `sendAt` local time of that day.

export function dueOn(localDate: string, sendAt: string, timezone: string): Date {
  const [hour, minute] = sendAt.split(':').map(Number)
  return DateTime.fromISO(localDate, { zone: timezone })
    .set({ hour: hour!, minute: minute! })
    .toJSDate()
}

export function plusLocalDays(at: Date, days: number, timezone: string): string {
  return DateTime.fromJSDate(at, { zone: timezone }).plus({ days }).toISODate()!
}

/** Whole local days from `from`'s date to `to`'s date. */
export function localDaysBetween(from: Date, to: Date, timezone: string): number {
  const start = DateTime.fromJSDate(from, { zone: timezone }).startOf('day')
  const end = DateTime.fromJSDate(to, { zone: timezone }).startOf('day')
  return Math.round(end.diff(start, 'days').days)
}

/**
 * When to remind a member who bought `quantity` units of a product lasting `cycleDays` each:
 * `daysBefore` the supply runs out. The reminder is worth sending until a week after it ran out.
 */
/** An order's quantity of each SKU, its lines added up: a supply is counted per product. */
export function quantitiesBySku(items: { sku: string; quantity: number }[]): Map<string, number> {
  const quantities = new Map<string, number>()
  for (const item of items)
    quantities.set(item.sku, (quantities.get(item.sku) ?? 0) + item.quantity)
  return quantities
}

/** Days an order's supply of a product lasts: its quantity times the product's usage cycle. */
export function supplyDays(cycleDays: number, quantity: number): number {
  return cycleDays * quantity
}

export function usageReminderTiming(
  placedAt: Date,
  cycleDays: number,
  quantity: number,
  daysBefore: number,
  sendAt: string,
  timezone: string,
): { runOutDate: string; dueAt: Date; expiresAt: Date } {
  const days = supplyDays(cycleDays, quantity)
  const runOutDate = plusLocalDays(placedAt, days, timezone)
  const dueDate = plusLocalDays(placedAt, Math.max(days - daysBefore, 0), timezone)
  return {
    runOutDate,
    dueAt: dueOn(dueDate, sendAt, timezone),
    expiresAt: dueOn(plusLocalDays(placedAt, days + 7, timezone), sendAt, timezone),
  }
}

/**
 * The win-back step a customer whose last order was at `lastOrderAt` has reached by `now`:
 * only the highest (a customer found 95 days away hears once, not three times), due on the
 * day it was reached and worth sending until the next step, or for `lastStepWindowDays` after
 * the last one; past that the customer is let go. With `early` (staff send the win-back now to
 * a customer who is slipping), a customer who has reached no step yet gets the first, due now.
 */
export function winBackStep(
  lastOrderAt: Date,
  now: Date,
  steps: { days: number; rewardId?: string }[],
  lastStepWindowDays: number,
  sendAt: string,
  timezone: string,
  early = false,
): { index: number; days: number; rewardId?: string; dueAt: Date; expiresAt: Date } | null {
  const away = localDaysBetween(lastOrderAt, now, timezone)
  let index = -1
  steps.forEach((step, i) => {
    if (away >= step.days) index = i
  })
  if (index < 0 && !(early && steps.length > 0)) return null
  const brought = index < 0
  if (brought) index = 0
  const step = steps[index]!
  const until = steps[index + 1]?.days ?? step.days + lastStepWindowDays
  const expiresAt = dueOn(plusLocalDays(lastOrderAt, until, timezone), sendAt, timezone)
  if (expiresAt <= now) return null
  return {
    index,
    days: step.days,
    ...(step.rewardId ? { rewardId: step.rewardId } : {}),
    dueAt: brought ? now : dueOn(plusLocalDays(lastOrderAt, step.days, timezone), sendAt, timezone),
    expiresAt,
  }
}

/** Minor units as the member reads them: ¥12.50 / ¥12.5 → "¥12.50". */
export function formatMoney(minor: number, currency: string, locale: 'zh-CN' | 'en'): string {
  const format = new Intl.NumberFormat(locale === 'en' ? 'en-US' : 'zh-CN', {
    style: 'currency',
    currency,
  })
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2
  return format.format(minor / 10 ** digits)
}

/** A date as the member reads it: "11月23日" / "23 Nov". */
export function formatLocalDate(at: Date, timezone: string, locale: 'zh-CN' | 'en'): string {
  const local = DateTime.fromJSDate(at, { zone: timezone })
  return locale === 'en' ? local.setLocale('en').toFormat('d LLL') : local.toFormat('M月d日')
}
