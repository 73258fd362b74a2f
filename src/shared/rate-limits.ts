// The rate-limit policy as data: read by config.ts from the environment and applied by the API's
// middleware, so that neither needs the other.

/** At most `points` requests in each window of `seconds`. */
export interface Rate {
  points: number
  seconds: number
}

export interface RateLimits {
  enabled: boolean
  /** Per API key, over all of /api/v1. */
  apiKey: Rate
  /** Per member, over the mini-app's session routes. */
  member: Rate
  /** Per client address, on the one unauthenticated route: POST /api/miniapp/session. */
  sessionPerIp: Rate
  /** How many proxies in front of the server append to X-Forwarded-For; 0: the socket's address. */
  trustProxy: number
}

/**
 * Far above what a busy shop needs: a till posts an order every few seconds and even a web shop
 * with many tills on one key stays well under 50 requests a second; a member's page makes about
 * ten requests when it opens; a shop's Wi-Fi or a carrier's NAT puts many members behind one
 * address, each signing in once an hour.
 */
export const RATE_LIMIT_DEFAULTS: RateLimits = {
  enabled: true,
  apiKey: { points: 100, seconds: 2 },
  member: { points: 60, seconds: 10 },
  sessionPerIp: { points: 120, seconds: 60 },
  trustProxy: 0,
}
