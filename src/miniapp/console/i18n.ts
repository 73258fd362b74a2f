import type { Locale } from '../i18n.ts'

type Role = 'staff' | 'manager' | 'owner'

const zhCN = {
  title: '商家后台',
  loading: '加载中…',
  role: { staff: '店员', manager: '店长', owner: '店主' } as Record<Role, string>,
  otherLanguage: 'English',
  signOut: '退出登录',
  signedOut: '你已退出商家后台。需要时在机器人里发送 /console（后台）重新打开。',
  staffTitle: '员工',
  catalogueTitle: '礼品目录',
  interactionsTitle: '互动活动',
  counterTitle: '核销台',
  auditTitle: '操作记录',
  pageDashboard: '概览',
  pageMembers: '会员',
  pageProgramme: '会员规则',
  pageReminders: '提醒',
  pageReports: '报表',
  pageData: '导入导出',
  pageCampaigns: '群发活动',
  menu: '全部页面',
  menuClose: '收起',
  nothingToSee: '你的角色暂时没有可用的后台页面。',
  you: '（你）',
  inviteRole: '邀请角色',
  roleOf: (p: { name: string }) => `${p.name} 的角色`,
  invite: '生成邀请码',
  inviteTitle: '邀请码已生成',
  inviteHow: (p: { code: string; expires: string }) =>
    `请对方把「/admin ${p.code}」发给机器人（微信里发「管理员 ${p.code}」）。邀请码只能用一次，${p.expires} 前有效，只显示这一次。`,
  changeRole: (p: { name: string; from: string; to: string }) =>
    `把 ${p.name} 的角色从${p.from}改为${p.to}？下一次操作起生效。`,
  revoke: '移除',
  revokeConfirm: (p: { name: string }) =>
    `移除 ${p.name}？对方将立即失去所有商家权限，已打开的后台也会退出。`,
  confirm: '确定',
  cancel: '取消',
  close: '关闭',
  done: '已保存',
  periodFrom: '开始日期',
  periodTo: '结束日期（含）',
  periodShown: (p: { from: string; to: string }) => `${p.from} – ${p.to}`,
  errorTitle: '无法打开商家后台',
  errorAuth: '登录已失效或链接已用过。请在机器人里发送 /console（后台）获取新的登录链接。',
  errorForbidden: '你没有权限这样做。',
  errorGeneric: '出了点问题，请稍后再试。',
}

type Texts = typeof zhCN

const en: Texts = {
  title: 'Merchant console',
  loading: 'Loading…',
  role: { staff: 'staff', manager: 'manager', owner: 'owner' },
  otherLanguage: '简体中文',
  signOut: 'Sign out',
  signedOut: 'You are signed out. Send /console to the bot to open the console again.',
  staffTitle: 'Staff',
  catalogueTitle: 'Catalogue',
  interactionsTitle: 'Interactions',
  counterTitle: 'Counter',
  auditTitle: 'Audit log',
  pageDashboard: 'Dashboard',
  pageMembers: 'Members',
  pageProgramme: 'Programme',
  pageReminders: 'Reminders',
  pageReports: 'Reports',
  pageData: 'Import & export',
  pageCampaigns: 'Campaigns',
  menu: 'All pages',
  menuClose: 'Close',
  nothingToSee: 'There is no console page for your role yet.',
  you: ' (you)',
  inviteRole: 'Invite as',
  roleOf: (p) => `Role of ${p.name}`,
  invite: 'Create invite code',
  inviteTitle: 'Invite code created',
  inviteHow: (p) =>
    `Ask them to send "/admin ${p.code}" to the bot ("管理员 ${p.code}" on WeChat). It works once, until ${p.expires}, and is shown only this once.`,
  changeRole: (p) =>
    `Change ${p.name} from ${p.from} to ${p.to}? It counts from their next request.`,
  revoke: 'Revoke',
  revokeConfirm: (p) =>
    `Revoke ${p.name}? They lose every merchant right at once, and any console they have open signs out.`,
  confirm: 'Confirm',
  cancel: 'Cancel',
  close: 'Close',
  done: 'Saved',
  periodFrom: 'From',
  periodTo: 'To (inclusive)',
  periodShown: (p) => `${p.from} – ${p.to}`,
  errorTitle: 'The console cannot open',
  errorAuth:
    'Your session has ended or the link was already used. Send /console to the bot for a new sign-in link.',
  errorForbidden: 'You may not do that.',
  errorGeneric: 'Something went wrong; please try again later.',
}

/** The console's texts in both languages; the page picks one with `pickLocale`. */
export const CONSOLE_TEXTS: Record<Locale, Texts> = { 'zh-CN': zhCN, en }
