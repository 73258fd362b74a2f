import { describe, expect, it } from 'vitest'
import { reasonLabel } from '../../src/bots/core/format.ts'
import { type MessageKey, catalogueKeys, t } from '../../src/bots/core/i18n.ts'
import { LEDGER_REASONS } from '../../src/domain/ledger/ledger.ts'
import { LOCALES } from '../../src/domain/programme/programme.ts'
import { DEFAULT_TEMPLATES } from '../../src/domain/reminders/reminder-rules.ts'
import { texts } from '../../src/miniapp/i18n.ts'
import type { DomainErrorCode } from '../../src/shared/errors.ts'

/** Every code, listed through a Record so that a new code does not compile until it is here. */
const ERROR_CODES: Record<DomainErrorCode, true> = {
  invalid_input: true,
  not_found: true,
  member_not_found: true,
  reward_not_found: true,
  order_not_found: true,
  coupon_not_found: true,
  member_exists: true,
  identity_taken: true,
  insufficient_points: true,
  out_of_stock: true,
  limit_reached: true,
  tier_required: true,
  reward_inactive: true,
  reward_retired: true,
  image_unsupported: true,
  idempotency_mismatch: true,
  idempotency_key_required: true,
  refund_exceeds_order: true,
  pending_points_decided: true,
  order_in_future: true,
  order_too_old: true,
  order_lines_mismatch: true,
  benefit_not_granted: true,
  coupon_used: true,
  coupon_expired: true,
  coupon_void: true,
  invite_required: true,
  invite_invalid: true,
  self_referral: true,
  member_inactive: true,
  already_done: true,
  win_back_disabled: true,
  forbidden: true,
  unauthorized: true,
  oauth_state_mismatch: true,
  closed: true,
  tier_already_held: true,
  lottery_exhausted: true,
  already_started: true,
  birthday_locked: true,
  webhooks_not_configured: true,
}

describe('the chat and mini-app catalogues', () => {
  it('name every ledger reason in both languages, lottery draws and prizes included', () => {
    for (const locale of LOCALES)
      for (const reason of LEDGER_REASONS) {
        const label = reasonLabel(locale, reason)
        expect(label, `${locale} ${reason}`).toBeTruthy()
        expect(label).not.toBe(reason)
      }
    expect(reasonLabel('zh-CN', 'lottery_prize')).toBe('抽奖奖品')
    expect(reasonLabel('en', 'lottery')).toBe('Lucky draw')
  })

  it('give every domain error code its own words in both languages, not the generic error', () => {
    for (const locale of LOCALES)
      for (const code of Object.keys(ERROR_CODES)) {
        const render = t as (l: typeof locale, k: MessageKey, p?: unknown) => string
        const words = render(locale, `error.${code}` as MessageKey, {})
        expect(words, `${locale} ${code}`).toBeTruthy()
        expect(words).not.toBe(t(locale, 'error.generic'))
      }
  })

  it('the mini-app labels every reason the API sends, in both languages', () => {
    for (const locale of ['zh-CN', 'en'] as const) {
      const labels = texts(locale).reason
      expect(Object.keys(labels).sort()).toEqual([...LEDGER_REASONS].sort())
      for (const label of Object.values(labels)) expect(label).toBeTruthy()
    }
  })

  it('address members with 你, never 您: chat, default reminders and the mini-app', () => {
    const anything = new Proxy({}, { get: () => '1' })
    const render = t as (l: 'zh-CN', k: string, p?: unknown) => string
    const chat = catalogueKeys['zh-CN'].map((key) => render('zh-CN', key, anything))
    const reminders = Object.values(DEFAULT_TEMPLATES).map((template) => template['zh-CN'])
    const page = Object.values(texts('zh-CN')).flatMap((text) =>
      typeof text === 'function'
        ? [(text as (p: unknown) => string)(anything)]
        : typeof text === 'string'
          ? [text]
          : Object.values(text),
    )
    for (const text of [...chat, ...reminders, ...page]) expect(text).not.toContain('您')
  })

  it('counts in English agree with their number: 1 free draw, 1 point a draw, 2 points', () => {
    expect(t('en', 'lottery.free', { count: 1 })).toBe('1 free draw left today')
    expect(t('en', 'lottery.free', { count: 2 })).toBe('2 free draws left today')
    expect(t('en', 'lottery.cost', { cost: 1 })).toBe('1 point a draw')
    expect(t('en', 'lottery.chances', { count: 1 })).toBe('You have 1 draw chance')
    expect(t('en', 'checkin.done', { points: 1, balance: 6 })).toBe(
      '✅ Checked in: +1 point! You have 6.',
    )
    expect(t('en', 'rewards.line', { name: 'Tea', cost: 2, stock: '' })).toBe('• Tea — 2 points')
    expect(texts('en').drawCost({ cost: 1, free: 0 })).toBe('1 point a draw')
    expect(texts('en').drawsLeft({ left: 1 })).toBe('1 draw left')
  })

  it('tells nobody to tap where there may be no buttons (WeChat), in either language', () => {
    const anything = new Proxy({}, { get: () => '1' })
    for (const locale of LOCALES)
      for (const key of catalogueKeys[locale]) {
        if (key === 'app.open') continue // sent only with Telegram's web-app button
        const render = t as (l: typeof locale, k: string, p?: unknown) => string
        expect(render(locale, key, anything), key).not.toMatch(/点「|\btap\b/i)
      }
  })
})
