import type { Button, Reply } from './messages.ts'
import type { Session } from './turn.ts'

/** How a member answers a numbered choice where there are no buttons: the bare number. */
export const CHOICE_NUMBER = /^\d{1,2}$/

/** One numbered choice of the last offer, kept so that the number can be answered later. */
export interface Choice {
  number: number
  action: string
  label: string
}

/** What a number a member sent stands for in the current session. */
export type ChoiceLookup =
  { kind: 'current'; choice: Choice } | { kind: 'expired' } | { kind: 'unknown' }

export function lookUpChoice(session: Session, number: number): ChoiceLookup {
  const choice = session.offer?.find((c) => c.number === number)
  if (choice) return { kind: 'current', choice }
  if (session.expiredChoices?.includes(number)) return { kind: 'expired' }
  return { kind: 'unknown' }
}

/** The buttons of the current offer again, with the numbers they were printed with. */
export function currentChoices(session: Session): Button[][] {
  return (session.offer ?? []).map((c) => [{ label: c.label, action: c.action, number: c.number }])
}

/**
 * Numbers the action buttons of a turn's replies and records them in the session. Numbers are
 * unique across all the replies of the turn, so that two offers side by side (two lotteries)
 * never share one, and avoid the numbers of the previous offer, so that a number sent in
 * answer to an older message is recognised as old instead of answering the newer one. The
 * smallest free numbers are used, so they stay short to type. A button that already has a
 * number (the current offer shown again) keeps it.
 */
export function numberChoices(session: Session, replies: Reply[]): Reply[] {
  const previous = (session.offer ?? []).map((c) => c.number)
  const expired = session.expiredChoices ?? []
  // The offer before is the last one that had choices, when this session's last turn had none.
  const avoid = new Set(previous.length > 0 ? previous : expired)
  const taken = new Set(
    replies.flatMap((r) => r.buttons?.flat() ?? []).flatMap((b) => (b.number ? [b.number] : [])),
  )
  let next = 1
  const offer: Choice[] = []
  const numbered = replies.map((reply) => {
    if (!reply.buttons) return reply
    const buttons = reply.buttons.map((row) =>
      row.map((button) => {
        if (!button.action) return button
        let number = button.number
        if (!number) {
          while (taken.has(next) || avoid.has(next)) next += 1
          number = next
          taken.add(number)
        }
        offer.push({ number, action: button.action, label: button.label })
        return { ...button, number }
      }),
    )
    return { ...reply, buttons }
  })
  const current = new Set(offer.map((c) => c.number))
  const retired = [...avoid].filter((n) => !current.has(n))
  session.offer = offer
  // An offer shown again retires nothing: the numbers that had expired stay expired.
  session.expiredChoices = retired.length > 0 ? retired : expired.filter((n) => !current.has(n))
  return numbered
}
