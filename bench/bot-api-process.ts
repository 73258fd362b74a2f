// The Bot API double in a process of its own, as Telegram is: the sender's timing is then
// measured at the receiving end without sharing an event loop with the sender's database.
// Prints its URL, then the sends it took whenever a line arrives on stdin.
import { FakeBotApi } from '../test/helpers/fake-telegram.ts'

const api = await new FakeBotApi().start()
api.perSecondLimit = Number(process.argv[2] ?? 30)
process.stdout.write(`${JSON.stringify({ url: api.url })}\n`)
process.stdin.on('data', () => {
  const sends = api.calls.filter((c) => c.method === 'sendMessage').map((c) => c.at)
  process.stdout.write(`${JSON.stringify({ sends, tooMany: api.tooManyRequests })}\n`)
})
process.stdin.on('end', () => void api.close().then(() => process.exit(0)))
