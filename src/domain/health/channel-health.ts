import type { HealthState } from '../ports.ts'
import type { LocalizedText } from '../programme/programme.ts'

/** The channels' names as staff read them. */
const CHANNEL_NAMES: Record<string, LocalizedText> = {
  telegram: { 'zh-CN': 'Telegram', en: 'Telegram' },
  wechat: { 'zh-CN': '微信', en: 'WeChat' },
  wechat_official: { 'zh-CN': '公众号', en: 'the Official Account' },
}

function nameOf(channel: string): LocalizedText {
  return CHANNEL_NAMES[channel] ?? { 'zh-CN': channel, en: channel }
}

/** What staff are told when a channel's incident begins (down or degraded) and when it ends. */
export function healthNotice(
  channel: string,
  state: HealthState,
  reason: string | null,
): LocalizedText {
  const name = nameOf(channel)
  const why = reason ? reason.slice(0, 200) : ''
  if (state === 'up')
    return {
      'zh-CN': `✅ ${name['zh-CN']}已恢复，暂存的消息正在按顺序发出。`,
      en: `✅ ${name.en} is back; the messages held meanwhile are going out in order.`,
    }
  if (state === 'down')
    return {
      'zh-CN': `⚠️ ${name['zh-CN']}无法发送消息${why ? `（${why}）` : ''}。消息已暂存，恢复后按顺序发出；过期的消息不再发送。`,
      en: `⚠️ ${name.en} cannot send messages${why ? ` (${why})` : ''}. Messages are held and go out in order when it is back; those past their use expire.`,
    }
  return {
    'zh-CN': `⚠️ ${name['zh-CN']}发送受限${why ? `（${why}）` : ''}，消息会延迟发出。`,
    en: `⚠️ ${name.en} is sending with limits${why ? ` (${why})` : ''}; messages go out late.`,
  }
}

/** How long to wait before probing a channel that is down again: doubling, up to `maxMs`. */
export function probeDelayMs(failures: number, baseMs: number, maxMs: number): number {
  return Math.min(baseMs * 2 ** Math.min(failures, 20), maxMs)
}

/** A channel that is down is probed with one message 5 s after, then 10, 20... up to a minute. */
export const PROBE_BASE_MS = 5_000
export const PROBE_MAX_MS = 60_000
