import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { type Conversation, createConversation } from '../../src/bots/core/conversation.ts'
import { type TelegramBot, createBot } from '../../src/bots/telegram/create-bot.ts'
import { databases } from '../helpers/db.ts'
import { type DomainFixture, createFixture } from '../helpers/domain.ts'
import { FakeBotApi } from '../helpers/fake-telegram.ts'
import { textUpdate } from '../helpers/telegram-updates.ts'

const TOKEN = '123456:TEST-token-for-the-fake-bot-api'
const logger = pino({ level: 'silent' })

async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('Telegram bot running', () => {
  let api: FakeBotApi | undefined
  let telegram: TelegramBot | undefined
  let fixture: DomainFixture | undefined
  afterEach(async () => {
    await telegram?.stop()
    await api?.close()
    await fixture?.store.cleanup()
  })

  it('long-polls getUpdates and answers', async () => {
    api = await new FakeBotApi().start()
    fixture = await createFixture(databases[0]!)
    telegram = createBot(TOKEN, {
      conversation: createConversation({ domain: fixture.domain, logger }),
      logger,
      apiRoot: api.url,
    })
    await telegram.start()
    const user = { id: 4242, first_name: 'Poll', language_code: 'en' }
    api.push(textUpdate(user, '/help'))
    await waitFor(() => api!.sentTo(user.id).length > 0)
    expect(api.sentTo(user.id)[0]).toContain('You can send')
    expect(api.calls.some((c) => c.method === 'setWebhook')).toBe(false)
  })

  it('one slow member never blocks the others, and each member’s messages keep their order', async () => {
    api = await new FakeBotApi().start()
    fixture = await createFixture(databases[0]!)
    const real = createConversation({ domain: fixture.domain, logger })
    let release: () => void = () => {}
    const slowGate = new Promise<void>((resolve) => (release = resolve))
    const conversation: Conversation = {
      reachable: (channel, userId, reachable) => real.reachable(channel, userId, reachable),
      async handle(inbound) {
        if (inbound.userId === '1' && inbound.text === '/points') await slowGate
        return real.handle(inbound)
      },
    }
    telegram = createBot(TOKEN, { conversation, logger, apiRoot: api.url })
    await telegram.start()
    const slow = { id: 1, first_name: 'Slow', language_code: 'en' }
    const quick = { id: 2, first_name: 'Quick', language_code: 'en' }
    api.push(textUpdate(slow, '/points'))
    api.push(textUpdate(slow, '/help'))
    await new Promise((resolve) => setTimeout(resolve, 200))
    api.push(textUpdate(quick, '/help'))
    await waitFor(() => api!.sentTo(quick.id).length > 0)
    expect(api.sentTo(slow.id)).toEqual([])
    release()
    await waitFor(() => api!.sentTo(slow.id).length === 2)
    expect(api.sentTo(slow.id)[0]).toContain('not a member')
    expect(api.sentTo(slow.id)[1]).toContain('You can send')
  })
})
