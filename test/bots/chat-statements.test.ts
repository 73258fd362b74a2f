import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Conversation, createConversation } from '../../src/bots/core/conversation.ts'
import type { Inbound } from '../../src/bots/core/messages.ts'
import { available, databases } from '../helpers/db.ts'
import { type DomainFixture, createFixture } from '../helpers/domain.ts'
import { StatementRecorder, isWrite } from '../helpers/statements.ts'

/** What a chat update costs the database, counted on both databases (issue #15). */
for (const db of databases) {
  describe.skipIf(!available(db))(`statements per chat update [${db.name}]`, () => {
    const recorder = new StatementRecorder()
    let fixture: DomainFixture
    let conversation: Conversation
    let update = 0
    const say = (text: string): Inbound => ({
      channel: 'telegram',
      userId: 'counted',
      displayName: 'Counted',
      languageCode: 'en',
      updateKey: String(++update),
      text,
    })
    beforeAll(async () => {
      fixture = await createFixture(db, undefined, { onStatement: recorder.onStatement })
      conversation = createConversation({
        domain: fixture.domain,
        logger: pino({ level: 'silent' }),
      })
      await fixture.domain.members.register({ displayName: 'Counted', telegramId: 'counted' })
      await conversation.handle(say('/checkin'))
    })
    afterAll(async () => fixture?.store.cleanup())

    it('/points, /history and /help write nothing and commit nothing', async () => {
      for (const text of ['/points', '积分', '/history', '/help']) {
        const { result, statements } = await recorder.during(() => conversation.handle(say(text)))
        expect(result.length).toBeGreaterThan(0)
        expect({ text, writes: statements.filter(isWrite) }).toEqual({ text, writes: [] })
      }
    })

    it('a redelivered /points is answered once by the process that answered it', async () => {
      const points = say('/points')
      expect((await conversation.handle(points)).length).toBeGreaterThan(0)
      expect(await conversation.handle(points)).toEqual([])
    })

    it('/points reads the programme and the member row once each', async () => {
      const { result, statements } = await recorder.during(() =>
        conversation.handle(say('/points')),
      )
      expect(result[0]!.text).toContain('5')
      expect(statements.filter((s) => /from "programme_versions"/i.test(s))).toHaveLength(1)
      // By the chat identity, joined to the member row.
      expect(statements.filter((s) => /join "members"|from "members"/i.test(s))).toHaveLength(1)
    })

    it('/points still closes an open dialog, as every command but /cancel does', async () => {
      const { chat } = fixture.domain
      await chat.setState('telegram', 'counted', { dialog: { kind: 'erase', nonce: 'n' } })
      await conversation.handle(say('/points'))
      expect(await chat.getState('telegram', 'counted')).not.toHaveProperty('dialog')
    })

    it('a redelivered /checkin is answered once and credits once', async () => {
      fixture.clock.advance(86_400_000)
      const first = say('/checkin')
      const replies = await conversation.handle(first)
      expect(replies.length).toBeGreaterThan(0)
      expect(await conversation.handle(first)).toEqual([])
      const member = await fixture.domain.members.get({ telegramId: 'counted' })
      expect(member.points.balance).toBe(10)
    })
  })
}
