import { call } from '../../ui/api.ts'
import { useLoad } from '../../ui/load.ts'
import { RewardCard } from '../../member/reward-card.tsx'
import { fail, version } from '../state.ts'
import { ct } from './state.ts'

/**
 * The reward as members see it, drawn by the member page's own card in each language, from
 * what the server would send a member reading that language.
 */
const LOCALES = ['zh-CN', 'en'] as const

export function RewardPreview({ id }: { id: string }) {
  const preview = useLoad(
    () => call('get', '/api/v1/rewards/{id}/preview', { params: { id } }),
    [id, version.value],
    fail,
  )
  if (!preview) return null
  const blocked = preview['zh-CN'].blockedBy
  return (
    <div class="preview" data-testid="preview">
      {blocked && (
        <p class="hint">
          {ct().blockedNote} {ct().refusal[blocked] ?? blocked}
        </p>
      )}
      {LOCALES.map((locale) => (
        // inert: the card looks as the member's does, its button included, but does nothing here.
        <figure key={locale} lang={locale} data-locale={locale} inert>
          <figcaption class="hint">{ct().previewIn[locale]}</figcaption>
          <RewardCard reward={preview[locale]} locale={locale} onRedeem={() => undefined} />
        </figure>
      ))}
    </div>
  )
}
