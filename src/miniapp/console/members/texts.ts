import type { Locale } from '../../i18n.ts'

export type SearchField = 'code' | 'phone' | 'name' | 'tag'

const zhCN = {
  searchBy: '查找方式',
  field: { code: '会员码', phone: '手机号', name: '姓名', tag: '标签' } as Record<
    SearchField,
    string
  >,
  searchFor: '查找内容',
  search: '查找',
  noMatch: '没有找到符合条件的会员。',
  back: '返回列表',
  code: '会员码',
  phone: '手机号',
  birthday: '生日',
  joined: '入会',
  none: '未填写',
  balance: '积分余额',
  pending: '待审核积分',
  debt: '欠分',
  tier: '等级',
  heldBy: {
    purchases: '本期消费达标',
    last_window: '上期保级保留',
    reward: '用积分兑换',
    import: '从原系统迁入',
    staff: '商家设定的保底等级',
  } as Record<string, string>,
  outlook: (p: { held: string; day: string; needs: string | null; after: string }) =>
    p.needs === null
      ? `来源：${p.held}。本期到 ${p.day} 为止已保级。`
      : `来源：${p.held}。到 ${p.day} 还需 ${p.needs} 才能保级，否则调整为${p.after}。`,
  next: (p: { next: string; remaining: string }) => `再 ${p.remaining} 可升级为${p.next}。`,
  // Chinese sentences follow one another without a space; English ones take one.
  sentenceGap: '',
  ledger: '积分明细',
  orders: '订单',
  coupons: '优惠券',
  couponStatus: { issued: '未使用', used: '已使用', expired: '已过期', void: '已作废' } as Record<
    string,
    string
  >,
  tags: '标签',
  noTags: '暂无标签',
  addTag: '添加标签',
  removeTag: (p: { tag: string }) => `移除标签 ${p.tag}`,
  identities: '聊天账号',
  channel: { telegram: 'Telegram', wechat: '微信', wechat_official: '公众号' } as Record<
    string,
    string
  >,
  linkedAt: (p: { when: string; by: string }) => `${p.when} 绑定 · ${p.by}`,
  linkedBy: (p: { by: string | null }) =>
    p.by === null
      ? '注册时自带'
      : p.by.startsWith('member:')
        ? '会员用绑定码绑定'
        : p.by.startsWith('staff:')
          ? '店员操作'
          : p.by.startsWith('api_key:')
            ? '收银系统或 API'
            : `导入（${p.by}）`,
  unreachable: '已屏蔽机器人',
  merged: (p: { when: string; by: string; points: string }) =>
    `${p.when} 合并了另一条会员记录（带来 ${p.points} 积分）· ${p.by}`,
  nothing: '暂无',
  adjust: '调整积分',
  adjustPoints: '积分（扣减请填负数）',
  reason: '原因',
  adjustConfirm: (p: { name: string; balance: string; points: string; reason: string }) =>
    `确认给 ${p.name}（当前 ${p.balance} 积分）调整 ${p.points} 积分？原因：${p.reason}`,
  birthdayFix: '更正生日',
  birthdayConfirm: (p: { name: string; from: string; to: string; reason: string }) =>
    `确认把 ${p.name} 的生日从 ${p.from} 改为 ${p.to}？原因：${p.reason}`,
  save: '保存',
  export: '导出会员数据',
  exportConfirm: (p: { name: string }) =>
    `导出 ${p.name} 的全部数据？文件包含个人信息，请妥善保管，用完删除。`,
  erase: '注销会员',
  eraseConfirm: (p: { name: string; balance: string }) =>
    `确定要注销 ${p.name} 吗？姓名、手机号、生日、聊天账号、标签和评价留言都会被删除，无法恢复；现有的 ${p.balance} 积分和未使用的券会作废。订单和积分流水会以匿名方式保留。`,
  erased: '该会员已注销。',
  refused: {
    insufficient_points: '积分不足，扣减后不能低于 0。',
    invalid_input: '请检查填写的内容。',
    member_inactive: '该会员已注销或已合并，不能再修改。',
  } as Record<string, string>,
}

type Texts = typeof zhCN

const en: Texts = {
  searchBy: 'Search by',
  field: { code: 'member code', phone: 'phone', name: 'name', tag: 'tag' },
  searchFor: 'Search for',
  search: 'Search',
  noMatch: 'No member matches.',
  back: 'Back to the list',
  code: 'Member code',
  phone: 'Phone',
  birthday: 'Birthday',
  joined: 'Joined',
  none: 'not given',
  balance: 'Balance',
  pending: 'Pending review',
  debt: 'Debt',
  tier: 'Tier',
  heldBy: {
    purchases: 'this window’s purchases',
    last_window: 'kept from the last window',
    reward: 'bought with points',
    import: 'carried in from the old system',
    staff: 'a floor set by the shop',
  },
  outlook: (p) =>
    p.needs === null
      ? `Held by ${p.held}. Kept until ${p.day}.`
      : `Held by ${p.held}. Needs ${p.needs} more by ${p.day} to keep it, else ${p.after}.`,
  next: (p) => `${p.remaining} more to reach ${p.next}.`,
  sentenceGap: ' ',
  ledger: 'Points history',
  orders: 'Orders',
  coupons: 'Coupons',
  couponStatus: { issued: 'unused', used: 'used', expired: 'expired', void: 'void' },
  tags: 'Tags',
  noTags: 'No tags',
  addTag: 'Add tag',
  removeTag: (p) => `Remove tag ${p.tag}`,
  identities: 'Chat accounts',
  channel: { telegram: 'Telegram', wechat: 'WeChat', wechat_official: 'Official Account' },
  linkedAt: (p) => `linked ${p.when} · ${p.by}`,
  linkedBy: (p) =>
    p.by === null
      ? 'came with the registration'
      : p.by.startsWith('member:')
        ? 'by the member, with a binding code'
        : p.by.startsWith('staff:')
          ? 'by staff'
          : p.by.startsWith('api_key:')
            ? 'by the till or the API'
            : `by an import (${p.by})`,
  unreachable: 'has blocked the bot',
  merged: (p) => `${p.when}: another record merged in (${p.points} points) · ${p.by}`,
  nothing: 'None yet',
  adjust: 'Adjust points',
  adjustPoints: 'Points (negative to deduct)',
  reason: 'Reason',
  adjustConfirm: (p) =>
    `Adjust ${p.name} (now ${p.balance} points) by ${p.points} points? Reason: ${p.reason}`,
  birthdayFix: 'Correct the birthday',
  birthdayConfirm: (p) =>
    `Change ${p.name}’s birthday from ${p.from} to ${p.to}? Reason: ${p.reason}`,
  save: 'Save',
  export: 'Export member data',
  exportConfirm: (p) =>
    `Export everything held about ${p.name}? The file holds personal data: keep it safe and delete it when done.`,
  erase: 'Erase member',
  eraseConfirm: (p) =>
    `Erase ${p.name}? Name, phone, birthday, chat accounts, tags and comments are deleted for good; their ${p.balance} points and unused coupons are forfeited. Orders and the points history stay, anonymised.`,
  erased: 'This member has been erased.',
  refused: {
    insufficient_points: 'Not enough points: a deduction cannot take the balance below 0.',
    invalid_input: 'Please check what you entered.',
    member_inactive: 'This member was erased or merged and can no longer be changed.',
  },
}

export const MEMBER_TEXTS: Record<Locale, Texts> = { 'zh-CN': zhCN, en }
