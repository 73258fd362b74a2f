import type { Db } from '../../../db/client.ts'
import { DAY_MS } from '../reminders/planning.ts'

export interface Attributed {
  /** Orders credited to this touch. */
  orders: number
  /** Their net sales (amount less refunds), in minor units. */
  sales: number
}

/**
 * A message that may be credited with the member's orders: sent (or, for a held-out member,
 * the moment it would have been) at `at`, opened at `openedAt` if the member opened it, and
 * crediting orders placed in [at, at + windowMs).
 */
export interface Touch {
  key: string
  memberId: string
  at: number
  openedAt: number | null
  windowMs: number
  /** Breaks a tie between touches of the same instant: the higher wins (the later queued). */
  rank: number
}

export interface OrderFact {
  memberId: string
  at: number
  net: number
}

/**
 * The one attribution rule of campaigns and reminders: an order is credited to one touch at
 * most, the member's touch whose window covers the order and that the member met last before
 * it; a touch is met when it was opened, if that was before the order, else when it arrived.
 * Equal instants go to the higher rank. Answers the credit per touch key; a touch credited
 * with nothing is absent.
 */
export function creditOrders(touches: Touch[], orders: OrderFact[]): Map<string, Attributed> {
  const byMember = new Map<string, Touch[]>()
  for (const touch of touches) {
    const list = byMember.get(touch.memberId) ?? []
    list.push(touch)
    byMember.set(touch.memberId, list)
  }
  const credit = new Map<string, Attributed>()
  for (const order of orders) {
    let best: { touch: Touch; met: number } | null = null
    for (const touch of byMember.get(order.memberId) ?? []) {
      if (order.at < touch.at || order.at >= touch.at + touch.windowMs) continue
      const met = touch.openedAt !== null && touch.openedAt <= order.at ? touch.openedAt : touch.at
      if (!best || met > best.met || (met === best.met && touch.rank > best.touch.rank))
        best = { touch, met }
    }
    if (!best) continue
    const entry = credit.get(best.touch.key) ?? { orders: 0, sales: 0 }
    entry.orders++
    entry.sales += order.net
    credit.set(best.touch.key, entry)
  }
  return credit
}

const messageKey = (outboxId: number) => `m${outboxId}`

/** A sent outbox row as a touch; `attributeOrders` reads its window and its open itself. */
export function messageTouch(message: { id: number; memberId: string; sentAt: string }): Touch {
  return {
    key: messageKey(message.id),
    memberId: message.memberId,
    at: new Date(message.sentAt).getTime(),
    openedAt: null,
    windowMs: 0,
    rank: message.id,
  }
}

/**
 * What each touch of `touches` brought under `creditOrders`, competing with every message sent
 * to the same members (campaigns with their own window, reminders with `reminderWindowMs`), so
 * that an order credited to one is never credited to another. Touches passed here that are not
 * messages (a held-out member's moment, ranked 0 so that a message wins a tie) compete only in
 * this answer. Answers in the order of `touches`.
 */
export async function attributeOrders(
  db: Db,
  touches: Touch[],
  reminderWindowMs: number,
): Promise<Attributed[]> {
  if (touches.length === 0) return []
  const firstAt = new Date(touches.reduce((min, t) => Math.min(min, t.at), Infinity)).toISOString()
  const members = [...new Set(touches.map((t) => t.memberId))]
  const competing = new Map<string, Touch>(touches.map((t) => [t.key, t]))
  const orders: OrderFact[] = []
  for (let i = 0; i < members.length; i += 500) {
    const page = members.slice(i, i + 500)
    const messages = await db
      .selectFrom('outbox')
      .leftJoin('campaigns', 'campaigns.id', 'outbox.campaignId')
      .leftJoin('campaignOpens', (join) =>
        join
          .onRef('campaignOpens.campaignId', '=', 'outbox.campaignId')
          .onRef('campaignOpens.memberId', '=', 'outbox.memberId'),
      )
      .leftJoin('reminderOpens', 'reminderOpens.reminderId', 'outbox.reminderId')
      .select([
        'outbox.id',
        'outbox.memberId',
        'outbox.sentAt',
        'campaigns.attributionDays',
        'campaignOpens.openedAt as campaignOpenedAt',
        'reminderOpens.openedAt as reminderOpenedAt',
      ])
      .where('outbox.memberId', 'in', page)
      .where('outbox.status', '=', 'sent')
      .$narrowType<{ memberId: string }>()
      .execute()
    for (const message of messages) {
      if (!message.sentAt) continue
      const key = messageKey(message.id)
      const openedAt = message.campaignOpenedAt ?? message.reminderOpenedAt
      competing.set(key, {
        key,
        memberId: message.memberId,
        at: new Date(message.sentAt).getTime(),
        openedAt: openedAt ? new Date(openedAt).getTime() : null,
        windowMs:
          message.attributionDays === null ? reminderWindowMs : message.attributionDays * DAY_MS,
        rank: message.id,
      })
    }
    const rows = await db
      .selectFrom('orders')
      .select(['memberId', 'placedAt', 'amount', 'refundedAmount'])
      .where('memberId', 'in', page)
      .where('placedAt', '>=', firstAt)
      .execute()
    for (const order of rows)
      orders.push({
        memberId: order.memberId,
        at: new Date(order.placedAt).getTime(),
        net: order.amount - order.refundedAmount,
      })
  }
  const credit = creditOrders([...competing.values()], orders)
  return touches.map((t) => credit.get(t.key) ?? { orders: 0, sales: 0 })
}
