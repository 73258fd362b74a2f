import pino from 'pino'
import { beforeAll, expect, it } from 'vitest'
import { type Conversation, createConversation } from '../../src/bots/core/conversation.ts'
import type { Reply } from '../../src/bots/core/messages.ts'
import type { StaffRole } from '../../src/domain/staff/staff.service.ts'
import { describeOnDatabases, programmeWith } from '../helpers/domain.ts'

describeOnDatabases('pending points in chat', (get) => {
  let conversation: Conversation
  let n = 0
  beforeAll(async () => {
    conversation = createConversation({ domain: get().domain, logger: pino({ level: 'silent' }) })
    await get().domain.programme.replace(
      programmeWith({ caps: { pointsPerOrder: 1_000, pointsPerMemberPerDay: 1_000_000 } }),
    )
  })

  async function say(userId: string, input: { text?: string; action?: string }, lang = 'en') {
    return conversation.handle({
      channel: 'telegram',
      userId,
      displayName: userId,
      languageCode: lang,
      ...input,
    })
  }
  async function staff(role: StaffRole): Promise<string> {
    const userId = String(80_000 + ++n)
    const { code } = await get().domain.staff.createInvite(role)
    await say(userId, { text: `/admin ${code}` })
    return userId
  }
  async function heldOrder(displayName: string, amount = 300_000) {
    const telegramId = String(90_000 + ++n)
    const member = await get().domain.members.register({ displayName, telegramId, locale: 'en' })
    const order = await get().domain.orders.ingest({
      id: `chat-${n}`,
      member: { id: member.id },
      amount,
    })
    return { member, telegramId, order }
  }
  const buttons = (replies: Reply[]) => replies.flatMap((r) => r.buttons?.flat() ?? [])

  it('/points tells the member the points pending review, in both languages', async () => {
    const { telegramId, member } = await heldOrder('Alice Wong')
    const [en] = await say(telegramId, { text: '/points' })
    expect(en!.text).toContain('3000 points pending review')
    await get().domain.members.update(member.id, { locale: 'zh-CN' }, 'test')
    const [zh] = await say(telegramId, { text: '/points' }, 'zh-hans')
    expect(zh!.text).toContain('另有 3000 积分待确认')
  })

  it('/review lists pending points for managers, the member masked, and approves after a confirm', async () => {
    const manager = await staff('manager')
    const { member, order } = await heldOrder('Bob Marley', 420_000)
    const list = await say(manager, { text: '/review' })
    const line = list[0]!.text.split('\n').find((l) => l.includes(order.orderId))!
    expect(line).toContain('B***y')
    expect(line).not.toContain('Bob Marley')
    expect(line).toContain('¥4200.00')
    expect(line).toContain('4200 points')
    expect(line).toContain('over the per-order cap of 1000')
    const approve = buttons(list).find((b) => b.action === `review:${order.pending!.id}:approve`)
    expect(approve).toBeDefined()
    const confirm = await say(manager, { action: approve!.action })
    expect(confirm[0]!.text).toContain('Approve 4200 points')
    expect((await get().domain.members.view(member.id)).points.balance).toBe(0)
    const yes = buttons(confirm).find((b) => b.action?.startsWith('confirm:'))!
    const [done] = await say(manager, { action: yes.action })
    expect(done!.text).toContain('4200 points')
    const after = await get().domain.members.view(member.id)
    expect(after.points).toMatchObject({ balance: 4_200, pending: 0 })
    const entries = await get()
      .store.db.selectFrom('ledgerEntries')
      .select(['reason', 'actor'])
      .where('memberId', '=', member.id)
      .execute()
    expect(entries).toEqual([{ reason: 'points_approved', actor: `telegram:${manager}` }])
    // The confirm pressed again is a stale button, never a second credit.
    await say(manager, { action: yes.action })
    expect((await get().domain.members.view(member.id)).points.balance).toBe(4_200)
  })

  it('/review rejects after a confirm, and is refused to staff below a manager', async () => {
    const clerk = await staff('staff')
    expect((await say(clerk, { text: '/review' }, 'zh-hans'))[0]!.text).toBe(
      '/review 仅限店长及以上使用，你现在是店员。',
    )
    const { member, order } = await heldOrder('Carol')
    expect(
      (await say(clerk, { action: `review:${order.pending!.id}:reject` }, 'zh-hans'))[0]!.text,
    ).toContain('仅限店长及以上使用')
    const owner = await staff('owner')
    await say(owner, { text: '/review' }, 'zh-hans')
    const confirm = await say(owner, { action: `review:${order.pending!.id}:reject` }, 'zh-hans')
    expect(confirm[0]!.text).toContain('确认拒绝')
    const yes = buttons(confirm).find((b) => b.action?.startsWith('confirm:'))!
    const [done] = await say(owner, { action: yes.action }, 'zh-hans')
    expect(done!.text).toContain('已拒绝')
    expect((await get().domain.members.view(member.id)).points).toMatchObject({
      balance: 0,
      pending: 0,
    })
    const again = await say(owner, { action: `review:${order.pending!.id}:approve` }, 'zh-hans')
    expect(again[0]!.text).toBe('这笔待确认积分已经被拒绝了。')
  })

  it('/review says so when nothing is pending', async () => {
    for (const { id } of (await get().domain.pendingPoints.list()).items)
      await get().domain.pendingPoints.reject(id, 'test')
    const manager = await staff('manager')
    expect((await say(manager, { text: '/review' }))[0]!.text).toBe(
      'No points are waiting for review.',
    )
    expect((await say(manager, { text: '审核' }, 'zh-hans'))[0]!.text).toBe('没有待审核的积分。')
  })
})
