import { expect, it } from 'vitest'
import { createDb } from '../../db/client.ts'
import { createDomain } from '../../src/domain/index.ts'
import { describeOnDatabases, programmeWith } from '../helpers/domain.ts'

describeOnDatabases('the programme cached per version', (get) => {
  it('a programme replaced by another process is the one this process uses next', async () => {
    const { store, clock, domain } = get()
    // A second process on the same database: its own connection, its own domain and cache.
    const other = createDb(store.url)
    try {
      const elsewhere = createDomain({ store: other, clock })
      await domain.programme.replace(programmeWith({ name: { 'zh-CN': '之前', en: 'Before' } }))
      expect((await domain.programme.current()).config.name.en).toBe('Before')
      expect((await elsewhere.programme.current()).config.name.en).toBe('Before')
      const replaced = await elsewhere.programme.replace(
        programmeWith({ name: { 'zh-CN': '之后', en: 'After' } }),
      )
      const seen = await domain.programme.current()
      expect(seen.version).toBe(replaced.version)
      expect(seen.config.name.en).toBe('After')
      const member = await domain.members.register({ displayName: 'Cached' })
      const order = await domain.orders.ingest({
        id: 'cache-1',
        member: { id: member.id },
        amount: 1000,
      })
      expect(order.member.id).toBe(member.id)
      const recorded = await store.db
        .selectFrom('orders')
        .select('programmeVersion')
        .where('id', '=', 'cache-1')
        .executeTakeFirstOrThrow()
      expect(recorded.programmeVersion).toBe(replaced.version)
    } finally {
      await other.close()
    }
  })
})
