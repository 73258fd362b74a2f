import type { Locale } from '../../domain/programme/programme.ts'
import { type StaffRole, roleAtLeast } from '../../domain/staff/staff.service.ts'
import * as admin from './admin-commands.ts'
import * as campaigns from './campaign-commands.ts'
import * as engagement from './engagement-commands.ts'
import { t } from './i18n.ts'
import * as member from './member-commands.ts'
import * as privacy from './privacy-commands.ts'
import type { Reply } from './messages.ts'
import type { Handler, Turn } from './turn.ts'

/** Several words a language may have for a command; the first is the one texts name. */
type Words = Record<Locale, readonly [string, ...string[]]>

interface Declaration {
  /** The slash command (without the slash); subcommands share it with their parent. */
  name: string
  /** What people type instead of the slash command; every word of either language works. */
  words: Words
  /** For a subcommand (`/quiz start`): the first argument that selects it. */
  sub?: Words
  /** The least staff role it needs; none means anyone, member or not yet. */
  role?: StaffRole
  /** Allowed in a group chat, where everyone reads the answer. */
  group?: boolean
  /** Works before joining; the rest answer with how to join. */
  open?: boolean
  /** In the Telegram command menu. */
  menu?: boolean
  /**
   * Changes nothing but the chat's own state: its update is claimed in this process's memory
   * (RecentUpdates), not in the database, so that the turn commits nothing when the state stays.
   */
  readOnly?: boolean
  /** Its help line names what to send after the command (`usage.<id>` in i18n.ts). */
  usage?: boolean
  /**
   * Who help shows it to, when not everyone who may use it: `strangers`, those who have not
   * joined (a member joining again is only welcomed back); `nobody` for /admin, whose code
   * comes with how to send it.
   */
  listed?: 'strangers' | 'nobody'
  handler: Handler
}

/**
 * Every chat command, once: routing, the role check, help, the Telegram menu and the words of
 * WeChat are all read from here. The order is the order of help and of the menu.
 */
