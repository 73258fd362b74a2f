import type { DomainErrorCode } from '../../shared/errors.ts'
import { type Programme, tierIndex } from '../programme/programme.ts'

/** What a reward asks of whoever receives it. */
export interface RewardTerms {
  active: boolean
  kind: string
  pointsCost: number
  stock: number | null
  minTierCode: string | null
  perMemberLimit: number | null
  tierCode: string | null
  /** Offered from and until these instants (ISO); null is no bound. */
  startsAt: string | null
  endsAt: string | null
}

/** Where the member stands towards one reward. */
export interface MemberStanding {
  tierCode: string
  pointsBalance: number
  /** Units of this reward the member already received (redeemed, won or given). */
  received: number
}

/** Why a member may not receive a reward now: each is also the error a redemption gets. */
export const REWARD_REFUSAL_CODES = [
  'reward_inactive',
  'tier_required',
  'tier_already_held',
  'limit_reached',
  'out_of_stock',
  'insufficient_points',
] as const satisfies readonly DomainErrorCode[]
export type RewardRefusalCode = (typeof REWARD_REFUSAL_CODES)[number]

export interface RewardRefusal {
  code: RewardRefusalCode
  message: string
  details?: Record<string, unknown>
}

/** Also what the atomic decrement answers when another member took the last unit first. */
export const OUT_OF_STOCK: RewardRefusal = {
  code: 'out_of_stock',
  message: 'this reward is out of stock',
}

/**
 * `redemption`: the member pays with points and must meet the tier. `prize`: the unit is won,
 * so neither points nor the tier requirement apply, but stock, the limit and a pointless tier
 * upgrade still do.
 */
export type RewardUse = 'redemption' | 'prize'

/**
 * The one answer to "may this member receive this reward now, and if not, why": the service
 * asks it under the member's lock before any write, the lists ask it to show each reward as
 * offered or refused with its reason. Null when the member may. With no member (a merchant's
 * view) only the reward's own terms count: whether anyone could receive it. Outside its dates
 * a reward is not offered, as if paused (`reward_inactive`, with the date it starts or ended).
 */
export function rewardRefusal(
  programme: Programme,
  reward: RewardTerms,
  member: MemberStanding | null,
  now: Date,
  use: RewardUse = 'redemption',
): RewardRefusal | null {
  if (!reward.active)
    return { code: 'reward_inactive', message: 'this reward is no longer offered' }
  const at = now.toISOString()
  if (reward.startsAt !== null && at < reward.startsAt)
    return {
      code: 'reward_inactive',
      message: `this reward is offered from ${reward.startsAt}`,
      details: { startsAt: reward.startsAt },
    }
  if (reward.endsAt !== null && at >= reward.endsAt)
    return {
      code: 'reward_inactive',
      message: `this reward was offered until ${reward.endsAt}`,
      details: { endsAt: reward.endsAt },
    }
  const soldOut = reward.stock !== null && reward.stock <= 0
  if (member === null) return soldOut ? OUT_OF_STOCK : null
  const held = tierIndex(programme, member.tierCode)
  if (
    use === 'redemption' &&
    reward.minTierCode &&
    held < tierIndex(programme, reward.minTierCode)
  ) {
    return {
      code: 'tier_required',
      message: `this reward needs tier ${reward.minTierCode}`,
      details: { minTierCode: reward.minTierCode },
    }
  }
  // Granting a tier the member holds or exceeds would take the points and change nothing.
  if (reward.kind === 'tier_upgrade' && tierIndex(programme, reward.tierCode) <= held) {
    return {
      code: 'tier_already_held',
      message: `the member already holds tier ${member.tierCode}`,
      details: { tierCode: reward.tierCode, heldTierCode: member.tierCode },
    }
  }
  if (reward.perMemberLimit !== null && member.received >= reward.perMemberLimit) {
    return {
      code: 'limit_reached',
      message: `this reward can be redeemed ${reward.perMemberLimit} time(s) per member`,
      details: { perMemberLimit: reward.perMemberLimit },
    }
  }
  if (soldOut) return OUT_OF_STOCK
  if (use === 'redemption' && member.pointsBalance < reward.pointsCost) {
    return {
      code: 'insufficient_points',
      message: `${reward.pointsCost} points needed, ${member.pointsBalance} available`,
      details: { balance: member.pointsBalance, required: reward.pointsCost },
    }
  }
  return null
}
