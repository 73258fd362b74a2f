import { call } from '../ui/api.ts'
import { useLoad } from '../ui/load.ts'
import { fail, t, version } from './state.ts'

/** The member's own code for the till, drawn by the server as it prints it in chat. */
export function CodeView() {
  const data = useLoad(() => call('get', '/api/miniapp/code'), [version.value], fail)
  if (!data) return null
  return (
    <section class="card center">
      <div
        class="qr"
        role="img"
        aria-label={data.code}
        dangerouslySetInnerHTML={{ __html: data.svg }}
      />
      <p class="code">{data.code}</p>
      <p class="hint">{t().codeHint}</p>
    </section>
  )
}
