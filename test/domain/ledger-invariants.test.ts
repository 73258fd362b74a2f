import fc from 'fast-check'
import { expect, it } from 'vitest'
import { DomainError } from '../../src/shared/errors.ts'
import { describeOnDatabases, programmeWith } from '../helpers/domain.ts'
import { expectLedgerConsistent } from '../helpers/invariants.ts'

type Op =
  | { type: 'order'; member: number; amount: number; payWith: number }
  | { type: 'refund'; order: number; share: number }
  | { type: 'adjust'; member: number; points: number }
  | { type: 'redeem'; member: number }
  | { type: 'time'; days: number }

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    type: fc.constant('order' as const),
    member: fc.nat(2),
    amount: fc.integer({ min: 1, max: 50_000 }),
    payWith: fc.nat(300),
  }),
  fc.record({
    type: fc.constant('refund' as const),
    order: fc.nat(20),
    share: fc.integer({ min: 1, max: 100 }),
  }),
  fc.record({
    type: fc.constant('adjust' as const),
    member: fc.nat(2),
    points: fc.integer({ min: -300, max: 300 }).filter((p) => p !== 0),
  }),
  fc.record({ type: fc.constant('redeem' as const), member: fc.nat(2) }),
  fc.record({ type: fc.constant('time' as const), days: fc.integer({ min: 1, max: 60 }) }),
)

/** Refusals the engine is meant to give; anything else is a bug. */
const EXPECTED_REFUSALS = new Set(['insufficient_points', 'refund_exceeds_order'])

describeOnDatabases('ledger invariants under random operations', (get) => {
  it('16. after any sequence of earn, spend, refund, expire and adjust, balance = ledger sum and every lot balances', async () => {
    const { domain, clock, store } = get()
    await domain.programme.replace(
      programmeWith({
        expiry: { mode: 'rolling', months: 1 },
        earning: { ...programmeWith({}).earning, firstOrderBonus: 7 },
      }),
    )
    const reward = await domain.rewards.create({ name: 'any', kind: 'gift', pointsCost: 40 })
    let run = 0
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 30 }), async (ops) => {
        run++
        clock.set('2025-01-10T04:00:00Z')
        const members = await Promise.all(
          [0, 1, 2].map((i) => domain.members.register({ displayName: `p${run}-${i}` })),
        )
        const orders: { id: string; amount: number }[] = []
        for (const [step, o] of ops.entries()) {
          try {
            if (o.type === 'order') {
              const id = `prop-${run}-${step}`
              await domain.orders.ingest({
                id,
                member: { id: members[o.member]!.id },
                amount: o.amount,
                pointsRedeemed: o.payWith,
              })
              orders.push({ id, amount: o.amount })
            } else if (o.type === 'refund' && orders.length > 0) {
              const target = orders[o.order % orders.length]!
              await domain.orders.refund(target.id, {
                amount: Math.max(1, Math.floor((target.amount * o.share) / 100)),
              })
            } else if (o.type === 'adjust') {
              await domain.adjust(
                members[o.member]!.id,
                { points: o.points, reason: 'property' },
                'test',
              )
            } else if (o.type === 'redeem') {
              await domain.rewards.redeem(members[o.member]!.id, reward.id)
            } else if (o.type === 'time') {
              clock.advance(o.days * 86_400_000)
              await domain.ledger.expireDue()
            }
          } catch (error) {
            if (!(error instanceof DomainError) || !EXPECTED_REFUSALS.has(error.code)) throw error
          }
        }
        await expectLedgerConsistent(store.db)
      }),
      { numRuns: 40, seed: 20261123 },
    )
    expect(run).toBeGreaterThanOrEqual(40)
  })
})
