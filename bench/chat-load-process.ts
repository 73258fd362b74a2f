// Telegram's side of the chat bench, in a process of its own as Telegram is: a Bot API double
// that the bots reply to, and the sender of updates to their webhook. Both ends of each
// latency are timed here, on one clock, and away from the server's event loop, so a busy
// server delays its replies but never the schedule of the updates or the timing of a reply.
// Prints the double's URL, then for each line of work read on stdin the figures of that load.
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { FakeBotApi } from '../test/helpers/fake-telegram.ts'
import { textUpdate } from '../test/helpers/telegram-updates.ts'

export interface ChatLoad {
  webhook: string
  secret: string
  /** Updates a second, each sent at its time on the schedule whatever the replies do. */
  rate: number
  warmupSeconds: number
  seconds: number
  chatIds: number[]
  /** How long the replies of the last updates may still take to arrive. */
  drainMs: number
}

export interface ChatLoadResult {
  /** From each measured update sent to the first message to its chat after it, in ms. */
  latencies: number[]
  /** The same updates' webhook answers (Telegram waits for the 200), in ms. */
  answered: number[]
  /** Measured updates with no reply within the drain. */
  unanswered: number
  /** Webhook answers other than 200, and requests that failed. */
  failed: number
  /** How far the sending fell behind its schedule at worst, in ms (the machine's load). */
  worstLagMs: number
}

const SENDS = new Set(['sendMessage', 'sendPhoto', 'sendDocument'])

const api = await new FakeBotApi().start()
/** Per chat, when its updates still waiting for a reply were sent, oldest first. */
const waiting = new Map<number, { sentAt: number; measured: boolean }[]>()
let latencies: number[] = []
api.onCall = (call) => {
  if (!SENDS.has(call.method)) return
  const now = performance.now()
  const update = waiting.get(Number(call.payload.chat_id))?.shift()
  // A second message to one update (a reply in two parts) is not a reply to the next update.
  if (update?.measured) latencies.push(now - update.sentAt)
}

async function run(load: ChatLoad): Promise<ChatLoadResult> {
  latencies = []
  waiting.clear()
  api.clear()
  const answered: number[] = []
  let failed = 0
  let worstLagMs = 0
  let measured = 0
  const total = Math.round(load.rate * (load.warmupSeconds + load.seconds))
  const warmup = Math.round(load.rate * load.warmupSeconds)
  const posts: Promise<void>[] = []
  const t0 = performance.now()
  for (let i = 0; i < total;) {
    // Every update whose time has come goes now: a late timer delays updates, never drops them.
    for (; i < total && t0 + (i * 1_000) / load.rate <= performance.now(); i++) {
      const sentAt = performance.now()
      worstLagMs = Math.max(worstLagMs, sentAt - (t0 + (i * 1_000) / load.rate))
      const chatId = load.chatIds[i % load.chatIds.length]!
      // Each member alternates, round after round, between the two commands.
      const round = Math.floor(i / load.chatIds.length)
      const text = (i + round) % 2 === 0 ? '/points' : '/checkin'
      const isMeasured = i >= warmup
      if (isMeasured) measured++
      const queue = waiting.get(chatId) ?? []
      queue.push({ sentAt, measured: isMeasured })
      waiting.set(chatId, queue)
      const body = JSON.stringify(textUpdate({ id: chatId, first_name: `M${chatId}` }, text))
      posts.push(
        fetch(load.webhook, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'X-Telegram-Bot-Api-Secret-Token': load.secret,
          },
          body,
        })
          .then(async (response) => {
            await response.arrayBuffer()
            if (response.status !== 200) failed++
            else if (isMeasured) answered.push(performance.now() - sentAt)
          })
          .catch(() => {
            failed++
          }),
      )
    }
    if (i < total) {
      const next = t0 + (i * 1_000) / load.rate - performance.now()
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next)))
    }
  }
  await Promise.all(posts)
  const deadline = performance.now() + load.drainMs
  while (latencies.length < measured && performance.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20))
  return { latencies, answered, unanswered: measured - latencies.length, failed, worstLagMs }
}

process.stdout.write(`${JSON.stringify({ url: api.url })}\n`)
for await (const line of createInterface({ input: process.stdin })) {
  process.stdout.write(`${JSON.stringify(await run(JSON.parse(line) as ChatLoad))}\n`)
}
await api.close()
