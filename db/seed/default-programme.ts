/**
 * The programme a fresh installation starts with: open membership, four tiers on spend over
 * 12 months, ¥1 = 1 point, points valid for 12 months. Merchants replace it through the API.
 */
export const defaultProgramme = {
  name: { 'zh-CN': '会员积分计划', en: 'Members programme' },
  currency: 'CNY',
  timezone: 'Asia/Shanghai',
  defaultLocale: 'zh-CN',
  phoneRegion: 'CN',
  membership: { type: 'open', inviteCodes: [], requiredFields: [] },
  tiers: [
    {
      code: 'member',
      name: { 'zh-CN': '普通会员', en: 'Member' },
      threshold: 0,
      multiplierPercent: 100,
      benefits: [{ 'zh-CN': '消费1元得1积分', en: '1 point for every ¥1 spent' }],
    },
    {
      code: 'silver',
      name: { 'zh-CN': '银卡会员', en: 'Silver' },
      threshold: 100_000,
      multiplierPercent: 110,
      benefits: [
        { 'zh-CN': '积分1.1倍', en: '1.1× points' },
        { 'zh-CN': '生日双倍积分', en: 'Double points on your birthday' },
      ],
    },
    {
      code: 'gold',
      name: { 'zh-CN': '金卡会员', en: 'Gold' },
      threshold: 500_000,
      multiplierPercent: 125,
      benefits: [{ 'zh-CN': '积分1.25倍', en: '1.25× points' }, { kind: 'free_shipping' }],
    },
    {
      code: 'diamond',
      name: { 'zh-CN': '钻石会员', en: 'Diamond' },
      threshold: 2_000_000,
      multiplierPercent: 150,
      benefits: [
        { 'zh-CN': '积分1.5倍', en: '1.5× points' },
        { 'zh-CN': '专属客服', en: 'Priority service' },
        { 'zh-CN': '专属兑换礼品', en: 'Exclusive rewards' },
      ],
    },
  ],
  tierRules: { basis: 'spend', windowMonths: 12, downgrade: 'one_step' },
  earning: {
    conversion: { mode: 'fixed', per: 100, points: 1 },
    rounding: 'floor',
    roundingScope: 'order',
    firstOrderBonus: 0,
    birthday: { multiplierPercent: 200, scope: 'day' },
    campaignDays: [],
  },
  orders: { backdatingDays: 30 },
  caps: { pointsPerOrder: 100_000, pointsPerMemberPerDay: 200_000 },
  interactions: { checkin: { points: 5 }, dailyCaps: { quiz: 50, survey: 20 } },
  referral: { referrerPoints: 100, refereePoints: 50, minOrderAmount: 5_000, lockDays: 30 },
  expiry: { mode: 'rolling', months: 12 },
  refundReturnGraceDays: 30,
  expiringSoonDays: 30,
} as const
