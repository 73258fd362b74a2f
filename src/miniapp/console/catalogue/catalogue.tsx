import './catalogue.css'
import { call } from '../../ui/api.ts'
import { Dialog } from '../../ui/dialog.tsx'
import { useLoad } from '../../ui/load.ts'
import { dialog, fail, t, version } from '../state.ts'
import { RewardEditor } from './editor.tsx'
import { RewardPreview } from './preview.tsx'
import { type Reward, bothTexts, ct, editing, mayEdit, pause } from './state.ts'

/** The catalogue: every reward with its state, and for managers and the owner its changes. */
export function CataloguePage() {
  const list = useLoad(() => call('get', '/api/v1/rewards'), [version.value], fail)
  if (editing.value) return <RewardEditor reward={editing.value === 'new' ? null : editing.value} />
  const edit = mayEdit()
  return (
    <section class="card">
      <div class="catalogue-head">
        <h2>{ct().title}</h2>
        {edit && <button onClick={() => (editing.value = 'new')}>{ct().add}</button>}
      </div>
      {!edit && <p class="hint">{ct().readOnly}</p>}
      {list && list.items.length === 0 && <p class="empty">{ct().empty}</p>}
      <ul class="list" data-testid="catalogue">
        {list?.items.map((reward) => (
          <Row key={reward.id} reward={reward} edit={edit} />
        ))}
      </ul>
    </section>
  )
}

function Row({ reward, edit }: { reward: Reward; edit: boolean }) {
  const [name = '', other] = bothTexts(reward.name)
  const live = reward.status !== 'retired'
  const refresh = () => version.value++
  return (
    <li class={`catalogue-row ${reward.status}`} data-reward={reward.id}>
      {reward.imageUrl ? (
        <img class="reward-image" src={reward.imageUrl} alt="" />
      ) : (
        <span class="reward-image" />
      )}
      <span class="who">
        <strong>{name}</strong>
        {other && other !== name && <small> · {other}</small>}
        <br />
        <small>
          {ct().kind[reward.kind as keyof ReturnType<typeof ct>['kind']] ?? reward.kind} ·{' '}
          {ct().cost({ points: reward.pointsCost.toLocaleString() })} ·{' '}
          {reward.stock === null ? ct().unlimited : ct().stockLeft({ stock: reward.stock })}
        </small>
      </span>
      <span class={`badge ${reward.status}`} data-testid="status">
        {ct().status[reward.status]}
      </span>
      <span class="row-actions">
        <button class="secondary" onClick={() => showPreview(reward)}>
          {ct().preview}
        </button>
        {edit && live && (
          <>
            <button class="secondary" onClick={() => (editing.value = reward)}>
              {ct().edit}
            </button>
            <button
              class="secondary"
              onClick={() => void pause(reward, reward.status !== 'active').then(refresh, fail)}
            >
              {reward.status === 'active' ? ct().pause : ct().resume}
            </button>
            <button class="secondary danger" onClick={() => confirmRetire(reward, name)}>
              {ct().retire}
            </button>
          </>
        )}
      </span>
    </li>
  )
}

function showPreview(reward: Reward): void {
  const close = () => (dialog.value = null)
  dialog.value = (
    <Dialog>
      <h2>{ct().previewTitle}</h2>
      <RewardPreview id={reward.id} />
      <div class="actions">
        <button onClick={close}>{t().close}</button>
      </div>
    </Dialog>
  )
}

function confirmRetire(reward: Reward, name: string): void {
  const close = () => (dialog.value = null)
  dialog.value = (
    <Dialog>
      <p>{ct().retireConfirm({ name })}</p>
      <div class="actions">
        <button class="secondary" onClick={close}>
          {t().cancel}
        </button>
        <button
          data-testid="confirm"
          onClick={() => {
            close()
            call('delete', '/api/v1/rewards/{id}', { params: { id: reward.id } }).then(
              () => version.value++,
              fail,
            )
          }}
        >
          {t().confirm}
        </button>
      </div>
    </Dialog>
  )
}
