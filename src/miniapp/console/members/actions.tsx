import { useRef } from 'preact/hooks'
import { type Ok, call } from '../../ui/api.ts'
import { useLoad } from '../../ui/load.ts'
import { confirm } from '../confirm.tsx'
import { number } from '../format.ts'
import { fail, may, version } from '../state.ts'
import { explain, m, refusal } from './state.ts'

type Member = Ok<'/api/v1/members/{id}', 'get'>

const value = (form: HTMLFormElement, name: string) =>
  (form.elements.namedItem(name) as HTMLInputElement).value.trim()

/** What the role may do to a member: each form asks before it writes, as the chat does. */
export function Actions({ member }: { member: Member }) {
  const params = { id: member.id }
  const canAdjust = may('POST /api/v1/members/{id}/adjustments')
  const canEdit = may('PATCH /api/v1/members/{id}')
  const canExport = may('GET /api/v1/members/{id}/export')
  const canErase = may('POST /api/v1/members/{id}/erase')
  if (!canAdjust && !canEdit && !canExport && !canErase) return null
  return (
    <div class="member-actions">
      {canAdjust && (
        <form
          class="form"
          data-testid="adjust"
          onSubmit={(event) => {
            event.preventDefault()
            const form = event.currentTarget
            const points = Number(value(form, 'points'))
            const reason = value(form, 'reason')
            refusal.value = null
            confirm(
              m().adjustConfirm({
                name: member.displayName,
                balance: number(member.points.balance),
                points: points > 0 ? `+${number(points)}` : number(points),
                reason,
              }),
              async () => {
                await call('post', '/api/v1/members/{id}/adjustments', {
                  params,
                  body: { points, reason },
                  idempotent: true,
                })
                form.reset()
              },
              explain,
            )
          }}
        >
          <h3>{m().adjust}</h3>
          <label>
            {m().adjustPoints}
            <input name="points" type="number" step="1" required />
          </label>
          <label>
            {m().reason}
            <input name="reason" required maxLength={500} />
          </label>
          <button type="submit">{m().adjust}</button>
        </form>
      )}
      {canEdit && (
        <form
          class="form"
          data-testid="birthday"
          onSubmit={(event) => {
            event.preventDefault()
            const form = event.currentTarget
            const birthday = value(form, 'birthday')
            const reason = value(form, 'reason')
            refusal.value = null
            confirm(
              m().birthdayConfirm({
                name: member.displayName,
                from: member.birthday ?? m().none,
                to: birthday,
                reason,
              }),
              () => call('patch', '/api/v1/members/{id}', { params, body: { birthday, reason } }),
              explain,
            )
          }}
        >
          <h3>{m().birthdayFix}</h3>
          <label>
            {m().birthday}
            <input name="birthday" type="date" required defaultValue={member.birthday ?? ''} />
          </label>
          <label>
            {m().reason}
            <input name="reason" required maxLength={500} />
          </label>
          <button type="submit">{m().save}</button>
        </form>
      )}
      {(canExport || canErase) && (
        <div class="actions">
          {canExport && (
            <button
              class="secondary"
              onClick={() =>
                confirm(m().exportConfirm({ name: member.displayName }), async () =>
                  download(
                    `member-${member.code}.json`,
                    await call('get', '/api/v1/members/{id}/export', { params }),
                  ),
                )
              }
            >
              {m().export}
            </button>
          )}
          {canErase && (
            <button
              class="danger"
              onClick={() =>
                confirm(
                  m().eraseConfirm({
                    name: member.displayName,
                    balance: number(member.points.balance),
                  }),
                  () => call('post', '/api/v1/members/{id}/erase', { params }),
                  explain,
                )
              }
            >
              {m().erase}
            </button>
          )}
        </div>
      )}
    </div>
  )
}

/** Saves what the export answered as a file: the same JSON the API gives, nothing added. */
function download(name: string, data: unknown): void {
  const link = document.createElement('a')
  link.href = URL.createObjectURL(
    new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }),
  )
  link.download = name
  link.click()
  URL.revokeObjectURL(link.href)
}

/** A member's tags; staff who may change them add and remove them here. */
export function TagsEditor({ id, editable }: { id: string; editable: boolean }) {
  const params = { id }
  const input = useRef<HTMLInputElement>(null)
  const tags = useLoad(
    () => call('get', '/api/v1/members/{id}/tags', { params }),
    [id, version.value],
    fail,
  )
  const change = (write: () => Promise<unknown>): void => {
    write().then(
      () => version.value++,
      (error: unknown) => explain(error) || fail(error),
    )
  }
  return (
    <section class="card">
      <h3>{m().tags}</h3>
      {tags?.tags.length === 0 && <p class="hint">{m().noTags}</p>}
      <ul class="chips" data-testid="tags">
        {tags?.tags.map((tag) => (
          <li key={tag} class="chip">
            {tag}
            {editable && (
              <button
                class="chip-remove"
                aria-label={m().removeTag({ tag })}
                onClick={() =>
                  change(() =>
                    call('delete', '/api/v1/members/{id}/tags/{tag}', { params: { id, tag } }),
                  )
                }
              >
                ×
              </button>
            )}
          </li>
        ))}
      </ul>
      {editable && (
        <form
          class="form search"
          onSubmit={(event) => {
            event.preventDefault()
            const tag = input.current?.value.trim() ?? ''
            if (!tag) return
            change(async () => {
              await call('post', '/api/v1/members/{id}/tags', { params, body: { tags: [tag] } })
              if (input.current) input.current.value = ''
            })
          }}
        >
          <label class="grow">
            {m().addTag}
            <input ref={input} name="tag" maxLength={50} required />
          </label>
          <button type="submit">{m().addTag}</button>
        </form>
      )}
    </section>
  )
}
