/**
 * Whether a quiz, a lottery or a survey has started, after which its terms are fixed: members
 * may have read them (it is open, or was: active and past its opening; a survey, which has no
 * schedule, opens when it is created) or acted on them (someone took part). Until then the
 * merchant may change anything, the schedule included.
 */
export function hasStarted(
  interaction: { active: number; opensAt: string },
  now: Date,
  participants: number,
): boolean {
  return participants > 0 || (interaction.active === 1 && interaction.opensAt <= now.toISOString())
}
