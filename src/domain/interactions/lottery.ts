/** A prize as the draw sees it: its weight, and whether any is left. */
export interface WeightedPrize {
  id: string
  weight: number
  stock: number | null
}

/**
 * Prizes that can still be won: unlimited, or with stock left, and not among `ungivable`
 * (a prize whose catalogue reward cannot be given, which counts as out of stock).
 */
export function available<T extends WeightedPrize>(
  prizes: T[],
  ungivable: ReadonlySet<string> = new Set(),
): T[] {
  return prizes.filter((p) => (p.stock === null || p.stock > 0) && !ungivable.has(p.id))
}

/**
 * The prize a roll in [0, total weight) lands on, prizes laid end to end in their order.
 * With a uniform roll (crypto.randomInt) each prize wins with probability weight / total.
 */
export function pickPrize<T extends WeightedPrize>(prizes: T[], roll: number): T {
  let upper = 0
  for (const prize of prizes) {
    upper += prize.weight
    if (roll < upper) return prize
  }
  throw new RangeError(`roll ${roll} is outside the total weight ${upper}`)
}

export function totalWeight(prizes: WeightedPrize[]): number {
  return prizes.reduce((sum, p) => sum + p.weight, 0)
}

/** The published odds: each available prize's share of the total weight. */
export function odds<T extends WeightedPrize>(
  prizes: T[],
  ungivable: ReadonlySet<string> = new Set(),
): (T & { probability: number })[] {
  const live = available(prizes, ungivable)
  const total = totalWeight(live)
  return prizes.map((p) => ({
    ...p,
    probability: live.includes(p) && total > 0 ? p.weight / total : 0,
  }))
}
