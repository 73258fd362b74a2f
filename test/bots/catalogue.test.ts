import { describe, expect, it } from 'vitest'
import { reasonLabel } from '../../src/bots/core/format.ts'
import { type MessageKey, t } from '../../src/bots/core/i18n.ts'
import { LEDGER_REASONS } from '../../src/domain/ledger/ledger.ts'
import { LOCALES } from '../../src/domain/programme/programme.ts'
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
  idempotency_mismatch: true,
  refund_exceeds_order: true,
  coupon_used: true,
  coupon_expired: true,
  coupon_void: true,
  invite_required: true,
  invite_invalid: true,
  self_referral: true,
  member_inactive: true,
  already_done: true,
  forbidden: true,
  unauthorized: true,
  closed: true,
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
})
