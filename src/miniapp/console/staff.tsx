import { useRef } from 'preact/hooks'
import { type Ok, call } from '../ui/api.ts'
import { Dialog } from '../ui/dialog.tsx'
import { useLoad } from '../ui/load.ts'
import { confirm } from './confirm.tsx'
import { dialog, fail, locale, staff, t, version } from './state.ts'

type Staff = Ok<'/api/v1/staff', 'get'>['items'][number]
type Role = Staff['role']
const ROLES: Role[] = ['staff', 'manager', 'owner']

const nameOf = (member: Staff) => member.displayName ?? `${member.channel}:${member.externalId}`

function showInvite(code: string, expiresAt: string): void {
  const expires = new Date(expiresAt).toLocaleString(locale.value)
  dialog.value = (
    <Dialog>
      <h2>{t().inviteTitle}</h2>
      <p class="invite-code" data-testid="invite-code">
        {code}
      </p>
      <p>{t().inviteHow({ code, expires })}</p>
      <div class="actions">
        <button onClick={() => (dialog.value = null)}>{t().close}</button>
      </div>
    </Dialog>
  )
}

/** The owner's staff page: everyone on the staff, inviting with a role, roles, revoking. */
export function StaffPage() {
  const self = staff.value?.id
  const role = useRef<HTMLSelectElement>(null)
  const list = useLoad(() => call('get', '/api/v1/staff'), [version.value], fail)
  const invite = async () => {
    const chosen = (role.current?.value ?? 'staff') as Role
    const made = await call('post', '/api/v1/staff/invites', { body: { role: chosen } })
    showInvite(made.code, made.expiresAt)
  }
  return (
    <section class="card">
      <h2>{t().staffTitle}</h2>
      <form
        class="invite form"
        onSubmit={(event) => {
          event.preventDefault()
          invite().catch(fail)
        }}
      >
        <label>
          {t().inviteRole}
          <select ref={role} name="role" defaultValue="staff">
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t().role[r]}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">{t().invite}</button>
      </form>
      <ul class="list" data-testid="staff-list">
        {list?.items.map((member) => (
          <li key={member.id} class="staff-row" data-staff={member.id}>
            <span class="who">
              {nameOf(member)}
              {member.id === self && t().you}
              <small> · {member.channel}</small>
            </span>
            <select
              aria-label={t().roleOf({ name: nameOf(member) })}
              value={member.role}
              disabled={member.id === self}
              onChange={(event) => {
                const to = event.currentTarget.value as Role
                event.currentTarget.value = member.role
                confirm(
                  t().changeRole({
                    name: nameOf(member),
                    from: t().role[member.role],
                    to: t().role[to],
                  }),
                  () =>
                    call('patch', '/api/v1/staff/{id}', {
                      params: { id: member.id },
                      body: { role: to },
                    }),
                )
              }}
            >
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {t().role[r]}
                </option>
              ))}
            </select>
            <button
              class="secondary"
              disabled={member.id === self}
              onClick={() =>
                confirm(t().revokeConfirm({ name: nameOf(member) }), () =>
                  call('delete', '/api/v1/staff/{id}', { params: { id: member.id } }),
                )
              }
            >
              {t().revoke}
            </button>
          </li>
        ))}
      </ul>
    </section>
  )
}
