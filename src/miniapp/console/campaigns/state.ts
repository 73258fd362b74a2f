import { signal } from '@preact/signals'
import type { Ok } from '../../ui/api.ts'
import { locale } from '../state.ts'
import { CAMPAIGN_TEXTS } from './texts.ts'

export type Campaign = Ok<'/api/v1/campaigns/{id}', 'get'>

/** Whether the page shows the composer instead of the list. */
export const composing = signal(false)

export const ct = () => CAMPAIGN_TEXTS[locale.value]
