import type { Locale } from '../../domain/programme/programme.ts'

/** Every text a member or merchant sees in chat, in 简体中文 and English. */
const zhCN = {
  'welcome.new': (p: { programme: string }) =>
    `欢迎来到「${p.programme}」！加入会员即可积分、签到、兑换礼品。`,
  'register.invite': () => '本会员计划需要邀请码。请发送你的邀请码：',
  'register.inviteInvalid': () => '邀请码不正确，请再试一次，或发送 /cancel 取消。',
  'register.privacy': () =>
    '加入前请确认：我们会保存你的会员资料、积分和订单记录，仅用于提供会员服务，你可以随时要求导出或删除。是否同意？',
  'register.agree': () => '同意并加入',
  'register.decline': () => '暂不加入',
  'register.declined': () => '好的，没有加入。想加入时随时发送 /start。',
  'register.marketing': () => '是否愿意接收活动和优惠消息？随时可以发送 /stop 退订。',
  'register.marketingYes': () => '接收',
  'register.marketingNo': () => '不接收',
  'register.phone': () => '请发送你的手机号（用于门店查找会员）：',
  'register.phoneInvalid': () => '手机号格式不正确，请重新发送，例如 13800138000。',
  'register.birthday': () => '请发送你的生日（格式 1990-05-20），生日当天有额外积分：',
  'register.birthdayInvalid': () =>
    '这不是有效的生日：请发送一个真实、且不晚于今天的日期，格式如 1990-05-20。',
  'register.done': (p: { name: string; tier: string; benefits: string; code: string }) =>
    `🎉 ${p.name}，欢迎加入！你现在是【${p.tier}】。\n${p.benefits}\n会员码：${p.code}\n发送 /points 查看积分，/checkin 每日签到，/rewards 兑换礼品。`,
  'register.needed': () => '你还不是会员。发送 /start 加入，只需一分钟。',
  'register.continue': () => '你还没有完成加入，继续吧：',
  'welcome.back': (p: { name: string; tier: string; balance: number }) =>
    `${p.name}，欢迎回来！你是【${p.tier}】，当前积分 ${p.balance}。发送 /help 查看全部功能。`,
  'points.summary': (p: { balance: number; tier: string }) =>
    `💰 当前积分：${p.balance}\n🏅 会员等级：${p.tier}`,
  'points.debt': (p: { debt: number }) =>
    `（退款冲回，欠 ${p.debt} 积分，将从之后获得的积分中扣除）`,
  'points.pending': (p: { points: number }) => `另有 ${p.points} 积分待确认（商家审核后发放）`,
  'points.next': (p: { next: string; remaining: string }) => `距离【${p.next}】还差 ${p.remaining}`,
  'points.top': () => '你已是最高等级，感谢支持！',
  'points.expiring': (p: { points: number; date: string }) =>
    `⏳ ${p.points} 积分的有效期到 ${p.date}，记得兑换哦。`,
  'points.benefits': (p: { benefits: string }) => `当前权益：${p.benefits}`,
  'tier.heldBy.purchases': (p: { tier: string }) => `🏅 【${p.tier}】来自你本期的消费。`,
  'tier.heldBy.last_window': (p: { tier: string }) => `🏅 【${p.tier}】是你上一期保级保留下来的。`,
  'tier.heldBy.reward': (p: { tier: string }) => `🏅 【${p.tier}】是你用积分兑换的。`,
  'tier.heldBy.import': (p: { tier: string }) => `🏅 【${p.tier}】由商家从原会员系统迁入。`,
  'tier.heldBy.staff': (p: { tier: string }) =>
    `🏅 【${p.tier}】由商家为你设定，不会低于这一等级。`,
  'tier.keep': (p: { date: string; needed: string; after: string }) =>
    `📅 本期到 ${p.date} 为止：再${p.needed}即可保级，否则将调整为【${p.after}】。`,
  'tier.kept': (p: { date: string }) => `📅 本期到 ${p.date} 为止，你已保住当前等级。`,
  'amount.spend': (p: { amount: string }) => `消费 ¥${p.amount}`,
  'amount.points': (p: { points: number }) => `${p.points} 成长积分`,
  'history.empty': () => '还没有积分记录。消费、签到都能获得积分。',
  'history.title': () => '最近的积分明细：',
  'history.line': (p: { date: string; points: string; reason: string }) =>
    `${p.date}  ${p.points}  ${p.reason}`,
  'rewards.empty': () => '目前没有可兑换的礼品，敬请期待。',
  'rewards.title': (p: { balance: number }) => `积分兑换（你有 ${p.balance} 积分）：`,
  'rewards.line': (p: { name: string; cost: number; stock: string }) =>
    `• ${p.name} — ${p.cost} 积分${p.stock}`,
  'rewards.stockLeft': (p: { stock: number }) => `（剩 ${p.stock} 件）`,
  'rewards.lineRefused': (p: { name: string; cost: number; reason: string }) =>
    `• ${p.name} — ${p.cost} 积分 · ${p.reason}`,
  'rewards.refused.reward_inactive': () => '已下架',
  'rewards.refused.tier_required': (p: { tier: string }) => `需${p.tier}`,
  'rewards.refused.tier_already_held': () => '你已是这个等级',
  'rewards.refused.limit_reached': () => '已达兑换次数上限',
  'rewards.refused.out_of_stock': () => '已兑完',
  'rewards.refused.insufficient_points': (p: { missing: number }) => `还差 ${p.missing} 积分`,
  'rewards.button': (p: { name: string; cost: number }) => `兑换 ${p.name}（${p.cost}）`,
  'redeem.confirm': (p: { name: string; cost: number; balance: number }) =>
    `确认用 ${p.cost} 积分兑换「${p.name}」吗？兑换后剩余 ${p.balance} 积分。`,
  'redeem.yes': () => '确认兑换',
  'redeem.no': () => '取消',
  'redeem.cancelled': () => '已取消，积分没有变化。',
  'redeem.done': (p: { name: string; balance: number }) =>
    `✅ 已兑换「${p.name}」，剩余 ${p.balance} 积分。`,
  'redeem.coupon': (p: { code: string; expires: string }) =>
    `券码：${p.code}${p.expires}\n到店出示券码即可使用。`,
  'redeem.couponExpires': (p: { date: string }) => `（${p.date} 前有效）`,
  'redeem.stale': () => '这个确认已经失效了，请重新发送 /rewards 选择。',
  'checkin.done': (p: { points: number; balance: number }) =>
    `✅ 签到成功，+${p.points} 积分！当前积分 ${p.balance}。`,
  'checkin.capped': () => '✅ 签到成功！今天的互动积分已达上限。',
  'checkin.again': () => '今天已经签到过了，明天再来吧！',
  'code.caption': (p: { code: string }) => `你的会员码：${p.code}\n结账时向店员出示即可积分。`,
  'invite.link': (p: { link: string }) =>
    `🎁 邀请好友加入会员：把这个链接发给好友，或让好友扫描二维码。\n${p.link}`,
  'invite.words': (p: { words: string }) =>
    `🎁 邀请好友加入会员：请好友加本店为好友后发送「${p.words}」，或把二维码发给好友。`,
  'invite.reward': (p: { referrer: number; referee: number; minimum: string | null }) =>
    `好友${p.minimum ? `首单满 ¥${p.minimum} ` : '完成首单'}后，你得 ${p.referrer} 积分，好友得 ${p.referee} 积分。`,
  'bind.issued': (p: { code: string }) =>
    `绑定码：${p.code}（10 分钟内有效）\n在另一个 App（微信或 Telegram）里向我们发送「绑定 ${p.code}」或「/bind ${p.code}」，两边的积分就合在一起了。`,
  'bind.linked': (p: { balance: number }) =>
    `✅ 绑定成功！这个账号已连接到你的会员账号，当前积分 ${p.balance}。`,
  'bind.merged': (p: { balance: number }) =>
    `✅ 绑定成功！两个会员账号已合并为一个，积分、订单和等级都已合在一起，当前积分 ${p.balance}。`,
  'bind.invalid': () => '绑定码无效或已过期，请在另一个 App 里发送 /bind 重新获取。',
  'marketing.stopped': () => '已退订活动消息。积分和兑换不受影响，想恢复时发送 /resume。',
  'marketing.resumed': () => '已恢复接收活动和优惠消息。',
  'lang.choose': () => '请选择语言 / Choose your language:',
  'lang.set': () => '已切换为简体中文。',
  'help.member': () => '你可以发送：',
  'help.admin': () => '商家命令：',
  'help.memberWords': () => '直接发送下面的词：',
  'help.adminWords': () => '商家命令：',
  'command.start': () => '加入会员',
  'command.points': () => '积分和等级',
  'command.checkin': () => '每日签到',
  'command.rewards': () => '兑换礼品',
  'command.history': () => '积分明细',
  'command.code': () => '出示会员码，结账积分',
  'command.invite': () => '邀请好友，一起得积分',
  'command.quiz': () => '有奖问答',
  'command.lottery': () => '抽奖赢好礼',
  'command.survey': () => '评价我们',
  'command.app': () => '打开会员页面',
  'command.bind': () => '绑定另一个 App 的账号',
  'command.stop': () => '退订活动消息',
  'command.resume': () => '恢复接收活动消息',
  'command.lang': () => '切换语言',
  'command.mydata': () => '导出我的数据',
  'command.deleteme': () => '注销会员',
  'command.help': () => '查看这份说明',
  'command.cancel': () => '取消当前操作',
  'command.admin': () => '成为本店员工',
  'command.stats': () => '关键数据',
  'command.console': () => '打开商家后台',
  'command.verify': () => '核销优惠券',
  'command.member': () => '查看会员资料',
  'command.tag': () => '给会员打标签',
  'command.untag': () => '去掉会员标签',
  'command.campaign': () => '查看群发效果',
  'command.adjust': () => '调整会员积分',
  'command.review': () => '审核待确认积分',
  'command.broadcast': () => '群发活动消息',
  'command.slipping': () => '本周开始消费放缓的高价值会员，一键发送唤醒',
  'command.quizStart': () => '开启一场问答',
  'command.export': () => '导出 CSV',
  'usage.admin': () => '<邀请码>',
  'usage.verify': () => '<券码>',
  'usage.member': () => '<会员码|手机号>',
  'usage.tag': () => '<会员码|手机号> <标签>',
  'usage.untag': () => '<会员码|手机号> <标签>',
  'usage.campaign': () => '<编号>',
  'usage.export': () => 'members|ledger|orders',
  'help.open': () => '打开会员中心',
  'group.private': () => '这个功能涉及个人信息，请私聊我使用 🙂',
  'app.open': () => '点击下方按钮打开你的会员中心：',
  'app.link': () => '你的会员中心链接（30 分钟内有效，仅限本人打开一次）：',
  'app.unavailable': () => '会员中心暂未开放，请稍后再试。',
  'quiz.none': () => '目前没有进行中的有奖问答，敬请期待。',
  'quiz.choose': () => '选择一个有奖问答：',
  'quiz.question': (p: { title: string; index: number; total: number; text: string }) =>
    `❓ ${p.title}（第 ${p.index}/${p.total} 题）\n${p.text}`,
  'quiz.right': () => '✅ 回答正确！',
  'quiz.wrong': (p: { answer: string }) => `❌ 正确答案是：${p.answer}`,
  'quiz.done': (p: { correct: number; total: number; points: number }) =>
    `🎉 答题完成：答对 ${p.correct}/${p.total} 题，获得 ${p.points} 积分。`,
  'quiz.capped': () => '（今天的问答积分已达上限）',
  'quiz.results': (p: {
    title: string
    correct: number
    total: number
    points: number
    rank: number
    completed: number
  }) =>
    `📊 你已完成「${p.title}」：答对 ${p.correct}/${p.total} 题，获得 ${p.points} 积分，在 ${p.completed} 位完成的会员中排名第 ${p.rank}。`,
  'quiz.leaderboard': () => '排行榜：',
  'quiz.rank': (p: { rank: number; name: string; correct: number; you: boolean }) =>
    `${p.rank}. ${p.name}${p.you ? '（你）' : ''} — 答对 ${p.correct} 题`,
  'quiz.startable': () => '选择要现在开始的问答：',
  'quiz.noneToStart': () => '没有可以开始的问答。请先通过 API 创建问答。',
  'quiz.started': (p: { title: string }) =>
    `✅ 问答「${p.title}」已开始，会员发送 /quiz 即可参加。`,
  'lottery.none': () => '目前没有进行中的抽奖，敬请期待。',
  'lottery.show': (p: { title: string; price: string; odds: string }) =>
    `🎁 ${p.title}\n${p.price}\n奖品与中奖概率：\n${p.odds}`,
  'lottery.free': (p: { count: number }) => `今天还有 ${p.count} 次免费抽奖`,
  'lottery.chances': (p: { count: number }) => `你有 ${p.count} 次抽奖机会`,
  'lottery.cost': (p: { cost: number }) => `每次抽奖 ${p.cost} 积分`,
  'lottery.draw': () => '抽一次',
  'lottery.again': () => '再抽一次',
  'lottery.won': (p: { prize: string }) => `🎉 恭喜抽中「${p.prize}」！`,
  'lottery.wonPoints': (p: { points: number; balance: number }) =>
    `+${p.points} 积分已到账，当前积分 ${p.balance}。`,
  'lottery.coupon': (p: { code: string }) => `券码：${p.code}，到店出示即可领取。`,
  'lottery.nothing': () => '谢谢参与，下次好运！',
  'lottery.exhausted': (p: { title: string }) =>
    `🎁 ${p.title}\n奖品已经抽完了，敬请期待下一次活动。`,
  'survey.none': () => '目前没有需要填写的问卷，谢谢你的支持！',
  'survey.ask': (p: { question: string }) => `${p.question}\n请打分：1 非常不满意 … 7 非常满意`,
  'survey.aboutOrder': (p: { order: string }) => `关于订单 ${p.order}：`,
  'survey.thanks': () => '谢谢你的评价！',
  'survey.points': (p: { points: number }) => `+${p.points} 积分。`,
  'survey.comment': () => '还有什么想对我们说的吗？直接发送文字即可，不想写可以选择「跳过」。',
  'survey.skip': () => '跳过',
  'survey.commentSaved': () => '已收到你的意见，谢谢！',
  'error.closed': () => '这个活动已结束或尚未开始。',
  'error.lottery_exhausted': (p: { title: string }) =>
    `「${p.title}」已经没有你能抽中的奖品了，这次不能抽奖，积分没有变化。`,
  'error.already_started': () => '活动已经开始，不能再修改。',
  'error.webhooks_not_configured': () => 'Webhook 推送尚未配置（需要 WEBHOOK_SECRET_KEY）。',
  'campaign.none': () => '还没有群发活动。发送 /broadcast 创建一个。',
  'campaign.status.scheduled': () => '待发送',
  'campaign.status.sending': () => '发送中',
  'campaign.status.paused': () => '已暂停',
  'campaign.status.completed': () => '已完成',
  'campaign.status.cancelled': () => '已取消',
  'campaign.results': (p: {
    name: string
    status: string
    targeted: number
    sent: number
    pending: number
    failed: number
    uncertain: number
    held: number
    expired: number
    blocked: number
    opened: number
    orders: number
    sales: string
    roi: string
  }) =>
    `📣 ${p.name}（${p.status}）\n目标 ${p.targeted} · 已发送 ${p.sent} · 待发送 ${p.pending}\n失败 ${p.failed} · 送达未确认 ${p.uncertain} · 暂存 ${p.held} · 已过期 ${p.expired} · 已屏蔽 ${p.blocked} · 打开 ${p.opened}\n带来订单 ${p.orders} 笔，销售额 ¥${p.sales}，ROI ${p.roi}`,
  'broadcast.segment': () => '群发给谁？（括号里是人数，只含同意接收活动消息的会员）',
  'broadcast.everyone': (p: { size: number }) => `所有已订阅会员（${p.size}）`,
  'broadcast.everyoneName': () => '所有已订阅会员',
  'broadcast.text': (p: { name: string; size: number }) =>
    `发给「${p.name}」，共 ${p.size} 人。请发送消息内容：`,
  'broadcast.image': () => '要配一张图片吗？发送图片的 https 链接，或选择「不配图」。',
  'broadcast.noImage': () => '不配图',
  'broadcast.imageInvalid': () => '请发送以 https:// 开头的图片链接，或选择「不配图」。',
  'broadcast.button': () =>
    '要加一个按钮吗？发送「按钮文字 https://…」加链接按钮，或选择「会员中心按钮」（会员点开会计入「打开」），或选择「不加」。',
  'broadcast.noButton': () => '不加',
  'broadcast.miniapp': () => '会员中心按钮',
  'broadcast.miniappLabel': () => '打开会员中心',
  'broadcast.buttonInvalid': () => '格式不对，请发送「按钮文字 https://…」，或选择「不加」。',
  'broadcast.cost': () =>
    '这次群发花了多少钱？发送金额（元，例如 500 或 99.50），用来计算 ROI；或选择「不填」。',
  'broadcast.noCost': () => '不填',
  'broadcast.costInvalid': () =>
    '请发送金额（元，最多两位小数，例如 500 或 99.50），或选择「不填」。',
  'broadcast.preview': () => '预览（会员收到的样子）：',
  'broadcast.when': () => '什么时候发送？',
  'broadcast.now': () => '立即发送',
  'broadcast.later': () => '定时发送',
  'broadcast.time': (p: { example: string }) => `请发送计划的时间（本店时区），例如 ${p.example}：`,
  'broadcast.timeInvalid': (p: { example: string }) =>
    `时间格式不对或已过去，请按 ${p.example} 的格式发送一个将来的时间。`,
  'broadcast.confirm': (p: { size: number; name: string; when: string }) =>
    `确认向「${p.name}」的 ${p.size} 位会员发送（${p.when}）？夜间免打扰时段的消息会在早上发出。`,
  'slipping.none': () => '还没有流失预警周报：每周发送一次，发送后可在这里查看。',
  'slipping.nobody': (p: { from: string; to: string }) =>
    `${p.from} 至 ${p.to} 没有高价值会员开始消费放缓。`,
  'slipping.sent': (p: { by: string; at: string }) => `唤醒消息已由 ${p.by} 于 ${p.at} 发送。`,
  'slipping.done': (p: { planned: number; members: number }) =>
    `✅ 已为 ${p.planned} 位会员安排唤醒消息（共 ${p.members} 位；已有唤醒安排的不再重复）。消息会避开免打扰时段，未同意营销消息的会员不会收到。`,
  'broadcast.done': (p: { id: string }) =>
    `✅ 群发已创建（${p.id}）。发送 /campaign ${p.id} 查看进度和效果。`,
  'holdout.line': (p: {
    heldOut: number
    messaged: string
    held: string
    uplift: string
    low: string
    high: string
    incremental: string
    verdict: string
  }) =>
    `对照组 ${p.heldOut} 人（未发送）：转化率 ${p.messaged} 对 ${p.held}，提升 ${p.uplift} 个百分点（95% 区间 ${p.low} 至 ${p.high}），增量销售额 ¥${p.incremental}。${p.verdict}`,
  'holdout.too_small': () => '人数太少，还看不出效果。',
  'holdout.no_measurable_effect': () => '暂无可测量的效果。',
  'holdout.positive': () => '效果明确：比对照组多带来了购买。',
  'holdout.negative': () => '比对照组还差：这次群发可能起了反作用。',
  'error.already_done': () => '你已经参加过了。',
  'error.win_back_disabled': () => '唤醒提醒已关闭，请先在方案设置中开启 reminders.winBack。',
  'error.birthday_locked': () => '生日设置后不能自己修改；如需更正，请联系商家。',
  'error.not_found': () => '找不到这个活动，请重新发送命令。',
  'choice.reply': (p: { number: number; label: string }) => `回复 ${p.number} ${p.label}`,
  'choice.expired': () => '这个选项已经过期了。请重新发送命令，发送 /help 查看全部功能。',
  'choice.expiredPick': () => '这个选项已经过期了。现在可以选择：',
  'choice.again': () => '没有这个选项，请从下面选择：',
  'choice.link': (p: { label: string; url: string }) => `${p.label}：${p.url}`,
  'greeting.friend': () =>
    [
      '你好！我是会员助手 👋',
      '回复「注册」加入会员，积分、签到、兑换礼品都在这里。',
      '回复「帮助」查看全部功能。',
      'English: reply "join" to become a member, "help" for more.',
    ].join('\n'),
  // The Official Account's menu: WeChat allows a top-level button at most 16 bytes (5 汉字).
  'menu.memberCentre': () => '会员中心',
  'menu.checkin': () => '签到',
  'menu.points': () => '我的积分',
  fallback: () => '没太明白 🤔 发送 /help 查看我能做什么。',
  cancelled: () => '已取消。',
  'flood.slowDown': () => '你发得太快了，请稍等几秒再试。',
  'error.generic': () => '抱歉，出了点问题，请稍后再试。你的积分没有受到影响。',
  'error.insufficient_points': (p: { balance?: number; required?: number }) =>
    p.required !== undefined ? `积分不足：需要 ${p.required}，你有 ${p.balance}。` : '积分不足。',
  'error.out_of_stock': () => '抱歉，这个礼品已经兑完了。',
  'error.limit_reached': () => '这个礼品每人可兑换的次数已用完。',
  'error.tier_required': () => '这个礼品需要更高的会员等级。',
  'error.tier_already_held': () => '你已经是这个等级或更高等级了，不需要再兑换这个升级。',
  'error.reward_inactive': () => '这个礼品已下架。',
  'error.reward_retired': () => '这个礼品已停用，不能再修改或上架。',
  'error.image_unsupported': () => '图片只能是 PNG、JPEG 或 WebP 格式。',
  'error.reward_not_found': () => '找不到这个礼品，请发送 /rewards 重新选择。',
  'error.member_not_found': () => '找不到这个会员。',
  'error.coupon_not_found': () => '找不到这个券码，请检查后重试。',
  'error.coupon_used': () => '这张券已经核销过了。',
  'error.coupon_expired': () => '这张券已过期。',
  'error.coupon_void': () => '这张券已作废。',
  'error.invite_invalid': () => '这个代码无效、已使用或已过期。',
  'error.member_exists': () => '这个手机号已被其他会员使用。',
  'error.invalid_input': () => '输入的内容不正确，请检查后重试。',
  'error.order_not_found': () => '找不到这笔订单。',
  'error.identity_taken': () => '这个聊天账号已属于另一位会员。',
  'error.idempotency_mismatch': () => '这个操作和之前的一次对不上，请重新发送命令。',
  'error.idempotency_key_required': () => '这个操作缺少防重复的编号，请重新发送命令。',
  'error.refund_exceeds_order': () => '退款金额超过了订单金额。',
  'error.pending_points_decided': (p: { status: string }): string =>
    p.status === 'approved'
      ? '这笔待确认积分已经发放过了。'
      : p.status === 'rejected'
        ? '这笔待确认积分已经被拒绝了。'
        : '这笔订单已全额退款，没有待确认的积分了。',
  'error.order_in_future': () => '订单时间不能晚于现在，请检查收银机的时钟。',
  'error.order_too_old': () => '订单时间超出了可补录的天数，更早的历史请通过会员导入带入。',
  'error.order_lines_mismatch': () => '商品金额减折扣加运费，和订单金额对不上。',
  'error.benefit_not_granted': () =>
    '这位会员的等级没有这项权益，或超出了等级给的额度，订单没有记录。',
  'error.invite_required': () => '本会员计划需要邀请码才能加入。发送 /start 重新开始。',
  'error.self_referral': () => '不能推荐自己加入。',
  'error.member_inactive': () => '这个会员账号已注销或停用。',
  'error.forbidden': () => '抱歉，你没有权限这样做。',
  'error.unauthorized': () => '无法确认你的身份，请重新发送命令。',
  'error.oauth_state_mismatch': () => '登录已失效，请从公众号菜单重新打开会员中心。',
  'admin.refused': (p: { command: string; needed: string; above: boolean; role: string | null }) =>
    `${p.command} 仅限${p.needed}${p.above ? '及以上' : ''}使用${p.role ? `，你现在是${p.role}` : ''}。`,
  'admin.welcome': (p: { role: string }) =>
    `✅ 你现在是本店的${p.role}。发送 /help 查看你能用的商家命令。`,
  'console.open': () => '点击下方按钮打开商家后台：',
  'console.link': (p: { minutes: number }) =>
    `商家后台登录链接（${p.minutes} 分钟内有效，只能用一次，请勿转发）：`,
  'console.button': () => '打开商家后台',
  'console.unavailable': () => '商家后台暂未开放：服务器还没有配置公开地址（PUBLIC_URL）。',
  'role.staff': () => '店员',
  'role.manager': () => '店长',
  'role.owner': () => '店主',
  'admin.codeMissing': () => '请发送：/admin <邀请码>',
  'stats.report': (p: {
    from: string
    to: string
    members: number
    new: number
    newRate: string
    share: string
    memberSales: string
    totalSales: string
    active: number
    activityRate: string
    churnRate: string
    repeatRate: string
    issued: number
    redeemed: number
    expired: number
    outstanding: number
    satisfaction: string
    responses: number
  }) =>
    `📊 ${p.from} 至 ${p.to}\n会员总数：${p.members}（新增 ${p.new}，新增率 ${p.newRate}）\n会员消费占比：${p.share}（会员 ¥${p.memberSales} / 全部 ¥${p.totalSales}）\n活跃会员：${p.active}（活跃度 ${p.activityRate}）\n流失率：${p.churnRate}，复购率：${p.repeatRate}\n积分：发放 ${p.issued}，兑换 ${p.redeemed}，过期 ${p.expired}，未使用 ${p.outstanding}\n满意度：${p.satisfaction}（${p.responses} 份）`,
  'stats.noChart': () => '（图表暂时无法生成）',
  'chart.weekly': () => '会员与销售（按周）',
  'chart.members': () => '会员数',
  'chart.memberSales': () => '会员销售额 ¥',
  'chart.guestSales': () => '非会员销售额 ¥',
  'chart.segments': () => '客户分类（人数）',
  'lifecycle.new': () => '新会员',
  'lifecycle.potential': () => '潜在客户',
  'lifecycle.first_time': () => '初次购买',
  'lifecycle.repeat': () => '重复购买',
  'lifecycle.loyal': () => '忠诚客户',
  'lifecycle.slipping': () => '消费放缓',
  'lifecycle.at_risk': () => '衰退期',
  'lifecycle.churned': () => '流失',
  'verify.usage': () => '请发送：/verify <券码>',
  'verify.show': (p: { code: string; reward: string; status: string; member: string }) =>
    `券码 ${p.code}\n礼品：${p.reward}\n会员：${p.member}\n状态：${p.status}`,
  'verify.use': () => '确认核销',
  'verify.used': (p: { code: string; reward: string }) => `✅ 已核销 ${p.code}（${p.reward}）。`,
  'coupon.status.issued': () => '可使用',
  'coupon.status.used': () => '已核销',
  'coupon.status.expired': () => '已过期',
  'coupon.status.void': () => '已作废',
  'member.usage': () => '请发送：/member <会员码或手机号>',
  'member.show': (p: {
    name: string
    code: string
    phone: string
    tier: string
    balance: number
    joined: string
  }) =>
    `👤 ${p.name}\n会员码：${p.code}\n手机：${p.phone}\n等级：${p.tier}\n积分：${p.balance}\n加入：${p.joined}`,
  'adjust.member': () => '调整谁的积分？请发送会员码或手机号（/cancel 取消）：',
  'adjust.points': (p: { name: string; balance: number }) =>
    `${p.name} 当前 ${p.balance} 积分。请发送调整数量，增加如 50，扣减如 -50：`,
  'adjust.pointsInvalid': () => '请发送一个非零整数，例如 50 或 -50。',
  'adjust.tooMuch': (p: { balance: number }) =>
    `该会员只有 ${p.balance} 积分，最多可扣减 ${p.balance}。请重新发送调整数量（/cancel 取消）：`,
  'adjust.reason': () => '请发送调整原因（会记录在积分明细中）：',
  'adjust.confirm': (p: { name: string; balance: number; points: string; reason: string }) =>
    `确认给 ${p.name}（当前 ${p.balance} 积分）调整 ${p.points} 积分？原因：${p.reason}`,
  'adjust.done': (p: { name: string; balance: number }) =>
    `✅ 已调整，${p.name} 现有 ${p.balance} 积分。`,
  'review.none': () => '没有待审核的积分。',
  'review.list': (p: { count: number }) => `待审核积分（${p.count} 笔，最早的在前）：`,
  'review.line': (p: {
    n: number
    member: string
    order: string
    amount: string
    points: number
    cap: string
  }) => `${p.n}. ${p.member} · 订单 ${p.order} · ¥${p.amount} · ${p.points} 积分 · ${p.cap}`,
  'review.cap.per_order': (p: { limit: number }) => `超过单笔上限 ${p.limit}`,
  'review.cap.per_member_day': (p: { limit: number }) => `超过每人每日上限 ${p.limit}`,
  'review.approve': (p: { n: number }) => `通过 ${p.n}`,
  'review.reject': (p: { n: number }) => `拒绝 ${p.n}`,
  'review.confirm.approve': (p: { member: string; order: string; points: number }) =>
    `确认发放 ${p.member} 订单 ${p.order} 的 ${p.points} 积分？`,
  'review.confirm.reject': (p: { member: string; order: string; points: number }) =>
    `确认拒绝 ${p.member} 订单 ${p.order} 的 ${p.points} 积分？拒绝后这些积分不会发放。`,
  'review.done.approve': (p: { member: string; points: number }) =>
    `✅ 已通过，${p.points} 积分已发放给 ${p.member}。`,
  'review.done.reject': (p: { member: string; points: number }) =>
    `已拒绝，${p.member} 的 ${p.points} 积分不会发放。`,
  yes: () => '确认',
  no: () => '取消',
  none: () => '无',
  'reason.order': () => '消费积分',
  'reason.first_order_bonus': () => '首单奖励',
  'reason.points_approved': () => '待确认积分已发放',
  'reason.points_rejected': () => '待确认积分未通过',
  'reason.referral_referrer': () => '推荐好友奖励',
  'reason.referral_referee': () => '受邀加入奖励',
  'reason.referral_cancelled': () => '推荐奖励撤销',
  'reason.checkin': () => '每日签到',
  'reason.quiz': () => '问答奖励',
  'reason.survey': () => '问卷奖励',
  'reason.lottery': () => '抽奖',
  'reason.lottery_prize': () => '抽奖奖品',
  'reason.manual': () => '人工调整',
  'reason.reward': () => '兑换礼品',
  'reason.order_payment': () => '积分抵现',
  'reason.order_refund': () => '退款',
  'reason.expiry': () => '积分过期',
  'reason.merged_in': () => '账号合并转入',
  'reason.merged_out': () => '账号合并转出',
  'reason.opening_balance': () => '导入期初积分',
  'reason.erasure': () => '注销作废',
  'mydata.caption': () =>
    '这是我们保存的关于你的全部数据（JSON 文件，可用任何文本编辑器打开）。想删除这些数据时发送 /deleteme。',
  'erase.confirm': (p: { balance: number }) =>
    `确定要注销会员吗？你的姓名、手机号、生日、聊天账号、标签和评价留言都会被删除，无法恢复。你现有的 ${p.balance} 积分和未使用的券会作废。为了商家账目完整，订单和积分流水会以匿名方式保留。`,
  'erase.yes': () => '确认注销',
  'erase.done': () =>
    '✅ 已注销，你的个人资料已删除。感谢一路相伴！想重新加入时，随时发送 /start。',
  'tag.usage': () => '请发送：/tag <会员码或手机号> <标签>，多个标签用逗号分隔',
  'tag.invalid': () => '标签最多 50 个字，不能含有 /，一次最多 50 个。',
  'tag.show': (p: { name: string; tags: string }) => `🏷 ${p.name} 的标签：${p.tags}`,
  'tag.joiner': () => '、',
  'untag.usage': () => '请发送：/untag <会员码或手机号> <标签>',
  'export.usage': () =>
    '请发送：/export members（会员）、/export segment <分群编号>（分群的会员）、/export ledger（积分流水）或 /export orders（订单）',
  'export.caption': (p: { kind: string }) =>
    `📄 导出：${p.kind}（CSV，可用 Excel 打开）。文件含会员个人信息，请妥善保管。`,
}

