import { useEffect, useRef, useState } from 'preact/hooks'
import { ApiError, call } from '../ui/api.ts'
import { inTelegram, telegramMainButton } from '../ui/telegram.ts'
import { type Locale, pickLocale } from '../i18n.ts'
import { type Me, fail, refresh, setLocale, t } from './state.ts'

/** Today on the phone's calendar as YYYY-MM-DD (the server checks against the shop's). */
function localToday(): string {
  const now = new Date()
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`
}

/** Name, birthday (once), consent and language; saved on Telegram's main button there. */
export function ProfileView({ member }: { member: Me['member'] }) {
  const form = useRef<HTMLFormElement>(null)
  const [status, setStatus] = useState('')
  // A birthday is set once: the member cannot move it to collect the birthday bonus again.
  const birthdaySet = member.birthday !== null
  const save = async () => {
    const field = (name: string) =>
      form.current!.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement
    const birthday = field('birthday').value
    const locale: Locale = pickLocale(field('locale').value)
    try {
      await call('patch', '/api/miniapp/me', {
        body: {
          displayName: field('displayName').value,
          ...(birthdaySet || !birthday ? {} : { birthday }),
          marketingConsent: (field('marketingConsent') as HTMLInputElement).checked,
          locale,
        },
      })
      setLocale(locale)
      await refresh()
      setStatus(t().saved)
    } catch (error) {
      const refused =
        error instanceof ApiError && error.code === 'birthday_locked'
          ? t().birthdayLocked
          : error instanceof ApiError && error.field === 'birthday'
            ? t().birthdayInvalid
            : null
      if (refused) setStatus(refused)
      else fail(error)
    }
  }
  useEffect(() => telegramMainButton(t().save, () => form.current?.requestSubmit()), [t().save])
  return (
    <form
      ref={form}
      class="card form"
      onSubmit={(event) => {
        event.preventDefault()
        void save()
      }}
    >
      <label>
        {t().name}
        <input name="displayName" defaultValue={member.displayName} maxLength={100} required />
      </label>
      <label>
        {t().birthday}
        <input
          name="birthday"
          type="date"
          defaultValue={member.birthday ?? ''}
          max={localToday()}
          disabled={birthdaySet}
        />
      </label>
      <p class="hint">{birthdaySet ? t().birthdayLocked : t().birthdayOnce}</p>
      <label class="check">
        <input name="marketingConsent" type="checkbox" defaultChecked={member.marketingConsent} />
        {t().marketing}
      </label>
      <label>
        {t().language}
        <select name="locale" value={member.locale}>
          <option value="zh-CN">简体中文</option>
          <option value="en">English</option>
        </select>
      </label>
      {!inTelegram && <button type="submit">{t().save}</button>}
      <p class="hint" role="status">
        {status}
      </p>
    </form>
  )
}
