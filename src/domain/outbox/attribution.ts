import type { Db } from '../../../db/client.ts'

export interface Attributed {
  /** Orders the member placed in [sentAt, sentAt + window). */
  orders: number
  /** Their net sales (amount less refunds), in minor units. */
  sales: number
}

/**
 * What each sent message brought: the orders its member placed within `windowMs` after it.
 * The one attribution rule of campaigns and reminders; an order may count for more than one
 * message. Answers in the order of `messages`.
 */
export async function attributeOrders(
  db: Db,
  messages: { memberId: string; sentAt: string }[],
  windowMs: number,
): Promise<Attributed[]> {
  if (messages.length === 0) return []
  const firstSent = messages.reduce(
    (min, m) => (m.sentAt < min ? m.sentAt : min),
    messages[0]!.sentAt,
  )
  const members = [...new Set(messages.map((m) => m.memberId))]
  const byMember = new Map<string, { at: number; net: number }[]>()
  for (let i = 0; i < members.length; i += 500) {
    const rows = await db
      .selectFrom('orders')
      .select(['memberId', 'placedAt', 'amount', 'refundedAmount'])
      .where('memberId', 'in', members.slice(i, i + 500))
      .where('placedAt', '>=', firstSent)
      .execute()
    for (const order of rows) {
      const list = byMember.get(order.memberId) ?? []
      list.push({
        at: new Date(order.placedAt).getTime(),
        net: order.amount - order.refundedAmount,
      })
      byMember.set(order.memberId, list)
    }
  }
  return messages.map((message) => {
    const sent = new Date(message.sentAt).getTime()
    const within = (byMember.get(message.memberId) ?? []).filter(
      (o) => o.at >= sent && o.at < sent + windowMs,
    )
    return { orders: within.length, sales: within.reduce((sum, o) => sum + o.net, 0) }
  })
}
