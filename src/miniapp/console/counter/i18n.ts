import type { Locale } from '../../i18n.ts'

type Status = 'issued' | 'used' | 'expired' | 'void'
type Refusal =
  | 'insufficient_points'
  | 'tier_required'
  | 'tier_already_held'
  | 'limit_reached'
  | 'out_of_stock'
  | 'reward_inactive'

const zhCN = {
  title: '核销台',
  codeLabel: '券码或会员码',
  codeHint: '输入顾客出示的券码或会员码，或扫描二维码。',
  check: '查询',
  scan: '扫码',
  scanTitle: '扫描券码或会员码',
  stopScan: '停止扫码',
  cameraHint: '把二维码放进画面中央',
  noCamera: '无法使用摄像头。请允许浏览器使用摄像头，或直接输入码。',
  notFound: (p: { code: string }) =>
    `没有找到券码或会员码为「${p.code}」的券或会员，请核对后重试。`,
  coupon: '券',
  couponCode: '券码',
  kind: {
    gift: '礼品',
    coupon: '优惠券',
    cash_offset: '抵现券',
    free_shipping: '免运费券',
    tier_upgrade: '等级升级',
    lottery_chance: '抽奖机会',
  } as Record<string, string>,
  owner: '持有会员',
  status: {
    issued: '有效，尚未使用',
    used: '已使用',
    expired: '已过期',
    void: '已作废',
  } as Record<Status, string>,
  validUntil: (p: { date: string }) => `${p.date} 前有效`,
  use: '确认核销',
  usedNow: (p: { reward: string }) => `✅ 核销成功：${p.reward}。请为顾客兑现。`,
  usedBefore: (p: { at: string }) => `这张券已于 ${p.at} 使用过，不能再次核销。`,
  expiredOn: (p: { at: string }) => `这张券已于 ${p.at} 过期，不能核销。`,
  voided: '这张券已作废，不能核销。',
  member: '会员',
  memberCode: '会员码',
  tier: '等级',
  balance: '积分余额',
  pending: (p: { points: string }) => `另有 ${p.points} 积分待审核`,
  points: '积分',
  usable: '可用的券',
  noUsable: '没有可用的券。',
  open: '查看',
  rewards: '为会员兑换',
  noRewards: '目前没有可兑换的奖励。',
  redeem: '兑换',
  refusal: {
    insufficient_points: '积分不足',
    tier_required: '等级不够',
    tier_already_held: '已是该等级',
    limit_reached: '已达兑换上限',
    out_of_stock: '已兑完',
    reward_inactive: '已下架',
  } as Record<Refusal, string>,
  redeemConfirm: (p: { reward: string; member: string; cost: string; after: string }) =>
    `为 ${p.member} 兑换「${p.reward}」，扣除 ${p.cost} 积分？兑换后余额 ${p.after} 积分。`,
  redeemed: (p: { reward: string }) => `✅ 已兑换：${p.reward}`,
  issuedCode: (p: { code: string }) =>
    `券码 ${p.code}，可以马上核销，也可以让会员稍后在小程序里出示。`,
  useNow: '马上核销这张券',
  refused: (p: { reason: string }) => `没有兑换：${p.reason}。积分没有变化。`,
}

type Texts = typeof zhCN

const en: Texts = {
  title: 'Counter',
  codeLabel: 'Coupon or member code',
  codeHint: 'Type the code the customer shows you, or scan its QR code.',
  check: 'Check',
  scan: 'Scan',
  scanTitle: 'Scan a coupon or member code',
  stopScan: 'Stop scanning',
  cameraHint: 'Hold the QR code in the middle of the picture',
  noCamera: 'The camera cannot be used. Allow this page to use the camera, or type the code.',
  notFound: (p) => `No coupon or member has the code "${p.code}". Check it and try again.`,
  coupon: 'Coupon',
  couponCode: 'Coupon code',
  kind: {
    gift: 'Gift',
    coupon: 'Coupon',
    cash_offset: 'Cash offset',
    free_shipping: 'Free shipping',
    tier_upgrade: 'Tier upgrade',
    lottery_chance: 'Lottery chance',
  },
  owner: 'Member',
  status: {
    issued: 'Valid, not used yet',
    used: 'Used',
    expired: 'Expired',
    void: 'Void',
  },
  validUntil: (p) => `Valid until ${p.date}`,
  use: 'Use coupon',
  usedNow: (p) => `✅ Used: ${p.reward}. Give the customer what it is for.`,
  usedBefore: (p) => `This coupon was already used on ${p.at}. Do not accept it again.`,
  expiredOn: (p) => `This coupon expired on ${p.at}; it cannot be used.`,
  voided: 'This coupon is void; it cannot be used.',
  member: 'Member',
  memberCode: 'Member code',
  tier: 'Tier',
  balance: 'Points balance',
  pending: (p) => `${p.points} more points waiting for review`,
  points: 'points',
  usable: 'Usable coupons',
  noUsable: 'No usable coupons.',
  open: 'Open',
  rewards: 'Redeem for this member',
  noRewards: 'No rewards to redeem right now.',
  redeem: 'Redeem',
  refusal: {
    insufficient_points: 'Not enough points',
    tier_required: 'Higher tier needed',
    tier_already_held: 'Tier already held',
    limit_reached: 'Limit reached',
    out_of_stock: 'Out of stock',
    reward_inactive: 'Retired',
  },
  redeemConfirm: (p) =>
    `Redeem "${p.reward}" for ${p.member} for ${p.cost} points? Their balance becomes ${p.after} points.`,
  redeemed: (p) => `✅ Redeemed: ${p.reward}`,
  issuedCode: (p) =>
    `Coupon code ${p.code}: use it now, or the member shows it later in the mini-app.`,
  useNow: 'Use this coupon now',
  refused: (p) => `Not redeemed: ${p.reason}. The points are unchanged.`,
}

/** The counter's texts in both languages, beside the console's. */
export const COUNTER_TEXTS: Record<Locale, Texts> = { 'zh-CN': zhCN, en }
