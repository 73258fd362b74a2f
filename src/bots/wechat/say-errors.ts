/**
 * What a failed `say` tells about the message. The puppet refuses before sending when the
 * account is logged out, when WeChat says it sends too often, or when the contact is unknown:
 * the message was not sent and may be tried again. Anything else (a timeout, a dropped
 * connection, an error WeChat gave after taking the message) does not say whether it arrived,
 * and sending it again could make the member read it twice.
 */
export type SayFailure = 'logged_out' | 'too_frequent' | 'refused' | 'uncertain'

const LOGGED_OUT = /not logged in|未登录|logged out|login required|need login/i
export const TOO_FREQUENT = /频繁|too frequent|too often/i
const REFUSED =
  /contact not found|not a friend|非好友|no such contact|invalid (contact|conversation)/i

export function classifySayError(error: unknown): SayFailure {
  const message = error instanceof Error ? error.message : String(error)
  if (LOGGED_OUT.test(message)) return 'logged_out'
  if (TOO_FREQUENT.test(message)) return 'too_frequent'
  if (REFUSED.test(message)) return 'refused'
  return 'uncertain'
}
