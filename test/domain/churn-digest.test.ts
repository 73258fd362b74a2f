import pino from 'pino'
import { beforeAll, expect, it } from 'vitest'
import { createConversation } from '../../src/bots/core/conversation.ts'
import type { Inbound } from '../../src/bots/core/messages.ts'
import { describeOnDatabases } from '../helpers/domain.ts'

// Monday 3 March 2025, 10:00 in Asia/Shanghai: the digest (Mondays, 09:00) is due.
const NOW = '2025-03-03T02:00:00Z'
const DAY = 86_400_000
const daysAgo = (days: number) => new Date(Date.parse(NOW) - days * DAY).toISOString()

describeOnDatabases('the weekly churn digest', (get) => {
  const ids: Record<string, string> = {}
  const staff: Record<string, string> = {}
  let orderNo = 0
  const order = async (name: string, days: number, amount: number) => {
    get().clock.set(daysAgo(days))
    await get().domain.orders.ingest({
      id: `d-${++orderNo}`,
      member: { id: ids[name]! },
      amount,
      placedAt: daysAgo(days),
    })
    get().clock.set(NOW)
  }
  const staffRows = () =>
    get()
      .store.db.selectFrom('outbox')
      .select(['staffId', 'kind', 'recipient', 'payloadJson'])
      .where('kind', '=', 'churn_digest')
      .execute()
  const conversation = () =>
    createConversation({ domain: get().domain, logger: pino({ level: 'silent' }) })
  const from = (who: string, message: Partial<Inbound>): Inbound => ({
    channel: 'telegram',
    userId: staff[who]!,
    displayName: who,
    languageCode: 'en',
    ...message,
  })

  beforeAll(async () => {
    const { domain, clock } = get()
    clock.set('2024-06-01T00:00:00Z')
    let chat = 8_100
    for (const name of ['Zhang Wei', 'Old', 'Cheap', 'Steady'])
      ids[name] = (
        await domain.members.register({
          displayName: name,
          marketingConsent: true,
          telegramId: String(++chat),
        })
      ).id
    for (const [who, role] of [
      ['Owner', 'owner'],
      ['Manager', 'manager'],
      ['Clerk', 'staff'],
    ] as const) {
      staff[who] = String(++chat)
      const { code } = await domain.staff.createInvite(role)
      await domain.staff.acceptInvite(code, 'telegram', staff[who], who)
    }
    clock.set(NOW)
    // A 10-day habit, 25 days away: slipping since 25 Feb, this week. Old has slipped since
    // 15 Feb, an earlier week; Cheap slipped this week but brings little (ABC C).
    for (const days of [55, 45, 35, 25]) await order('Zhang Wei', days, 50_000)
    for (const days of [65, 55, 45, 35]) await order('Old', days, 40_000)
    for (const days of [55, 45, 35, 25]) await order('Cheap', days, 100)
    for (const days of [20, 10, 1]) await order('Steady', days, 30_000)
  })

  it('waits for a classification recomputed since the week ended', async () => {
    expect(await get().domain.churnDigest.sendDue()).toBeNull()
    expect(await staffRows()).toEqual([])
  })

  it('tells the owner and managers, once a week, how many valuable members started slipping and the top ones with their value', async () => {
    const { domain } = get()
    await domain.segments.recompute()
    expect(await domain.churnDigest.sendDue()).toEqual({
      week: '2025-03-03',
      members: 1,
      recipients: 2,
    })
    expect(await domain.churnDigest.sendDue()).toBeNull()
    const rows = await staffRows()
    expect(rows.map((r) => r.recipient).sort()).toEqual([staff.Owner, staff.Manager].sort())
    const text = (JSON.parse(rows[0]!.payloadJson) as { text: string }).text
    expect(text).toContain('本周有 1 位高价值会员开始消费放缓')
    expect(text).toContain('Z***i')
    expect(text).toContain('¥2,000.00')
    expect(text).toContain('25天未购买')
    expect(text).toContain('/slipping')
    expect(text).not.toContain('O*d')
    // The offer of /slipping rides with the digest as a button in the reader's language.
    expect((JSON.parse(rows[0]!.payloadJson) as { actions: unknown }).actions).toEqual([
      { label: '立即发送唤醒（1 位）', action: 'slip:2025-03-03' },
    ])
  })

  it('/slipping offers the digest’s members the win-back step now; taken once, by a manager or the owner', async () => {
    const { domain } = get()
    const clerk = await conversation().handle(from('Clerk', { text: '/slipping' }))
    expect(clerk[0]!.text).toContain('/slipping')
    expect(clerk[0]!.buttons).toBeUndefined()
    const [offer] = await conversation().handle(from('Manager', { text: '/slipping' }))
    expect(offer!.text).toContain('1 valuable members started slipping this week')
    expect(offer!.text).not.toContain('Send /slipping')
    const button = offer!.buttons![0]![0]!
    expect(button).toMatchObject({ action: 'slip:2025-03-03', label: 'Send the win-back now (1)' })
    const [done] = await conversation().handle(from('Manager', { action: button.action! }))
    expect(done!.text).toContain('Win-back messages planned for 1 members')
    const [again] = await conversation().handle(from('Owner', { action: button.action! }))
    expect(again!.text).toBe(
      `The win-back was sent by telegram:${staff.Manager} at 2025-03-03 10:00.`,
    )
    const planned = await domain.reminders.list({ kind: 'win_back' })
    expect(planned.map((r) => r.memberId)).toEqual([ids['Zhang Wei']])
    expect(planned[0]).toMatchObject({ status: 'scheduled', dueAt: new Date(NOW).toISOString() })
    // The reminders' own path decides and queues it, as it would the calendar's step.
    await domain.reminders.decideDue()
    const [queued] = await domain.reminders.list({ kind: 'win_back' })
    expect(queued).toMatchObject({ status: 'queued', delivery: 'pending' })
    // The calendar reaching the first step later plans nothing more for the same absence.
    get().clock.set(new Date(Date.parse(NOW) + 6 * DAY).toISOString())
    await domain.reminders.planCalendar()
    expect(
      await domain.reminders.list({ kind: 'win_back', memberId: ids['Zhang Wei'] }),
    ).toHaveLength(1)
    get().clock.set(NOW)
  })
})
