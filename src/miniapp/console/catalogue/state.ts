import { signal } from '@preact/signals'
import { type Ok, call } from '../../ui/api.ts'
import { locale, staff } from '../state.ts'
import { CATALOGUE_TEXTS } from './texts.ts'

export type Reward = Ok<'/api/v1/rewards/{id}', 'get'>
export type Localized = Reward['name']

/** What the page shows instead of the list: a reward's form (new or one to change), or none. */
export const editing = signal<Reward | 'new' | null>(null)

export const ct = () => CATALOGUE_TEXTS[locale.value]

/** Whether the signed-in role may change the catalogue, as the server's access table says. */
export const mayEdit = () => staff.value?.operations.includes('POST /api/v1/rewards') ?? false

/** Both languages of a merchant's text, the reader's first: the console edits both. */
export const bothTexts = (text: Localized | null): string[] =>
  text
    ? (locale.value === 'en' ? [text.en, text['zh-CN']] : [text['zh-CN'], text.en]).filter(Boolean)
    : []

export const pause = (reward: Reward, active: boolean) =>
  call('patch', '/api/v1/rewards/{id}', { params: { id: reward.id }, body: { active } })
