import type { Locale } from '../i18n.ts'

/** A text the server sends in both languages (a reward's name, a tier's). */
export interface Localized {
  'zh-CN': string
  en: string
}

/**
 * A merchant's text in the reader's language, else the other: a language may be left out ('').
 * The same fallback as `localize` on the server, which the page cannot import; the console
 * needs it because staff switch language in the page, after the server has answered.
 */
export const inLocale = (text: Localized, locale: Locale) =>
  locale === 'en' ? text.en || text['zh-CN'] : text['zh-CN'] || text.en

export const dayIn = (iso: string, locale: Locale) =>
  new Date(iso).toLocaleDateString(locale, { year: 'numeric', month: '2-digit', day: '2-digit' })

export const momentIn = (iso: string, locale: Locale) =>
  new Date(iso).toLocaleString(locale, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  })

export const numberIn = (n: number, locale: Locale) => n.toLocaleString(locale)
