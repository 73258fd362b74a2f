import { expect, it } from 'vitest'
import { ChatQueue } from '../../src/bots/core/chat-queue.ts'

it('forgets a chat once its last task is done, however many chats it has served', async () => {
  const errors: unknown[] = []
  const queue = new ChatQueue((error) => errors.push(error))
  const order: string[] = []
  for (let chat = 0; chat < 10_000; chat++) {
    queue.push(`chat-${chat}`, () => Promise.resolve())
    if (chat % 1_000 === 0) {
      queue.push(`chat-${chat}`, () => Promise.reject(new Error('handler failed')))
      queue.push(`chat-${chat}`, async () => void order.push(`chat-${chat}`))
    }
  }
  expect(queue.size).toBe(10_000)
  await queue.idle()
  expect(queue.size).toBe(0)
  expect(errors).toHaveLength(10)
  expect(order).toHaveLength(10)
})
