import { describe, expect, it } from 'vitest'
import { FLOOD_DEFAULTS, FloodGuard } from '../../src/bots/core/flood-guard.ts'

describe('flood guard', () => {
  it('counts at most maxUsers users, forgetting the longest untouched first', () => {
    let now = 0
    const guard = new FloodGuard({ ...FLOOD_DEFAULTS, maxUsers: 100 }, () => now)
    for (let user = 0; user < 100_000; user++) {
      now += 1
      guard.check(`telegram:${user}`)
    }
    expect(guard.size).toBe(100)
  })

  it('a flooding user is answered again once the quiet spell is over, with a fresh count', () => {
    let now = 0
    const guard = new FloodGuard({ ...FLOOD_DEFAULTS, messages: 2 }, () => now)
    expect(['a', 'a', 'a', 'a'].map((user) => guard.check(user))).toEqual([
      'answer',
      'answer',
      'warn',
      'ignore',
    ])
    expect(guard.check('b')).toBe('answer')
    now += FLOOD_DEFAULTS.quietMs
    expect([guard.check('a'), guard.check('a'), guard.check('a')]).toEqual([
      'answer',
      'answer',
      'warn',
    ])
  })
})
