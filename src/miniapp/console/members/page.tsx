import { useRef, useState } from 'preact/hooks'
import { ApiError, type Ok, call } from '../../ui/api.ts'
import { fail, t } from '../state.ts'
import { number } from '../format.ts'
import { Profile } from './profile.tsx'
import { refusal, m, selected } from './state.ts'
import type { SearchField } from './texts.ts'

type Found = Ok<'/api/v1/members', 'get'>['items']
const FIELDS: SearchField[] = ['code', 'phone', 'name', 'tag']

/** The members page: a search, and the profile of the member chosen from its results. */
export function MembersPage() {
  const [found, setFound] = useState<Found | null>(null)
  if (selected.value)
    return (
      <>
        <button
          class="back secondary"
          onClick={() => {
            selected.value = null
            refusal.value = null
          }}
        >
          {`← ${m().back}`}
        </button>
        <Profile id={selected.value} />
      </>
    )
  return (
    <section class="card">
      <h2>{t().pageMembers}</h2>
      <Search onFound={setFound} />
      {found && found.length === 0 && <p class="hint">{m().noMatch}</p>}
      <ul class="list" data-testid="results">
        {found?.map((member) => (
          <li key={member.id}>
            <button
              class="result"
              data-member={member.id}
              onClick={() => (selected.value = member.id)}
            >
              <strong>{member.displayName}</strong>
              <span class="hint">
                {member.code}
                {member.phone ? ` · ${member.phone}` : ''}
              </span>
              <span class="points">{number(member.points.balance)}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  )
}

function Search({ onFound }: { onFound: (found: Found) => void }) {
  const field = useRef<HTMLSelectElement>(null)
  const text = useRef<HTMLInputElement>(null)
  const search = async () => {
    const by = (field.current?.value ?? 'code') as SearchField
    const value = text.current?.value.trim() ?? ''
    if (!value) return
    onFound((await call('get', '/api/v1/members', { query: { [by]: value } })).items)
  }
  return (
    <form
      class="form search"
      onSubmit={(event) => {
        event.preventDefault()
        // A tag with a slash is no tag anyone has: nothing matches, as for an unknown code.
        search().catch((error: unknown) =>
          error instanceof ApiError && error.code === 'invalid_input' ? onFound([]) : fail(error),
        )
      }}
    >
      <label>
        {m().searchBy}
        <select ref={field} name="field" defaultValue="name">
          {FIELDS.map((f) => (
            <option key={f} value={f}>
              {m().field[f]}
            </option>
          ))}
        </select>
      </label>
      <label class="grow">
        {m().searchFor}
        <input ref={text} name="q" type="search" maxLength={100} required />
      </label>
      <button type="submit">{m().search}</button>
    </form>
  )
}