const TABLE = {
  start: {
    name: 'start',
    words: { 'zh-CN': ['注册', '加入'], en: ['join'] },
    group: true,
    open: true,
    listed: 'strangers',
    handler: member.start,
  },
  points: {
    name: 'points',
    words: { 'zh-CN': ['积分', '我的积分'], en: ['points'] },
    group: true,
    menu: true,
    readOnly: true,
    handler: member.points,
  },
  checkin: {
    name: 'checkin',
    words: { 'zh-CN': ['签到', '打卡'], en: ['checkin'] },
    group: true,
    menu: true,
    handler: member.checkIn,
  },
  rewards: {
    name: 'rewards',
    words: { 'zh-CN': ['兑换', '礼品'], en: ['rewards'] },
    menu: true,
    handler: member.rewards,
  },
  history: {
    name: 'history',
    words: { 'zh-CN': ['明细', '积分明细'], en: ['history'] },
    menu: true,
    readOnly: true,
    handler: member.history,
  },
  code: {
    name: 'code',
    words: { 'zh-CN': ['会员码'], en: ['code'] },
    menu: true,
    handler: member.memberCode,
  },
  invite: {
    name: 'invite',
    words: { 'zh-CN': ['邀请', '邀请好友', '推荐'], en: ['invite'] },
    menu: true,
    handler: (turn) => member.invite(turn, joinWord(turn)),
  },
  quiz: {
    name: 'quiz',
    words: { 'zh-CN': ['问答', '答题'], en: ['quiz'] },
    group: true,
    menu: true,
    handler: engagement.quiz,
  },
  lottery: {
    name: 'lottery',
    words: { 'zh-CN': ['抽奖'], en: ['lottery', 'draw'] },
    group: true,
    menu: true,
    handler: engagement.lottery,
  },
  survey: {
    name: 'survey',
    words: { 'zh-CN': ['评价', '满意度'], en: ['survey'] },
    handler: engagement.survey,
  },
  app: {
    name: 'app',
    words: { 'zh-CN': ['会员中心', '积分页'], en: ['app'] },
    menu: true,
    handler: member.app,
  },
  bind: {
    name: 'bind',
    words: { 'zh-CN': ['绑定'], en: ['bind'] },
    open: true,
    menu: true,
    handler: member.bind,
  },
  stop: {
    name: 'stop',
    words: { 'zh-CN': ['退订'], en: ['stop'] },
    handler: (turn) => member.marketing(turn, false),
  },
  resume: {
    name: 'resume',
    words: { 'zh-CN': ['订阅'], en: ['resume'] },
    handler: (turn) => member.marketing(turn, true),
  },
  lang: {
    name: 'lang',
    words: { 'zh-CN': ['语言'], en: ['language'] },
    group: true,
    open: true,
    menu: true,
    handler: async (turn) => member.chooseLanguage(turn),
  },
  mydata: {
    name: 'mydata',
    words: { 'zh-CN': ['我的数据', '导出我的数据'], en: ['mydata'] },
    menu: true,
    handler: privacy.myData,
  },
  deleteme: {
    name: 'deleteme',
    words: { 'zh-CN': ['注销', '注销会员'], en: ['deleteme'] },
    handler: privacy.deleteMe,
  },
  help: {
    name: 'help',
    words: { 'zh-CN': ['帮助', '菜单'], en: ['help'] },
    group: true,
    open: true,
    menu: true,
    readOnly: true,
    handler: help,
  },
  cancel: {
    name: 'cancel',
    words: { 'zh-CN': ['取消'], en: ['cancel'] },
    group: true,
    open: true,
    handler: async (turn) => {
      turn.session.dialog = undefined
      return [{ text: t(turn.locale, 'cancelled') }]
    },
  },
  admin: {
    name: 'admin',
    words: { 'zh-CN': ['管理员'], en: ['admin'] },
    open: true,
    listed: 'nobody',
    usage: true,
    handler: admin.acceptInvite,
  },
  stats: {
    name: 'stats',
    words: { 'zh-CN': ['统计'], en: ['stats'] },
    role: 'staff',
    open: true,
    handler: admin.stats,
  },
  console: {
    name: 'console',
    words: { 'zh-CN': ['后台'], en: ['console'] },
    role: 'staff',
    open: true,
    handler: admin.openConsole,
  },
  verify: {
    name: 'verify',
    words: { 'zh-CN': ['核销'], en: ['verify'] },
    role: 'staff',
    open: true,
    usage: true,
    handler: admin.verifyCoupon,
  },
  member: {
    name: 'member',
    words: { 'zh-CN': ['查会员'], en: ['member'] },
    role: 'staff',
    open: true,
    usage: true,
    handler: admin.lookUpMember,
  },
  tag: {
    name: 'tag',
    words: { 'zh-CN': ['标签', '打标签'], en: ['tag'] },
    role: 'staff',
    open: true,
    usage: true,
    handler: admin.tag,
  },
  untag: {
    name: 'untag',
    words: { 'zh-CN': ['去标签', '删除标签'], en: ['untag'] },
    role: 'staff',
    open: true,
    usage: true,
    handler: admin.untag,
  },
  campaign: {
    name: 'campaign',
    words: { 'zh-CN': ['群发效果'], en: ['campaign'] },
    role: 'staff',
    open: true,
    usage: true,
    handler: campaigns.campaignResults,
  },
  adjust: {
    name: 'adjust',
    words: { 'zh-CN': ['调整积分'], en: ['adjust'] },
    role: 'manager',
    open: true,
    handler: admin.adjust,
  },
  review: {
    name: 'review',
    words: { 'zh-CN': ['审核'], en: ['review'] },
    role: 'manager',
    open: true,
    handler: admin.review,
  },
  broadcast: {
    name: 'broadcast',
    words: { 'zh-CN': ['群发'], en: ['broadcast'] },
    role: 'manager',
    open: true,
    handler: campaigns.broadcast,
  },
  slipping: {
    name: 'slipping',
    words: { 'zh-CN': ['流失预警'], en: ['slipping'] },
    role: 'manager',
    open: true,
    handler: campaigns.slippingDigest,
  },
  quizStart: {
    name: 'quiz',
    words: { 'zh-CN': ['问答', '答题'], en: ['quiz'] },
    sub: { 'zh-CN': ['开始'], en: ['start'] },
    role: 'manager',
    open: true,
    handler: engagement.startableQuizzes,
  },
  export: {
    name: 'export',
    words: { 'zh-CN': ['导出'], en: ['export'] },
    role: 'owner',
    open: true,
    usage: true,
    handler: admin.exportCsv,
  },
} satisfies Record<string, Declaration>

export type CommandId = keyof typeof TABLE
export type Command = Declaration & { id: CommandId }

export const COMMANDS: readonly Command[] = Object.entries(TABLE).map(([id, declaration]) => ({
  ...(declaration as Declaration),
  id: id as CommandId,
}))

const BY_WORD = new Map<string, Command[]>()
for (const command of COMMANDS) {
  const names = new Set([command.name, ...Object.values(command.words).flat()])
  for (const word of names)
    BY_WORD.set(word.toLowerCase(), [...(BY_WORD.get(word.toLowerCase()) ?? []), command])
}

/** The command a slash command or command word stands for, with its own subcommand if any. */
function lookUp(word: string, args: string): { command: Command; args: string } | undefined {
  const candidates = BY_WORD.get(word.toLowerCase()) ?? []
  const [first = '', ...rest] = args.split(/\s+/)
  const sub = candidates.find((c) =>
    Object.values(c.sub ?? {}).some((words) => words.includes(first.toLowerCase())),
  )
  if (sub) return { command: sub, args: rest.join(' ') }
  const command = candidates.find((c) => !c.sub)
  return command ? { command, args } : undefined
}