export type MessageKey = keyof typeof zhCN
type Catalogue = { [K in MessageKey]: (typeof zhCN)[K] }

/** An English count with its noun: 1 point, 2 points. */
function plural(count: number, noun: string): string {
  return `${count} ${count === 1 ? noun : `${noun}s`}`
}

const en: Catalogue = {
  'welcome.new': (p) =>
    `Welcome to ${p.programme}! Join to earn points, check in daily and redeem rewards.`,
  'register.invite': () => 'This programme is by invitation. Please send your invite code:',
  'register.inviteInvalid': () => 'That invite code is not right. Try again, or send /cancel.',
  'register.privacy': () =>
    'Before you join: we keep your member details, points and orders only to run the programme, and you can ask for a copy or deletion at any time. Do you agree?',
  'register.agree': () => 'Agree and join',
  'register.decline': () => 'Not now',
  'register.declined': () => 'OK, you have not joined. Send /start whenever you like.',
  'register.marketing': () => 'Would you like news and offers? You can send /stop at any time.',
  'register.marketingYes': () => 'Yes please',
  'register.marketingNo': () => 'No thanks',
  'register.phone': () =>
    'Please send your phone number (so the shop can find you at the counter):',
  'register.phoneInvalid': () =>
    'That phone number does not look right. Please send it again, e.g. +8613800138000.',
  'register.birthday': () =>
    'Please send your birthday as 1990-05-20; birthdays earn extra points:',
  'register.birthdayInvalid': () =>
    'That is not a valid birthday: send a real date no later than today, like 1990-05-20.',
  'register.done': (p) =>
    `🎉 Welcome, ${p.name}! You are ${p.tier}.\n${p.benefits}\nMember code: ${p.code}\nSend /points for your points, /checkin every day, /rewards to redeem.`,
  'register.needed': () => 'You are not a member yet. Send /start to join; it takes a minute.',
  'register.continue': () => 'You have not finished joining yet; here is where you were:',
  'welcome.back': (p) =>
    `Welcome back, ${p.name}! You are ${p.tier} with ${plural(p.balance, 'point')}. Send /help to see everything.`,
  'points.summary': (p) => `💰 Points: ${p.balance}\n🏅 Tier: ${p.tier}`,
  'points.debt': (p) =>
    `(A refund left ${plural(p.debt, 'point')} owed; they come out of the points you earn next.)`,
  'points.pending': (p) =>
    `${plural(p.points, 'point')} pending review (granted once the shop approves)`,
  'points.next': (p) => `${p.remaining} more to reach ${p.next}`,
  'points.top': () => 'You are at the top tier. Thank you!',
  'points.expiring': (p) =>
    `⏳ ${plural(p.points, 'point')} ${p.points === 1 ? 'is' : 'are'} valid until ${p.date}. Redeem in time!`,
  'points.benefits': (p) => `Your benefits: ${p.benefits}`,
  'tier.heldBy.purchases': (p) => `🏅 You hold ${p.tier} through your purchases this period.`,
  'tier.heldBy.last_window': (p) => `🏅 You kept ${p.tier} from your last period.`,
  'tier.heldBy.reward': (p) => `🏅 You got ${p.tier} for points.`,
  'tier.heldBy.import': (p) =>
    `🏅 Your ${p.tier} status came over from the shop’s previous system.`,
  'tier.heldBy.staff': (p) => `🏅 The shop set ${p.tier} for you; you will not drop below it.`,
  'tier.keep': (p) =>
    `📅 This period ends on ${p.date}: ${p.needed} more keeps your tier, otherwise it becomes ${p.after}.`,
  'tier.kept': (p) => `📅 This period ends on ${p.date}, and you keep your tier.`,
  'amount.spend': (p) => `¥${p.amount} of spend`,
  'amount.points': (p) => `${plural(p.points, 'growth point')}`,
  'history.empty': () => 'No points yet. Shopping and checking in both earn points.',
  'history.title': () => 'Your latest points:',
  'history.line': (p) => `${p.date}  ${p.points}  ${p.reason}`,
  'rewards.empty': () => 'No rewards to redeem right now. Stay tuned!',
  'rewards.title': (p) => `Rewards (you have ${plural(p.balance, 'point')}):`,
  'rewards.line': (p) => `• ${p.name} — ${plural(p.cost, 'point')}${p.stock}`,
  'rewards.stockLeft': (p) => ` (${p.stock} left)`,
  'rewards.lineRefused': (p) => `• ${p.name} — ${p.cost} points · ${p.reason}`,
  'rewards.refused.reward_inactive': () => 'no longer offered',
  'rewards.refused.tier_required': (p) => `${p.tier} only`,
  'rewards.refused.tier_already_held': () => 'you already hold this tier',
  'rewards.refused.limit_reached': () => 'redeemed as often as allowed',
  'rewards.refused.out_of_stock': () => 'out of stock',
  'rewards.refused.insufficient_points': (p) => `${p.missing} more points needed`,
  'rewards.button': (p) => `Redeem ${p.name} (${p.cost})`,
  'redeem.confirm': (p) =>
    `Redeem "${p.name}" for ${plural(p.cost, 'point')}? You will have ${p.balance} left.`,
  'redeem.yes': () => 'Redeem',
  'redeem.no': () => 'Cancel',
  'redeem.cancelled': () => 'Cancelled; your points are unchanged.',
  'redeem.done': (p) => `✅ Redeemed "${p.name}". ${plural(p.balance, 'point')} left.`,
  'redeem.coupon': (p) => `Code: ${p.code}${p.expires}\nShow it at the counter to use it.`,
  'redeem.couponExpires': (p) => ` (valid until ${p.date})`,
  'redeem.stale': () => 'That confirmation has expired. Send /rewards to choose again.',
  'checkin.done': (p) => `✅ Checked in: +${plural(p.points, 'point')}! You have ${p.balance}.`,
  'checkin.capped': () => '✅ Checked in! You reached today’s limit of interaction points.',
  'checkin.again': () => 'You already checked in today. See you tomorrow!',
  'code.caption': (p) => `Your member code: ${p.code}\nShow it at the till to earn points.`,
  'invite.link': (p) =>
    `🎁 Invite a friend: send them this link, or let them scan the QR code.\n${p.link}`,
  'invite.words': (p) =>
    `🎁 Invite a friend: once they have added this shop, they send "${p.words}"; or send them the QR code.`,
  'invite.reward': (p) =>
    `When your friend's first order ${p.minimum ? `reaches ¥${p.minimum}` : 'is made'}, you earn ${p.referrer} points and your friend ${p.referee}.`,
  'bind.issued': (p) =>
    `Binding code: ${p.code} (valid 10 minutes)\nIn your other app (WeChat or Telegram) send "/bind ${p.code}" (or "绑定 ${p.code}") to us and your points come together.`,
  'bind.linked': (p) =>
    `✅ Linked! This account now opens your membership, with ${plural(p.balance, 'point')}.`,
  'bind.merged': (p) =>
    `✅ Linked, and your two memberships were merged into one (points, orders and tier): ${plural(p.balance, 'point')}.`,
  'bind.invalid': () =>
    'That binding code is not valid or has expired. Send /bind in your other app for a new one.',
  'marketing.stopped': () =>
    'You will get no more news and offers. Points and rewards are not affected; send /resume to undo.',
  'marketing.resumed': () => 'You will get news and offers again.',
  'lang.choose': () => '请选择语言 / Choose your language:',
  'lang.set': () => 'Language set to English.',
  'help.member': () => 'You can send:',
  'help.admin': () => 'Merchant commands:',
  'help.memberWords': () => 'Just send a word:',
  'help.adminWords': () => 'Merchant words:',
  'command.start': () => 'Join',
  'command.points': () => 'My points and tier',
  'command.checkin': () => 'Daily check-in',
  'command.rewards': () => 'Redeem rewards',
  'command.history': () => 'Recent points',
  'command.code': () => 'My member code',
  'command.invite': () => 'Invite a friend, both earn points',
  'command.quiz': () => 'Quizzes',
  'command.lottery': () => 'Lucky draw',
  'command.survey': () => 'Rate us',
  'command.app': () => 'My member page',
  'command.bind': () => 'Link my account in another app',
  'command.stop': () => 'No more news and offers',
  'command.resume': () => 'News and offers again',
  'command.lang': () => 'Language',
  'command.mydata': () => 'A copy of my data',
  'command.deleteme': () => 'Close my membership',
  'command.help': () => 'What I can do',
  'command.cancel': () => 'Cancel what is going on',
  'command.admin': () => 'Join the shop staff',
  'command.stats': () => 'Key figures',
  'command.console': () => 'Open the merchant console',
  'command.verify': () => 'Use a coupon',
  'command.member': () => 'Look up a member',
  'command.tag': () => 'Label a member',
  'command.untag': () => 'Remove a label',
  'command.campaign': () => 'Campaign results',
  'command.adjust': () => 'Adjust points',
  'command.review': () => 'Review pending points',
  'command.broadcast': () => 'Send a campaign',
  'command.slipping': () =>
    'Valuable members who started slipping this week; send the win-back now',
  'command.quizStart': () => 'Open a quiz now',
  'command.export': () => 'Export CSV files',
  'usage.admin': () => '<invite code>',
  'usage.verify': () => '<code>',
  'usage.member': () => '<code|phone>',
  'usage.tag': () => '<code|phone> <tag>',
  'usage.untag': () => '<code|phone> <tag>',
  'usage.campaign': () => '<id>',
  'usage.export': () => 'members|ledger|orders',
  'help.open': () => 'Open my member page',
  'group.private': () => 'That one is private: please message me directly 🙂',
  'app.open': () => 'Tap below to open your member page:',
  'app.link': () => 'Your member page (the link works once, for 30 minutes, for you only):',
  'app.unavailable': () => 'The member page is not available yet.',
  'quiz.none': () => 'No quiz is running right now. Stay tuned!',
  'quiz.choose': () => 'Choose a quiz:',
  'quiz.question': (p) => `❓ ${p.title} (question ${p.index} of ${p.total})\n${p.text}`,
  'quiz.right': () => '✅ Right!',
  'quiz.wrong': (p) => `❌ The answer is: ${p.answer}`,
  'quiz.done': (p) =>
    `🎉 Done: ${p.correct} of ${p.total} right, ${plural(p.points, 'point')} earned.`,
  'quiz.capped': () => '(You reached today’s limit of quiz points.)',
  'quiz.results': (p) =>
    `📊 You finished "${p.title}": ${p.correct} of ${p.total} right, ${plural(p.points, 'point')} earned, rank ${p.rank} of the ${plural(p.completed, 'member')} who finished.`,
  'quiz.leaderboard': () => 'Leaderboard:',
  'quiz.rank': (p) => `${p.rank}. ${p.name}${p.you ? ' (you)' : ''} — ${p.correct} right`,
  'quiz.startable': () => 'Choose the quiz to start now:',
  'quiz.noneToStart': () => 'No quiz to start. Create one through the API first.',
  'quiz.started': (p) => `✅ The quiz "${p.title}" is open; members send /quiz to take part.`,
  'lottery.none': () => 'No lucky draw is running right now. Stay tuned!',
  'lottery.show': (p) => `🎁 ${p.title}\n${p.price}\nPrizes and odds:\n${p.odds}`,
  'lottery.free': (p) => `${plural(p.count, 'free draw')} left today`,
  'lottery.chances': (p) => `You have ${plural(p.count, 'draw chance')}`,
  'lottery.cost': (p) => `${plural(p.cost, 'point')} a draw`,
  'lottery.draw': () => 'Draw',
  'lottery.again': () => 'Draw again',
  'lottery.won': (p) => `🎉 You won ${p.prize}!`,
  'lottery.wonPoints': (p) => `+${plural(p.points, 'point')} added; you have ${p.balance}.`,
  'lottery.coupon': (p) => `Code: ${p.code}. Show it at the counter to collect your prize.`,
  'lottery.nothing': () => 'No prize this time. Good luck next time!',
  'lottery.exhausted': (p) =>
    `🎁 ${p.title}\nAll prizes have been won. Watch out for the next draw!`,
  'survey.none': () => 'No survey to answer right now. Thank you!',
  'survey.ask': (p) => `${p.question}\nYour score: 1 very dissatisfied … 7 very satisfied`,
  'survey.aboutOrder': (p) => `About your order ${p.order}:`,
  'survey.thanks': () => 'Thank you for your answer!',
  'survey.points': (p) => `+${plural(p.points, 'point')}.`,
  'survey.comment': () => 'Anything else you would like to tell us? Just send it, or choose Skip.',
  'survey.skip': () => 'Skip',
  'survey.commentSaved': () => 'Thank you, we have your comment!',
  'error.closed': () => 'This has ended or has not started yet.',
  'error.lottery_exhausted': (p) =>
    `"${p.title}" has no prize left that you can win, so there is no draw; your points are unchanged.`,
  'error.already_started': () => 'This has started already and can no longer be changed.',
  'error.webhooks_not_configured': () => 'Webhooks are not set up yet (WEBHOOK_SECRET_KEY).',
  'campaign.none': () => 'No campaigns yet. Send /broadcast to create one.',
  'campaign.status.scheduled': () => 'scheduled',
  'campaign.status.sending': () => 'sending',
  'campaign.status.paused': () => 'paused',
  'campaign.status.completed': () => 'completed',
  'campaign.status.cancelled': () => 'cancelled',
  'campaign.results': (p) =>
    `📣 ${p.name} (${p.status})\nTargeted ${p.targeted} · sent ${p.sent} · waiting ${p.pending}\nFailed ${p.failed} · unconfirmed ${p.uncertain} · held ${p.held} · expired ${p.expired} · blocked ${p.blocked} · opened ${p.opened}\nOrders ${p.orders}, sales ¥${p.sales}, ROI ${p.roi}`,
  'broadcast.segment': () =>
    'Who should get it? (Sizes count only members who accept news and offers.)',
  'broadcast.everyone': (p) => `Every subscribed member (${p.size})`,
  'broadcast.everyoneName': () => 'Every subscribed member',
  'broadcast.text': (p) => `To "${p.name}", ${plural(p.size, 'member')}. Send the message:`,
  'broadcast.image': () => 'Add an image? Send its https link, or choose No image.',
  'broadcast.noImage': () => 'No image',
  'broadcast.imageInvalid': () =>
    'Please send an image link starting with https://, or choose No image.',
  'broadcast.button': () =>
    'Add a button? Send "Button text https://…" for a link, choose Member page button (members who open it count as opened), or choose No button.',
  'broadcast.noButton': () => 'No button',
  'broadcast.miniapp': () => 'Member page button',
  'broadcast.miniappLabel': () => 'Open my points',
  'broadcast.cost': () =>
    'What did this broadcast cost? Send the amount in yuan (e.g. 500 or 99.50) for its ROI, or choose No cost.',
  'broadcast.noCost': () => 'No cost',
  'broadcast.costInvalid': () =>
    'Please send an amount in yuan with at most two decimals (e.g. 500 or 99.50), or choose No cost.',
  'broadcast.buttonInvalid': () => 'Please send "Button text https://…", or choose No button.',
  'broadcast.preview': () => 'Preview (what members will get):',
  'broadcast.when': () => 'When should it go out?',
  'broadcast.now': () => 'Send now',
  'broadcast.later': () => 'Schedule',
  'broadcast.time': (p) => `Send the time (the shop’s time zone), e.g. ${p.example}:`,
  'broadcast.timeInvalid': (p) => `Please send a time in the future, written like ${p.example}.`,
  'broadcast.confirm': (p) =>
    `Send to ${plural(p.size, 'member')} of "${p.name}" (${p.when})? Messages due in quiet hours wait for the morning.`,
  'slipping.none': () =>
    'No churn digest yet: it is sent once a week, and can be seen here after that.',
  'slipping.nobody': (p) => `No valuable member started slipping from ${p.from} to ${p.to}.`,
  'slipping.sent': (p) => `The win-back was sent by ${p.by} at ${p.at}.`,
  'slipping.done': (p) =>
    `✅ Win-back messages planned for ${p.planned} members (of ${p.members}; those who have one planned already are not sent another). They wait for the end of quiet hours, and go only to members who accept marketing messages.`,
  'broadcast.done': (p) => `✅ Broadcast created (${p.id}). Send /campaign ${p.id} to follow it.`,
  'holdout.line': (p) =>
    `Held out ${p.heldOut} (not sent): conversion ${p.messaged} against ${p.held}, uplift ${p.uplift} percentage points (95% interval ${p.low} to ${p.high}), incremental sales ¥${p.incremental}. ${p.verdict}`,
  'holdout.too_small': () => 'Too few members to tell yet.',
  'holdout.no_measurable_effect': () => 'No measurable effect yet.',
  'holdout.positive': () => 'A clear effect: more purchases than the held-out members.',
  'holdout.negative': () => 'Worse than the held-out members: it may have put people off.',
  'error.already_done': () => 'You have already taken part.',
  'error.win_back_disabled': () =>
    'The win-back reminder is turned off: turn on reminders.winBack in the programme first.',
  'error.birthday_locked': () =>
    'Your birthday cannot be changed once set; ask the shop to correct it.',
  'error.not_found': () => 'That was not found. Please send the command again.',
  'choice.reply': (p) => `Reply ${p.number} ${p.label}`,
  'choice.expired': () =>
    'That choice has expired. Please send the command again; /help shows everything.',
  'choice.expiredPick': () => 'That choice has expired. You can choose now:',
  'choice.again': () => 'That is not one of the choices. Please pick one of these:',
  'choice.link': (p) => `${p.label}: ${p.url}`,
  'greeting.friend': () =>
    [
      'Hello! I am the members’ assistant 👋',
      'Reply "join" to become a member: points, check-in and rewards are all here.',
      'Reply "help" to see everything.',
      '中文：回复「注册」加入会员。',
    ].join('\n'),
  'menu.memberCentre': () => 'Members',
  'menu.checkin': () => 'Check in',
  'menu.points': () => 'My points',
  fallback: () => 'Sorry, I did not get that 🤔 Send /help to see what I can do.',
  cancelled: () => 'Cancelled.',
  'flood.slowDown': () =>
    'You are sending messages too fast. Please wait a few seconds and try again.',
  'error.generic': () =>
    'Sorry, something went wrong. Please try again later; your points are safe.',
  'error.insufficient_points': (p) =>
    p.required !== undefined
      ? `Not enough points: ${p.required} needed, you have ${p.balance}.`
      : 'Not enough points.',
  'error.out_of_stock': () => 'Sorry, this reward is out of stock.',
  'error.limit_reached': () => 'You have redeemed this reward as often as allowed.',
  'error.tier_required': () => 'This reward needs a higher tier.',
  'error.tier_already_held': () =>
    'You already hold this tier or a higher one, so this upgrade would change nothing.',
  'error.reward_inactive': () => 'This reward is no longer offered.',
  'error.reward_retired': () => 'This reward is retired: it can no longer be changed or offered.',
  'error.image_unsupported': () => 'A picture must be a PNG, JPEG or WebP image.',
  'error.reward_not_found': () => 'That reward was not found. Send /rewards to choose again.',
  'error.member_not_found': () => 'No member found.',
  'error.coupon_not_found': () => 'No coupon has that code. Please check it.',
  'error.coupon_used': () => 'This coupon has already been used.',
  'error.coupon_expired': () => 'This coupon has expired.',
  'error.coupon_void': () => 'This coupon is void.',
  'error.invite_invalid': () => 'That code is unknown, used or expired.',
  'error.member_exists': () => 'That phone number belongs to another member.',
  'error.invalid_input': () => 'That input is not valid. Please check it.',
  'error.order_not_found': () => 'That order was not found.',
  'error.identity_taken': () => 'This chat account belongs to another member.',
  'error.idempotency_mismatch': () =>
    'That does not match the same request made earlier. Please send the command again.',
  'error.idempotency_key_required': () =>
    'That request has no key against doing it twice. Please send the command again.',
  'error.refund_exceeds_order': () => 'The refund is more than the order amount.',
  'error.pending_points_decided': (p) =>
    p.status === 'approved'
      ? 'These pending points were already approved.'
      : p.status === 'rejected'
        ? 'These pending points were already rejected.'
        : 'This order was refunded in full: no points are pending any more.',
  'error.order_in_future': () => "The order is dated in the future. Please check the till's clock.",
  'error.order_too_old': () =>
    'The order is older than the back-dating window. Please bring older history in through the member import.',
  'error.order_lines_mismatch': () =>
    'The lines minus the discount plus shipping do not add up to the order amount.',
  'error.benefit_not_granted': () =>
    "The member's tier does not grant this benefit, or not this much; the order was not recorded.",
  'error.invite_required': () => 'This programme is by invitation. Send /start to begin again.',
  'error.self_referral': () => 'You cannot refer yourself.',
  'error.member_inactive': () => 'This membership is closed.',
  'error.forbidden': () => 'Sorry, you are not allowed to do that.',
  'error.unauthorized': () => 'We could not confirm who you are. Please send the command again.',
  'error.oauth_state_mismatch': () =>
    'This sign-in has expired. Open the member page from the Official Account’s menu again.',
  'admin.refused': (p) =>
    `${p.command} needs the ${p.needed} role${p.above ? ' or higher' : ''}${p.role ? `; you are ${p.role}` : ''}.`,
  'admin.welcome': (p) =>
    `✅ You are now this shop's ${p.role}. Send /help to see the merchant commands you may use.`,
  'console.open': () => 'The button below opens the merchant console:',
  'console.link': (p) =>
    `Your console sign-in link (works once, for ${p.minutes} minutes; do not forward it):`,
  'console.button': () => 'Open the console',
  'console.unavailable': () =>
    'The console is not available yet: the server has no public address (PUBLIC_URL).',
  'role.staff': () => 'staff',
  'role.manager': () => 'manager',
  'role.owner': () => 'owner',
  'admin.codeMissing': () => 'Please send: /admin <invite code>',
  'stats.report': (p) =>
    `📊 ${p.from} to ${p.to}\nMembers: ${p.members} (new ${p.new}, new-member rate ${p.newRate})\nMember share of sales: ${p.share} (members ¥${p.memberSales} of ¥${p.totalSales})\nActive members: ${p.active} (activity rate ${p.activityRate})\nChurn rate: ${p.churnRate}, repeat-purchase rate: ${p.repeatRate}\nPoints: issued ${p.issued}, redeemed ${p.redeemed}, expired ${p.expired}, outstanding ${p.outstanding}\nSatisfaction: ${p.satisfaction} (${plural(p.responses, 'answer')})`,
  'stats.noChart': () => '(the chart could not be drawn this time)',
  'chart.weekly': () => 'Members and sales by week',
  'chart.members': () => 'Members',
  'chart.memberSales': () => 'Member sales ¥',
  'chart.guestSales': () => 'Guest sales ¥',
  'chart.segments': () => 'Customer segments (members)',
  'lifecycle.new': () => 'New',
  'lifecycle.potential': () => 'Potential',
  'lifecycle.first_time': () => 'First-time',
  'lifecycle.repeat': () => 'Repeat',
  'lifecycle.loyal': () => 'Loyal',
  'lifecycle.slipping': () => 'Slipping',
  'lifecycle.at_risk': () => 'At risk',
  'lifecycle.churned': () => 'Churned',
  'verify.usage': () => 'Please send: /verify <coupon code>',
  'verify.show': (p) =>
    `Coupon ${p.code}\nReward: ${p.reward}\nMember: ${p.member}\nStatus: ${p.status}`,
  'verify.use': () => 'Use it now',
  'verify.used': (p) => `✅ Used ${p.code} (${p.reward}).`,
  'coupon.status.issued': () => 'valid',
  'coupon.status.used': () => 'used',
  'coupon.status.expired': () => 'expired',
  'coupon.status.void': () => 'void',
  'member.usage': () => 'Please send: /member <member code or phone>',
  'member.show': (p) =>
    `👤 ${p.name}\nCode: ${p.code}\nPhone: ${p.phone}\nTier: ${p.tier}\nPoints: ${p.balance}\nJoined: ${p.joined}`,
  'adjust.member': () => 'Whose points? Send a member code or phone number (/cancel to stop):',
  'adjust.points': (p) =>
    `${p.name} has ${plural(p.balance, 'point')}. Send the change: 50 to add, -50 to deduct:`,
  'adjust.pointsInvalid': () => 'Please send a whole number other than 0, e.g. 50 or -50.',
  'adjust.tooMuch': (p) =>
    `This member has only ${plural(p.balance, 'point')}, so at most ${p.balance} can be deducted. Send another number (/cancel to stop):`,
  'adjust.reason': () => 'Send the reason (it is shown in the member’s history):',
  'adjust.confirm': (p) =>
    `Adjust ${p.name} (now ${plural(p.balance, 'point')}) by ${p.points} point${Math.abs(Number(p.points)) === 1 ? '' : 's'}? Reason: ${p.reason}`,
  'adjust.done': (p) => `✅ Done. ${p.name} now has ${plural(p.balance, 'point')}.`,
  'review.none': () => 'No points are waiting for review.',
  'review.list': (p) => `Points waiting for review (${p.count}, oldest first):`,
  'review.line': (p) =>
    `${p.n}. ${p.member} · order ${p.order} · ¥${p.amount} · ${plural(p.points, 'point')} · ${p.cap}`,
  'review.cap.per_order': (p) => `over the per-order cap of ${p.limit}`,
  'review.cap.per_member_day': (p) => `over the daily cap per member of ${p.limit}`,
  'review.approve': (p) => `Approve ${p.n}`,
  'review.reject': (p) => `Reject ${p.n}`,
  'review.confirm.approve': (p) =>
    `Approve ${plural(p.points, 'point')} for ${p.member}, order ${p.order}?`,
  'review.confirm.reject': (p) =>
    `Reject ${plural(p.points, 'point')} for ${p.member}, order ${p.order}? They will not be granted.`,
  'review.done.approve': (p) => `✅ Approved: ${plural(p.points, 'point')} granted to ${p.member}.`,
  'review.done.reject': (p) =>
    `Rejected: the ${plural(p.points, 'point')} of ${p.member} will not be granted.`,
  yes: () => 'Confirm',
  no: () => 'Cancel',
  none: () => 'none',
  'reason.order': () => 'Purchase',
  'reason.first_order_bonus': () => 'First order bonus',
  'reason.points_approved': () => 'Pending points approved',
  'reason.points_rejected': () => 'Pending points not approved',
  'reason.referral_referrer': () => 'Referral reward',
  'reason.referral_referee': () => 'Welcome reward (invited)',
  'reason.referral_cancelled': () => 'Referral reward reversed',
  'reason.checkin': () => 'Daily check-in',
  'reason.quiz': () => 'Quiz',
  'reason.survey': () => 'Survey',
  'reason.lottery': () => 'Lucky draw',
  'reason.lottery_prize': () => 'Lucky draw prize',
  'reason.manual': () => 'Adjustment',
  'reason.reward': () => 'Reward redeemed',
  'reason.order_payment': () => 'Paid with points',
  'reason.order_refund': () => 'Refund',
  'reason.expiry': () => 'Expired',
  'reason.merged_in': () => 'Accounts merged (in)',
  'reason.merged_out': () => 'Accounts merged (out)',
  'reason.opening_balance': () => 'Opening balance (imported)',
  'reason.erasure': () => 'Forfeited at account deletion',
  'mydata.caption': () =>
    'Here is everything we keep about you (a JSON file; any text editor opens it). Send /deleteme if you want it deleted.',
  'erase.confirm': (p) =>
    `Close your membership and delete your data? Your name, phone, birthday, chat accounts, tags and comments are deleted for good. Your ${plural(p.balance, 'point')} and unused coupons are forfeited. Orders and the points history stay, anonymised, for the shop's books.`,
  'erase.yes': () => 'Delete my data',
  'erase.done': () =>
    '✅ Done: your membership is closed and your personal data deleted. Thank you for being with us! Send /start any time to join again.',
  'tag.usage': () =>
    'Please send: /tag <member code or phone> <tag>, several tags separated by commas',
  'tag.invalid': () => 'A tag is at most 50 characters, without /; at most 50 at once.',
  'tag.show': (p) => `🏷 Tags of ${p.name}: ${p.tags}`,
  'tag.joiner': () => ', ',
  'untag.usage': () => 'Please send: /untag <member code or phone> <tag>',
  'export.usage': () =>
    'Please send: /export members, /export segment <segment id>, /export ledger or /export orders',
  'export.caption': (p) =>
    `📄 Export: ${p.kind} (CSV, opens in Excel). It holds members' personal data: keep it safe.`,
}

const catalogues: Record<Locale, Catalogue> = { 'zh-CN': zhCN, en }

type ParamsOf<K extends MessageKey> =
  Parameters<Catalogue[K]> extends [] ? [] : [Parameters<Catalogue[K]>[0]]

export function t<K extends MessageKey>(locale: Locale, key: K, ...params: ParamsOf<K>): string {
  const render = catalogues[locale][key] as (p?: unknown) => string
  return render(params[0])
}

export function hasMessage(key: string): key is MessageKey {
  return key in zhCN
}

export const catalogueKeys = { 'zh-CN': Object.keys(zhCN), en: Object.keys(en) }
