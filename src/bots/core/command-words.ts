import type { Locale } from '../../domain/programme/programme.ts'

/**
 * The word that stands for each command where people type words rather than slash commands
 * (WeChat), in each language. Every word is also in COMMAND_ALIASES, so what a text tells a
 * member to send is what the conversation understands.
 */
export const COMMAND_WORDS: Record<Locale, Record<string, string>> = {
  'zh-CN': {
    start: '注册',
    points: '积分',
    history: '明细',
    rewards: '兑换',
    checkin: '签到',
    code: '会员码',
    bind: '绑定',
    stop: '退订',
    resume: '订阅',
    help: '帮助',
    lang: '语言',
    cancel: '取消',
    admin: '管理员',
    stats: '统计',
    verify: '核销',
    member: '查会员',
    adjust: '调整积分',
    quiz: '问答',
    lottery: '抽奖',
    survey: '评价',
    app: '会员中心',
    broadcast: '群发',
    campaign: '群发效果',
    mydata: '我的数据',
    deleteme: '注销',
    tag: '标签',
    untag: '去标签',
    export: '导出',
  },
  en: {
    start: 'join',
    points: 'points',
    history: 'history',
    rewards: 'rewards',
    checkin: 'checkin',
    code: 'code',
    bind: 'bind',
    stop: 'stop',
    resume: 'resume',
    help: 'help',
    lang: 'language',
    cancel: 'cancel',
    admin: 'admin',
    stats: 'stats',
    verify: 'verify',
    member: 'member',
    adjust: 'adjust',
    quiz: 'quiz',
    lottery: 'lottery',
    survey: 'survey',
    app: 'app',
    broadcast: 'broadcast',
    campaign: 'campaign',
    mydata: 'mydata',
    deleteme: 'deleteme',
    tag: 'tag',
    untag: 'untag',
    export: 'export',
  },
}

// A slash command standing alone in a text; not one inside a URL or already quoted, such as
// the Telegram form 「/bind CODE」 that a binding code is sent with.
const SLASH_COMMAND = /( ?)(?<![\w/:.「"“])\/([a-z]+)\b( ?)/g

/** The text with each slash command it names replaced by the word for it: 「积分」 or "points". */
export function withCommandWords(text: string, locale: Locale): string {
  return text.replace(SLASH_COMMAND, (match, before: string, name: string, after: string) => {
    const word = COMMAND_WORDS[locale][name]
    if (!word) return match
    // Chinese puts no spaces around the quoted word; English keeps them.
    return locale === 'zh-CN' ? `「${word}」` : `${before}"${word}"${after}`
  })
}
