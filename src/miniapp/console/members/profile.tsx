import { call } from '../../ui/api.ts'
import { isLedgerReason, texts } from '../../i18n.ts'
import { useLoad } from '../../ui/load.ts'
import { locale } from '../../ui/boot.tsx'
import { date, dateTime, money, named, number } from '../format.ts'
import { fail, may, version } from '../state.ts'
import { Actions, TagsEditor } from './actions.tsx'
import { m, refusal } from './state.ts'

/** A member's profile: who, points and tier with its outlook, history, orders, coupons, tags, chats. */
export function Profile({ id }: { id: string }) {
  const params = { id }
  const member = useLoad(
    () => call('get', '/api/v1/members/{id}', { params }),
    [id, version.value],
    fail,
  )
  if (!member) return null
  const { tier, points } = member
  const progress = tier.progress.next
  const keep = tier.outlook
  const growth = (value: number) =>
    tier.progress.basis === 'spend' ? money(value) : `${number(value)}`
  return (
    <>
      <section class="card profile" data-testid="profile">
        <h2>{member.displayName}</h2>
        {member.status !== 'active' && <p class="hint">{m().erased}</p>}
        <dl class="figures">
          <div>
            <dt>{m().balance}</dt>
            <dd data-testid="profile-balance">{number(points.balance)}</dd>
          </div>
          <div>
            <dt>{m().pending}</dt>
            <dd>{number(points.pending)}</dd>
          </div>
          {points.debt > 0 && (
            <div>
              <dt>{m().debt}</dt>
              <dd>{number(points.debt)}</dd>
            </div>
          )}
          <div>
            <dt>{m().tier}</dt>
            <dd data-testid="profile-tier">{named(tier.name)}</dd>
          </div>
        </dl>
        <p class="hint" data-testid="outlook">
          {m().outlook({
            held: m().heldBy[keep.heldBy] ?? keep.heldBy,
            day: keep.lastDay,
            needs: keep.keepNeeds === null ? null : growth(keep.keepNeeds),
            after: named(keep.after.name),
          })}
          {progress &&
            `${m().sentenceGap}${m().next({ next: named(progress.name), remaining: growth(progress.remaining) })}`}
        </p>
        <dl class="details">
          <dt>{m().code}</dt>
          <dd>{member.code}</dd>
          <dt>{m().phone}</dt>
          <dd>{member.phone ?? m().none}</dd>
          <dt>{m().birthday}</dt>
          <dd data-testid="profile-birthday">{member.birthday ?? m().none}</dd>
          <dt>{m().joined}</dt>
          <dd>{date(member.joinedAt)}</dd>
        </dl>
        {refusal.value && (
          <p class="error-text" role="alert" data-testid="refusal">
            {refusal.value}
          </p>
        )}
        {member.status === 'active' && <Actions member={member} />}
      </section>
      <TagsEditor
        id={id}
        editable={member.status === 'active' && may('POST /api/v1/members/{id}/tags')}
      />
      <Ledger id={id} />
      <Orders id={id} />
      <Coupons id={id} />
      <Identities id={id} />
    </>
  )
}

function Ledger({ id }: { id: string }) {
  const page = useLoad(
    () => call('get', '/api/v1/members/{id}/ledger', { params: { id }, query: { limit: 20 } }),
    [id, version.value],
    fail,
  )
  const reasons = texts(locale.value).reason
  return (
    <section class="card">
      <h3>{m().ledger}</h3>
      {page?.items.length === 0 && <p class="hint">{m().nothing}</p>}
      <ul class="list" data-testid="ledger">
        {page?.items.map((entry) => {
          const label = isLedgerReason(entry.reason) ? reasons[entry.reason] : entry.reason
          return (
            <li key={entry.id} class="row">
              <span class="grow">
                {entry.note ? `${label} · ${entry.note}` : label}
                <small class="hint"> {dateTime(entry.createdAt)}</small>
              </span>
              <strong class={entry.points >= 0 ? 'plus' : 'minus'}>
                {entry.points > 0 ? `+${number(entry.points)}` : number(entry.points)}
              </strong>
            </li>
          )
        })}
      </ul>
    </section>
  )
}

function Orders({ id }: { id: string }) {
  const list = useLoad(
    () => call('get', '/api/v1/members/{id}/orders', { params: { id }, query: { limit: 10 } }),
    [id, version.value],
    fail,
  )
  return (
    <section class="card">
      <h3>{m().orders}</h3>
      {list?.items.length === 0 && <p class="hint">{m().nothing}</p>}
      <ul class="list" data-testid="orders">
        {list?.items.map((order) => (
          <li key={order.id} class="row">
            <span class="grow">
              {order.id}
              <small class="hint"> {dateTime(order.placedAt)}</small>
            </span>
            <span>{money(order.amount)}</span>
            <span class="plus">+{number(order.pointsEarned)}</span>
          </li>
        ))}
      </ul>
    </section>
  )
}

function Coupons({ id }: { id: string }) {
  const list = useLoad(
    () => call('get', '/api/v1/members/{id}/coupons', { params: { id } }),
    [id, version.value],
    fail,
  )
  return (
    <section class="card">
      <h3>{m().coupons}</h3>
      {list?.items.length === 0 && <p class="hint">{m().nothing}</p>}
      <ul class="list" data-testid="coupons">
        {list?.items
          .flatMap((coupon) => (coupon ? [coupon] : []))
          .map((coupon) => (
            <li key={coupon.code} class="row">
              <span class="grow">
                {named(coupon.rewardName)}
                <small class="hint"> {coupon.code}</small>
              </span>
              <span>{m().couponStatus[coupon.status] ?? coupon.status}</span>
            </li>
          ))}
      </ul>
    </section>
  )
}

function Identities({ id }: { id: string }) {
  const linked = useLoad(
    () => call('get', '/api/v1/members/{id}/identities', { params: { id } }),
    [id, version.value],
    fail,
  )
  return (
    <section class="card">
      <h3>{m().identities}</h3>
      {linked?.identities.length === 0 && linked.merges.length === 0 && (
        <p class="hint">{m().nothing}</p>
      )}
      <ul class="list identities" data-testid="identities">
        {linked?.identities.map((identity) => (
          <li key={`${identity.channel}:${identity.externalId}`}>
            <strong>{m().channel[identity.channel] ?? identity.channel}</strong>{' '}
            <span class="mono">{identity.externalId}</span>
            {identity.unreachableAt && <span class="hint"> · {m().unreachable}</span>}
            <br />
            <small class="hint">
              {m().linkedAt({
                when: dateTime(identity.linkedAt),
                by: m().linkedBy({ by: identity.linkedBy }),
              })}
            </small>
          </li>
        ))}
        {linked?.merges.map((merge) => (
          <li key={`${merge.fromMemberId}:${merge.at}`}>
            <small class="hint">
              {m().merged({
                when: dateTime(merge.at),
                by: m().linkedBy({ by: merge.by }),
                points: number(merge.points),
              })}
            </small>
          </li>
        ))}
      </ul>
    </section>
  )
}
