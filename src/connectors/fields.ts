import { DomainError } from '../shared/errors.ts'

/** How many decimals a currency's minor unit has (CNY 2, JPY 0, KWD 3), from ICU's table. */
export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits!
  } catch {
    throw new DomainError('invalid_input', `${currency} is not a currency code`, {
      field: 'currency',
    })
  }
}

/**
 * A shop's decimal string ("199.90", "-5.00", "12") in integer minor units, read digit by digit:
 * through a float, 0.29 × 100 is 28.999…, and a cent would be lost.
 */
export function toMinorUnits(decimal: string | number, currency: string): number {
  const text = String(decimal).trim()
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text)
  if (!match) throw new DomainError('invalid_input', `${JSON.stringify(text)} is not an amount`)
  const [, sign, whole, fraction = ''] = match
  const digits = minorDigits(currency)
  if (fraction.replace(/0+$/, '').length > digits) {
    throw new DomainError(
      'invalid_input',
      `${text} has more decimals than ${currency}'s minor unit (${digits})`,
    )
  }
  const units = Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0')
  if (!Number.isSafeInteger(units)) throw new DomainError('invalid_input', `${text} is too large`)
  return sign ? -units : units
}

/** A buyer's name from a shop's two fields: 王小明 family name first and unspaced, John Smith given name first. */
export function personName(first?: string | null, last?: string | null): string | undefined {
  const given = first?.trim() ?? ''
  const family = last?.trim() ?? ''
  if (!given || !family) return given || family || undefined
  return /\p{Script=Han}/u.test(given + family) ? family + given : `${given} ${family}`
}
