import type { Locale } from '../i18n.ts'

const zhCN = {
  period: '时间范围',
  lastDays: (p: { days: number }) => `近 ${p.days} 天`,
  figures: '关键指标',
  members: '会员总数',
  newMembers: '新增会员',
  newMemberRate: '会员新增率',
  memberSales: '会员消费',
  memberShare: '会员消费占比',
  activityRate: '会员活跃度',
  churnRate: '会员流失率',
  repeatRate: '复购率',
  pointsIssued: '发放积分',
  pointsRedeemed: '兑换积分',
  pointsOutstanding: '未使用积分',
  weekly: '每周走势',
  weeklyNewMembers: '每周新增会员',
  weeklySales: '每周会员消费',
  weekOf: (p: { day: string }) => `${p.day} 当周`,
  attention: '待处理',
  allClear: '暂时没有需要处理的事项。',
  pendingPoints: (p: { count: number; points: string }) =>
    `${p.count} 笔订单的 ${p.points} 积分超出发放上限，等待审核`,
  pendingOrder: (p: { name: string; code: string; points: string; amount: string }) =>
    `${p.name}（${p.code}）· ${p.amount} 的订单 · ${p.points} 积分`,
  approve: '发放',
  reject: '不发放',
  approveConfirm: (p: { name: string; points: string }) =>
    `确认给 ${p.name} 发放 ${p.points} 积分？`,
  rejectConfirm: (p: { name: string; points: string }) =>
    `确认不给 ${p.name} 发放这 ${p.points} 积分？该订单将不再获得积分。`,
  lowStock: '库存告急的奖励',
  stockLeft: (p: { name: string; stock: number; issued: number }) =>
    p.stock === 0
      ? `${p.name}：已兑完（已发出 ${p.issued}）`
      : `${p.name}：剩 ${p.stock}（已发出 ${p.issued}）`,
  prizes: (p: { count: number }) => `待发放的奖品（${p.count}）`,
  prizeRow: (p: { prize: string; name: string; code: string; when: string }) =>
    `${p.prize} · ${p.name}（${p.code}）· ${p.when} 抽中`,
  fulfil: '已发放',
  fulfilConfirm: (p: { prize: string; name: string }) => `确认已把「${p.prize}」交给 ${p.name}？`,
  reportsForManagers: '关键指标和走势仅店长和店主可见。',
}

type Texts = typeof zhCN

const en: Texts = {
  period: 'Period',
  lastDays: (p) => `Last ${p.days} days`,
  figures: 'Key figures',
  members: 'Members',
  newMembers: 'New members',
  newMemberRate: 'New-member rate',
  memberSales: 'Member sales',
  memberShare: 'Member share of sales',
  activityRate: 'Activity rate',
  churnRate: 'Churn rate',
  repeatRate: 'Repeat-purchase rate',
  pointsIssued: 'Points issued',
  pointsRedeemed: 'Points redeemed',
  pointsOutstanding: 'Points outstanding',
  weekly: 'Week by week',
  weeklyNewMembers: 'New members per week',
  weeklySales: 'Member sales per week',
  weekOf: (p) => `Week of ${p.day}`,
  attention: 'Needs attention',
  allClear: 'Nothing needs attention right now.',
  pendingPoints: (p) =>
    `${p.points} points of ${p.count} order${p.count === 1 ? '' : 's'} over an issuing cap wait for review`,
  pendingOrder: (p) => `${p.name} (${p.code}) · order of ${p.amount} · ${p.points} points`,
  approve: 'Approve',
  reject: 'Reject',
  approveConfirm: (p) => `Credit ${p.name} with ${p.points} points?`,
  rejectConfirm: (p) =>
    `Reject these ${p.points} points for ${p.name}? The order then earns nothing.`,
  lowStock: 'Rewards running out',
  stockLeft: (p) =>
    p.stock === 0
      ? `${p.name}: out of stock (${p.issued} given out)`
      : `${p.name}: ${p.stock} left (${p.issued} given out)`,
  prizes: (p) => `Prizes to hand over (${p.count})`,
  prizeRow: (p) => `${p.prize} · ${p.name} (${p.code}) · won ${p.when}`,
  fulfil: 'Handed over',
  fulfilConfirm: (p) => `Has ${p.name} been given “${p.prize}”?`,
  reportsForManagers: 'Key figures and trends are for managers and the owner.',
}

export const DASHBOARD_TEXTS: Record<Locale, Texts> = { 'zh-CN': zhCN, en }
