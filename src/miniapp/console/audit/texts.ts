import type { Locale } from '../../i18n.ts'

const zhCN = {
  title: '操作记录',
  intro: '后台和 API 的每一次写操作：谁、做了什么、何时、改前和改后。',
  actor: '操作人（员工或 API 密钥编号）',
  operation: '操作',
  anyOperation: '全部操作',
  from: '从',
  to: '到',
  filter: '筛选',
  none: '这段时间没有符合条件的记录。',
  more: '更早的记录',
  before: '改前',
  after: '改后',
  target: '对象',
  kind: { staff: '员工', api_key: 'API 密钥' } as Record<string, string>,
}
type Texts = typeof zhCN

const en: Texts = {
  title: 'Audit log',
  intro: 'Every write made through the console and the API: who, what, when, before and after.',
  actor: 'Who (a staff or API key id)',
  operation: 'Operation',
  anyOperation: 'Any operation',
  from: 'From',
  to: 'To',
  filter: 'Filter',
  none: 'No entries match for this period.',
  more: 'Older entries',
  before: 'Before',
  after: 'After',
  target: 'Target',
  kind: { staff: 'staff', api_key: 'API key' },
}

export const AUDIT_TEXTS: Record<Locale, Texts> = { 'zh-CN': zhCN, en }
