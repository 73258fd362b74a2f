import pino from 'pino'
import { expect, it } from 'vitest'
import type { MessageSender, OutboundMessage, SendResult } from '../../src/domain/ports.ts'
import { startOutboxWorker } from '../../src/jobs/outbox-worker.ts'
import { describeOnDatabases, programmeWith } from '../helpers/domain.ts'

const logger = pino({ level: 'silent' })

/** A channel that records what it is asked to send and always succeeds. */
class RecordingSender implements MessageSender {
  readonly sent: { recipient: string; message: OutboundMessage }[] = []
  async send(
    recipient: string,
    message: OutboundMessage,
    beforeRequest?: () => Promise<boolean>,
  ): Promise<SendResult> {
    if (beforeRequest && !(await beforeRequest())) return { ok: false, abandoned: true }
    this.sent.push({ recipient, message })
    return { ok: true }
  }
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describeOnDatabases('messages to staff through the outbox', (get) => {
  let next = 7_100_000
  async function staffOn(channel: 'telegram' | 'wechat', role: 'owner' | 'manager' = 'owner') {
    const { code } = await get().domain.staff.createInvite(role)
    const externalId = channel === 'telegram' ? String(++next) : `wxid_staff_${++next}`
    return get().domain.staff.acceptInvite(code, channel, externalId, `Staff ${next}`)
  }
  const text = { 'zh-CN': '微信已掉线', en: 'WeChat is down' }
  const statusOf = async (staffId: string) =>
    (
      await get()
        .store.db.selectFrom('outbox')
        .select(['status', 'kind', 'memberId'])
        .where('staffId', '=', staffId)
        .execute()
    ).map((row) => ({ ...row }))

  it('a message to a staff member is sent by the outbox worker to their chat identity, in the language of the member they also are, or the programme’s', async () => {
    const english = await staffOn('telegram')
    await get().domain.members.register({
      displayName: 'Owner as a member',
      telegramId: english.externalId,
      locale: 'en',
    })
    const chinese = await staffOn('telegram')
    expect(
      await get().domain.outbox.enqueueStaffMessage({ staffId: english.id, kind: 'test', text }),
    ).toBe(true)
    expect(
      await get().domain.outbox.enqueueStaffMessage({ staffId: chinese.id, kind: 'test', text }),
    ).toBe(true)
    const telegram = new RecordingSender()
    const worker = startOutboxWorker({
      domain: get().domain,
      logger,
      senders: { telegram },
      idleMs: 20,
    })
    await until(() => telegram.sent.length === 2, 'two staff messages')
    await worker.stop()
    expect(telegram.sent).toEqual(
      expect.arrayContaining([
        { recipient: english.externalId, message: { text: 'WeChat is down' } },
        { recipient: chinese.externalId, message: { text: '微信已掉线' } },
      ]),
    )
    expect(await statusOf(english.id)).toEqual([{ status: 'sent', kind: 'test', memberId: null }])
  })

  it('a message to a staff member on another channel goes to the identity there of the member they are; with none there, nothing is queued', async () => {
    const owner = await staffOn('telegram')
    const wechatId = `wxid_owner_${++next}`
    await get().domain.members.register({
      displayName: 'Owner on both',
      telegramId: owner.externalId,
      wechatId,
    })
    const alone = await staffOn('telegram')
    const outbox = get().domain.outbox
    expect(
      await outbox.enqueueStaffMessage({
        staffId: owner.id,
        kind: 'test',
        text,
        channel: 'wechat',
      }),
    ).toBe(true)
    expect(
      await outbox.enqueueStaffMessage({
        staffId: alone.id,
        kind: 'test',
        text,
        channel: 'wechat',
      }),
    ).toBe(false)
    expect(await outbox.enqueueStaffMessage({ staffId: 'stf_nobody', kind: 'test', text })).toBe(
      false,
    )
    const rows = await get()
      .store.db.selectFrom('outbox')
      .select(['channel', 'recipient', 'staffId'])
      .where('staffId', 'in', [owner.id, alone.id])
      .execute()
    expect(rows).toEqual([{ channel: 'wechat', recipient: wechatId, staffId: owner.id }])
  })

  it('the same notice queued twice under one key is queued once', async () => {
    const owner = await staffOn('wechat')
    const notice = { staffId: owner.id, kind: 'channel_down', text, dedupeKey: 'incident-1' }
    await Promise.all([
      get().domain.outbox.enqueueStaffMessage(notice),
      get().domain.outbox.enqueueStaffMessage(notice),
    ])
    await get().domain.outbox.enqueueStaffMessage(notice)
    expect(await statusOf(owner.id)).toHaveLength(1)
  })

  it('messages to staff go out during quiet hours, while members’ campaign messages wait for the morning', async () => {
    const { domain, clock } = get()
    await domain.programme.replace(programmeWith({ quietHours: { start: '00:00', end: '23:59' } }))
    try {
      const owner = await staffOn('telegram')
      const memberChat = String(++next)
      await domain.members.register({
        displayName: 'Quiet member',
        telegramId: memberChat,
        marketingConsent: true,
      })
      await domain.tags.add((await domain.members.get({ telegramId: memberChat })).id, ['quiet'])
      await domain.campaigns.create(
        {
          name: 'Night',
          message: { text: '夜间' },
          segment: { tags: ['quiet'] },
          attributionDays: 1,
        },
        'test',
      )
      clock.advance(1_000)
      await domain.outbox.enqueueStaffMessage({ staffId: owner.id, kind: 'test', text })
      const telegram = new RecordingSender()
      const worker = startOutboxWorker({ domain, logger, senders: { telegram }, idleMs: 20 })
      await until(() => telegram.sent.length === 1, 'the staff message')
      await new Promise((resolve) => setTimeout(resolve, 200))
      await worker.stop()
      expect(telegram.sent.map((s) => s.recipient)).toEqual([owner.externalId])
    } finally {
      await domain.programme.replace(programmeWith({ quietHours: null }))
    }
  })

  it('revoking a staff member cancels the messages still waiting for them', async () => {
    const manager = await staffOn('telegram', 'manager')
    await get().domain.outbox.enqueueStaffMessage({ staffId: manager.id, kind: 'test', text })
    await get().domain.staff.revoke(manager.id)
    expect(await statusOf(manager.id)).toEqual([
      { status: 'cancelled', kind: 'test', memberId: null },
    ])
  })
})
