import type { Logger } from 'pino'
import type { Domain } from '../domain/index.ts'
import type { ChannelHealthReporter } from '../domain/ports.ts'

/**
 * The reporter adapters and workers are given: records what they saw of a channel and logs every
 * change of its state, always, whether or not a staff member could be told. Never rejects: a
 * health report must not break the send or the event that made it.
 */
export function healthReporter(domain: Domain, logger: Logger): ChannelHealthReporter {
  return {
    async report(channel, state, reason) {
      try {
        const change = await domain.channelHealth.report(channel, state, reason)
        if (!change) return
        const fields = { ...change, staffTold: change.told.length }
        if (change.to === 'up') logger.info(fields, `channel ${channel} is up`)
        else if (change.told.length === 0 && change.from !== 'down' && change.from !== 'degraded')
          logger.error(
            fields,
            `channel ${channel} is ${change.to}: no other channel to tell staff on`,
          )
        else logger.error(fields, `channel ${channel} is ${change.to}`)
      } catch (err) {
        logger.error({ err, channel, state }, 'could not record a channel health report')
      }
    },
  }
}