/** The command a text gives (a slash command or a command word), if the table has it. */
export function parseCommand(text: string): { command: Command; args: string } | undefined {
  const slash = /^\/([A-Za-z_]+)(?:@\w+)?(?:\s+([\s\S]*))?$/.exec(text)
  if (slash) {
    const named = lookUp(slash[1]!, slash[2]?.trim() ?? '')
    return named?.command.name === slash[1]!.toLowerCase() ? named : undefined
  }
  const [word = '', ...rest] = text.split(/\s+/)
  return lookUp(word, rest.join(' '))
}

/** Whether someone holding `role` (null: no staff record) may use the command. */
export function mayUse(command: Command, role: StaffRole | null): boolean {
  return !command.role || (role !== null && roleAtLeast(role, command.role))
}

/** The slash form of a command, subcommand included: `/quiz start`. */
export function slashOf(command: Command): string {
  return `/${[command.name, command.sub?.en[0]].filter(Boolean).join(' ')}`
}

/** The words form: `问答 开始`. */
function wordsOf(command: Command, locale: Locale): string {
  return [command.words[locale][0], command.sub?.[locale][0]].filter(Boolean).join(' ')
}

function helpLine(command: Command, locale: Locale, words: boolean): string {
  const usage = command.usage
    ? ` ${t(locale, `usage.${command.id}` as Extract<Parameters<typeof t>[1], `usage.${string}`>)}`
    : ''
  const invocation = words ? `${wordsOf(command, locale)}${usage} —` : `${slashOf(command)}${usage}`
  return `${invocation} ${t(locale, `command.${command.id}`)}`
}

export interface Reader {
  /** Their staff role, if any. */
  role: StaffRole | null
  member: boolean
  group?: boolean
  /** They type words (WeChat) rather than slash commands. */
  words?: boolean
}

/** Help for one person: the commands they may use here, members' first, then staff's. */
export function helpText(locale: Locale, reader: Reader): string {
  const usable = COMMANDS.filter(
    (c) =>
      mayUse(c, reader.role) &&
      (!reader.group || c.group) &&
      (reader.member ? c.listed !== 'strangers' : c.open) &&
      c.listed !== 'nobody',
  )
  const section = (title: string, commands: Command[]) =>
    commands.length
      ? [title, ...commands.map((c) => helpLine(c, locale, Boolean(reader.words)))].join('\n')
      : ''
  return [
    section(
      t(locale, reader.words ? 'help.memberWords' : 'help.member'),
      usable.filter((c) => !c.role),
    ),
    section(
      t(locale, reader.words ? 'help.adminWords' : 'help.admin'),
      usable.filter((c) => c.role),
    ),
  ]
    .filter(Boolean)
    .join('\n\n')
}

async function help(turn: Turn): Promise<Reply[]> {
  const role = await turn.deps.domain.staff.roleOf(turn.inbound.channel, turn.inbound.userId)
  const body = helpText(turn.locale, {
    role,
    member: Boolean(turn.member),
    group: turn.inbound.group,
    words: turn.inbound.commands === 'words',
  })
  const open = await member.miniappButton(turn)
  return [{ text: body, buttons: open ? [[open]] : undefined }]
}

/** What a friend sends to join: /start, or its word where people type words. */
function joinWord(turn: Turn): string {
  const start = COMMANDS.find((c) => c.id === 'start')!
  return turn.inbound.commands === 'words' ? start.words[turn.locale][0] : `/${start.name}`
}

/** The Telegram command menu of one language: members' commands, those of groups in groups. */
export function menuOf(
  locale: Locale,
  scope: 'private' | 'group',
): { command: string; description: string }[] {
  return COMMANDS.filter((c) => c.menu && (scope === 'private' || c.group)).map((c) => ({
    command: c.name,
    description: t(locale, `command.${c.id}`),
  }))
}

/** The subcommands' own words in their slash form (`start` of `/quiz start`). */
export const SUBCOMMAND_WORDS = [...new Set(COMMANDS.flatMap((c) => c.sub?.en ?? []))]

/** The words that stand for a slash command (and subcommand) in texts for people who type words. */
export function wordOf(name: string, locale: Locale, sub?: string): string | undefined {
  const command =
    COMMANDS.find((c) => c.name === name && sub !== undefined && c.sub?.en.includes(sub)) ??
    COMMANDS.find((c) => c.name === name && !c.sub)
  if (!command) return undefined
  return command.sub ? wordsOf(command, locale) : command.words[locale][0]
}
