import { type HealthState, OFFICIAL_TEMPLATES } from '../ports.ts'
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
  // Not a platform outage but a setting to fix: nothing waits for it, so the notice says what to do.
  if (channel === OFFICIAL_TEMPLATES)
    return state === 'up'
      ? {
          'zh-CN': '✅ 公众号模板消息已恢复发送。',
          en: '✅ WeChat accepts the Official Account’s template messages again.',
        }
      : {
          'zh-CN': `⚠️ 微信拒绝了公众号模板消息${why ? `（${why}）` : ''}。请在方案的 reminders.officialTemplates 中核对模板 ID 和字段；改正之前，这类通知不会发出。`,
          en: `⚠️ WeChat refuses the Official Account’s template messages${why ? ` (${why})` : ''}. Check the template ids and fields in the programme’s reminders.officialTemplates; until then these notifications are not sent.`,
        }
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
