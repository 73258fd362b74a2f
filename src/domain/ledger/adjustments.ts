import { z } from 'zod'
import { isUniqueViolation } from '../../../db/errors.ts'
import type { DomainDeps } from '../context.ts'
import { replayOrRefuse } from '../idempotency.ts'
import type { MemberView } from '../members/members.ts'
import type { MembersService } from '../members/members.service.ts'
import { expiryFor } from '../programme/programme.ts'
import type { ProgrammeService } from '../programme/programme.service.ts'
import { findEntryByKey, lockMember } from './ledger.repository.ts'
import { type Posted, credit, debit, toEntryView } from './ledger.service.ts'
import type { LedgerEntryView } from './ledger.ts'

export const adjustmentSchema = z.object({
  points: z
    .number()
    .int()
    .min(-1_000_000_000)
    .max(1_000_000_000)
    .refine((points) => points !== 0, 'points must not be 0'),
  reason: z.string().trim().min(1).max(500),
  idempotencyKey: z.string().min(1).max(200).optional(),
})
export type Adjustment = z.infer<typeof adjustmentSchema>

/**
 * A merchant's manual grant or deduction. A grant is a new lot under the programme's expiry
 * policy; a deduction never takes the balance below zero (`insufficient_points`). Every
 * adjustment names who made it and why, and a retried key is answered with the first entry.
 */
export async function adjustPoints(
  deps: DomainDeps,
  programmes: ProgrammeService,
  members: MembersService,
  memberId: string,
  adjustment: Adjustment,
  actor: string,
): Promise<{ entry: LedgerEntryView; member: MemberView; replayed: boolean }> {
  const key = adjustment.idempotencyKey ? `adjust:${memberId}:${adjustment.idempotencyKey}` : null
  const replay = async () => {
    const entry = key ? await findEntryByKey(deps.store.db, key) : undefined
    return replayOrRefuse(
      entry,
      {
        sameRequest: (first) => first.points === adjustment.points && first.memberId === memberId,
        refusal: 'this idempotency key was used for another adjustment',
      },
      async (first) => ({
        entry: toEntryView(first),
        member: await members.view(memberId),
        replayed: true,
      }),
    )
  }
  const previous = await replay()
  if (previous) return previous
  const { version, config: programme } = await programmes.current()
  const now = deps.clock.now()
  try {
    const posted: Posted = await deps.store.transaction(async (trx) => {
      const member = await lockMember(trx, memberId)
      const write = {
        memberId,
        points: Math.abs(adjustment.points),
        kind: 'adjust' as const,
        reason: 'manual' as const,
        note: adjustment.reason,
        sourceType: 'adjustment',
        idempotencyKey: key,
        programmeVersion: version,
        actor,
      }
      return adjustment.points > 0
        ? credit(
            trx,
            member,
            { ...write, expiresAt: expiryFor(programme.expiry, now, programme.timezone) },
            now,
          )
        : debit(trx, member, { ...write, allowDebt: false }, now)
    })
    return {
      entry: toEntryView(posted.entry),
      member: await members.view(memberId),
      replayed: false,
    }
  } catch (error) {
    if (isUniqueViolation(error)) {
      const again = await replay()
      if (again) return again
    }
    throw error
  }
}
