import { ApiError, request, signIn, storedSession } from './api.ts'
import { type Locale, isLedgerReason, pickLocale, texts } from './i18n.ts'

interface Localized {
  'zh-CN': string
  en: string
}
interface Member {
  displayName: string
  code: string
  birthday: string | null
  locale: Locale
  marketingConsent: boolean
  tier: {
    code: string
    name: Localized
    benefits: Localized[]
    progress: {
      basis: 'spend' | 'points'
      value: number
      next: { name: Localized; threshold: number; remaining: number } | null
    }
    outlook: {
      heldBy: 'purchases' | 'last_window' | 'reward' | 'import' | 'staff'
      lastDay: string
      keepNeeds: number | null
      after: { code: string; name: Localized }
    }
  }
  points: {
    balance: number
    debt: number
    pending: number
    expiringSoon: number
    nextExpiry: { points: number; lastDay: string } | null
  }
}
interface Me {
  member: Member
  programme: { name: Localized; tiers: { code: string; threshold: number }[] }
}
interface Entry {
  id: string
  points: number
  reason: string
  note: string | null
  createdAt: string
}
interface Reward {
  id: string
  name: string
  description: string | null
  pointsCost: number
  stock: number | null
  blockedBy:
    | 'reward_inactive'
    | 'tier_required'
    | 'tier_already_held'
    | 'limit_reached'
    | 'out_of_stock'
    | 'insufficient_points'
    | null
}
interface Coupon {
  code: string
  rewardName: string
  status: 'issued' | 'used' | 'expired' | 'void'
  expiresAt: string | null
}

interface Lottery {
  id: string
  title: string
  costPoints: number
  prizes: { name: string; kind: string; probability: number }[]
  freeLeftToday: number
  drawsLeft: number | null
  exhausted: boolean
}
interface QuizSummary {
  id: string
  title: string
  questionCount: number
}
interface QuizStep {
  index: number
  total: number
  question: { text: string; choices: string[] } | null
  result: { correct: number; total: number; pointsAwarded: number } | null
  stale?: boolean
  wasCorrect?: boolean
  rightChoice?: string
}

type Tab = 'code' | 'history' | 'rewards' | 'play' | 'coupons' | 'profile'

const root = document.getElementById('app')!
const launch = new URLSearchParams(location.hash.slice(1))
let locale: Locale = pickLocale(
  telegramUser()?.language_code ?? launch.get('lang') ?? navigator.language,
)
let me: Me | undefined
let tab: Tab = 'code'

/** A small element builder: the page has few parts, and no framework is worth its weight here. */
function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Record<string, string | boolean | ((event: Event) => void)> = {},
  ...children: (Node | string | null | undefined | false)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(props)) {
    if (typeof value === 'function') el.addEventListener(key.replace(/^on/, ''), value)
    else if (typeof value === 'boolean') (el as unknown as Record<string, boolean>)[key] = value
    else el.setAttribute(key, value)
  }
  for (const child of children) if (child) el.append(child)
  return el
}

function telegramUser(): { language_code?: string } | undefined {
  const data = launch.get('tgWebAppData')
  if (!data) return undefined
  try {
    return JSON.parse(new URLSearchParams(data).get('user') ?? '') as { language_code?: string }
  } catch {
    return undefined
  }
}

/** Telegram's theme arrives in the launch URL; without it the page keeps its own colours. */
function applyTheme(): void {
  const raw = launch.get('tgWebAppThemeParams')
  if (!raw) return
  try {
    const theme = JSON.parse(raw) as Record<string, string>
    for (const [key, value] of Object.entries(theme)) {
      if (/^[a-z_]+$/.test(key) && /^#[0-9a-fA-F]{3,8}$/.test(value)) {
        document.documentElement.style.setProperty(`--tg-theme-${key.replaceAll('_', '-')}`, value)
      }
    }
  } catch {
    // a malformed theme is ignored: the default theme is fine
  }
}

const t = () => texts(locale)
const name = (text: Localized) => (locale === 'en' ? text.en : text['zh-CN'])
const date = (iso: string) =>
  new Date(iso).toLocaleDateString(locale, { year: 'numeric', month: '2-digit', day: '2-digit' })
const number = (n: number) => n.toLocaleString(locale)
/** Today on the phone's calendar as YYYY-MM-DD (the server checks against the shop's). */
const localToday = () => {
  const now = new Date()
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`
}

function showError(error: unknown): void {
  const message =
    error instanceof ApiError && error.status === 401
      ? t().errorAuth
      : error instanceof ApiError && error.code === 'member_not_found'
        ? t().errorNotMember
        : t().errorGeneric
  root.replaceChildren(
    h(
      'section',
      { class: 'card error', role: 'alert' },
      h('h1', {}, t().errorTitle),
      h('p', {}, message),
    ),
  )
}

function header(member: Member, programme: Me['programme']): HTMLElement {
  const { progress } = member.tier
  const next = progress.next
  const start = programme.tiers.find((tier) => tier.code === member.tier.code)?.threshold ?? 0
  const share = next
    ? Math.min(
        100,
        Math.max(0, ((progress.value - start) / Math.max(1, next.threshold - start)) * 100),
      )
    : 100
  const growth = (value: number) =>
    progress.basis === 'spend'
      ? t().spend({ amount: (value / 100).toFixed(2) })
      : t().growth({ points: value })
  const remaining = next ? growth(next.remaining) : ''
  const { outlook } = member.tier
  const firstTier = programme.tiers[0]?.code === member.tier.code
  return h(
    'header',
    { class: 'card hero' },
    h('div', { class: 'programme' }, name(programme.name)),
    h(
      'div',
      { class: 'who' },
      h('span', { class: 'name' }, member.displayName),
      h('span', { class: 'tier', 'data-tier': member.tier.code }, name(member.tier.name)),
    ),
    h(
      'div',
      { class: 'balance' },
      h('strong', { 'data-testid': 'balance' }, number(member.points.balance)),
      h('span', {}, t().points),
    ),
    h(
      'div',
      {
        class: 'progress',
        role: 'progressbar',
        'aria-valuenow': String(Math.round(share)),
        'aria-valuemin': '0',
        'aria-valuemax': '100',
      },
      h('div', { class: 'bar', style: `width:${share}%` }),
    ),
    h(
      'p',
      { class: 'next' },
      next ? t().nextTier({ next: name(next.name), remaining }) : t().topTier,
    ),
    !firstTier &&
      h(
        'p',
        { class: 'outlook', 'data-testid': 'tier-outlook' },
        t()[`heldBy_${outlook.heldBy}`]({ tier: name(member.tier.name) }),
        t().sentenceGap,
        outlook.keepNeeds === null
          ? t().tierKept({ date: outlook.lastDay })
          : t().tierKeep({
              date: outlook.lastDay,
              needed: growth(outlook.keepNeeds),
              after: name(outlook.after.name),
            }),
      ),
    member.points.expiringSoon > 0 &&
      member.points.nextExpiry &&
      h(
        'p',
        { class: 'notice' },
        t().expiring({
          points: member.points.nextExpiry.points,
          date: member.points.nextExpiry.lastDay,
        }),
      ),
    member.points.debt > 0 && h('p', { class: 'notice' }, t().debt({ debt: member.points.debt })),
    member.points.pending > 0 &&
      h(
        'p',
        { class: 'notice', 'data-testid': 'pending' },
        t().pending({ points: member.points.pending }),
      ),
    member.tier.benefits.length > 0 &&
      h(
        'p',
        { class: 'benefits' },
        t().benefits({ list: member.tier.benefits.map(name).join(' · ') }),
      ),
  )
}

function tabs(): HTMLElement {
  const items: [Tab, string][] = [
    ['code', t().tabCode],
    ['history', t().tabHistory],
    ['rewards', t().tabRewards],
    ['play', t().tabPlay],
    ['coupons', t().tabCoupons],
    ['profile', t().tabProfile],
  ]
  return h(
    'nav',
    { class: 'tabs', role: 'tablist' },
    ...items.map(([id, label]) =>
      h(
        'button',
        {
          role: 'tab',
          'aria-selected': String(tab === id),
          'data-tab': id,
          onclick: () => void show(id),
        },
        label,
      ),
    ),
  )
}

async function codePanel(): Promise<HTMLElement> {
  const { code, svg } = await request<{ code: string; svg: string }>('GET', '/code')
  const picture = h('div', { class: 'qr', role: 'img', 'aria-label': code })
  picture.innerHTML = svg
  return h(
    'section',
    { class: 'card center' },
    picture,
    h('p', { class: 'code' }, code),
    h('p', { class: 'hint' }, t().codeHint),
  )
}

async function historyPanel(): Promise<HTMLElement> {
  const list = h('ul', { class: 'list', 'data-testid': 'history' })
  const panel = h('section', { class: 'card' }, list)
  const load = async (cursor?: string) => {
    const page = await request<{ items: Entry[]; nextCursor: string | null }>(
      'GET',
      `/ledger?limit=20${cursor ? `&cursor=${cursor}` : ''}`,
    )
    for (const entry of page.items) {
      // A reason newer than this page (a server updated first) shows as its code.
      const label = isLedgerReason(entry.reason) ? t().reason[entry.reason] : entry.reason
      list.append(
        h(
          'li',
          {},
          h(
            'div',
            {},
            h(
              'span',
              { class: 'label' },
              entry.reason === 'manual' && entry.note ? `${label} · ${entry.note}` : label,
            ),
            h('small', {}, date(entry.createdAt)),
          ),
          h(
            'b',
            { class: entry.points >= 0 ? 'plus' : 'minus' },
            `${entry.points > 0 ? '+' : ''}${number(entry.points)}`,
          ),
        ),
      )
    }
    panel.querySelector('.more')?.remove()
    if (page.nextCursor)
      panel.append(
        h(
          'button',
          { class: 'more secondary', onclick: () => void load(page.nextCursor!) },
          t().more,
        ),
      )
    if (list.children.length === 0) list.append(h('li', { class: 'empty' }, t().historyEmpty))
  }
  await load()
  return panel
}

function dialog(...content: (Node | string | null | undefined | false)[]): HTMLElement {
  const overlay = h(
    'div',
    { class: 'overlay' },
    h('div', { class: 'dialog card', role: 'dialog', 'aria-modal': 'true' }, ...content),
  )
  document.body.append(overlay)
  return overlay
}

function confirmRedeem(reward: Reward): void {
  const overlay = dialog(
    h('p', {}, t().confirmRedeem({ name: reward.name, cost: reward.pointsCost })),
    h(
      'div',
      { class: 'actions' },
      h('button', { class: 'secondary', onclick: () => overlay.remove() }, t().cancel),
      h(
        'button',
        { 'data-testid': 'confirm', onclick: () => void redeem(reward, overlay) },
        t().confirm,
      ),
    ),
  )
}

async function redeem(reward: Reward, overlay: HTMLElement): Promise<void> {
  overlay.querySelectorAll('button').forEach((b) => (b.disabled = true))
  try {
    const result = await request<{ couponCode: string | null; coupon: Coupon | null }>(
      'POST',
      '/redemptions',
      { rewardId: reward.id },
      { 'idempotency-key': crypto.randomUUID() },
    )
    overlay.remove()
    const done = dialog(
      h('h2', {}, `✅ ${t().redeemed}`),
      h('p', {}, reward.name),
      result.couponCode &&
        h(
          'p',
          { class: 'coupon' },
          h('small', {}, t().couponCode),
          h('strong', { 'data-testid': 'coupon-code' }, result.couponCode),
        ),
      result.coupon?.expiresAt &&
        h('p', { class: 'hint' }, t().validUntil({ date: date(result.coupon.expiresAt) })),
      result.couponCode && h('p', { class: 'hint' }, t().showAtCounter),
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          {
            onclick: () => {
              done.remove()
              void refresh()
            },
          },
          t().close,
        ),
      ),
    )
  } catch (error) {
    overlay.remove()
    notice(failure(error))
  }
}

async function rewardsPanel(): Promise<HTMLElement> {
  const { items } = await request<{ items: Reward[] }>('GET', '/rewards')
  if (items.length === 0)
    return h('section', { class: 'card' }, h('p', { class: 'empty' }, t().rewardsEmpty))
  return h(
    'section',
    { class: 'rewards' },
    ...items.map((reward) =>
      h(
        'article',
        { class: 'card reward', 'data-reward': reward.id },
        h(
          'div',
          {},
          h('h3', {}, reward.name),
          reward.description && h('p', { class: 'hint' }, reward.description),
          h(
            'p',
            { class: 'cost' },
            `${number(reward.pointsCost)} ${t().points}`,
            reward.stock !== null
              ? h('small', {}, ` · ${t().left({ stock: reward.stock })}`)
              : null,
          ),
        ),
        reward.blockedBy
          ? h('button', { class: 'secondary', disabled: true }, t()[`blocked_${reward.blockedBy}`])
          : h('button', { onclick: () => confirmRedeem(reward) }, t().redeem),
      ),
    ),
  )
}

function failure(error: unknown): string {
  const code = error instanceof ApiError ? error.code : ''
  const known = [
    'insufficient_points',
    'out_of_stock',
    'limit_reached',
    'tier_required',
    'tier_already_held',
    'reward_inactive',
    'closed',
    'lottery_exhausted',
    'already_done',
  ] as const
  return (known as readonly string[]).includes(code)
    ? t()[code as (typeof known)[number]]
    : t().errorGeneric
}

function notice(message: string): void {
  const box = dialog(
    h('p', { role: 'alert' }, message),
    h('div', { class: 'actions' }, h('button', { onclick: () => box.remove() }, t().close)),
  )
}

async function drawOnce(lottery: Lottery): Promise<void> {
  try {
    const result = await request<{
      prize: { name: string; kind: string; points: number | null }
      couponCode: string | null
    }>('POST', '/draws', { lotteryId: lottery.id }, { 'idempotency-key': crypto.randomUUID() })
    const won = result.prize.kind !== 'nothing'
    const box = dialog(
      h(
        'h2',
        { 'data-testid': 'draw-result' },
        won ? t().won({ prize: result.prize.name }) : t().noWin,
      ),
      result.prize.points !== null && h('p', {}, t().wonPoints({ points: result.prize.points })),
      result.couponCode &&
        h(
          'p',
          { class: 'coupon' },
          h('small', {}, t().couponCode),
          h('strong', {}, result.couponCode),
        ),
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          {
            onclick: () => {
              box.remove()
              void refresh()
            },
          },
          t().close,
        ),
      ),
    )
  } catch (error) {
    notice(failure(error))
  }
}

/** A quiz in a dialog, one question at a time; the server keeps the attempt. */
async function takeQuiz(quiz: QuizSummary): Promise<void> {
  let step: QuizStep
  try {
    step = await request<QuizStep>('POST', `/quizzes/${quiz.id}/begin`)
  } catch (error) {
    notice(failure(error))
    return
  }
  const body = h('div', { 'data-testid': 'quiz' })
  const box = dialog(h('h2', {}, quiz.title), body)
  const render = (current: QuizStep, feedback?: QuizStep) => {
    body.replaceChildren()
    if (feedback && feedback.wasCorrect !== undefined) {
      body.append(
        h(
          'p',
          { class: feedback.wasCorrect ? 'plus' : 'minus' },
          feedback.wasCorrect ? t().right : t().wrong({ answer: feedback.rightChoice ?? '' }),
        ),
      )
    }
    if (current.result) {
      body.append(
        h(
          'p',
          { 'data-testid': 'quiz-result' },
          t().quizDone({
            correct: current.result.correct,
            total: current.result.total,
            points: current.result.pointsAwarded,
          }),
        ),
        h(
          'div',
          { class: 'actions' },
          h(
            'button',
            {
              onclick: () => {
                box.remove()
                void refresh()
              },
            },
            t().close,
          ),
        ),
      )
      return
    }
    if (feedback) {
      body.append(
        h('div', { class: 'actions' }, h('button', { onclick: () => render(current) }, t().next)),
      )
      return
    }
    const question = current.question!
    body.append(
      h('p', { class: 'hint' }, t().questionOf({ index: current.index + 1, total: current.total })),
      h('p', { class: 'question' }, question.text),
      h(
        'div',
        { class: 'choices' },
        ...question.choices.map((choice, i) =>
          h(
            'button',
            {
              class: 'secondary',
              onclick: () =>
                void request<QuizStep>('POST', `/quizzes/${quiz.id}/answers`, {
                  index: current.index,
                  choice: i,
                })
                  .then((next) => (next.stale ? render(next) : render(next, next)))
                  .catch((error: unknown) => {
                    box.remove()
                    notice(failure(error))
                  }),
            },
            choice,
          ),
        ),
      ),
    )
  }
  render(step)
}

async function playPanel(): Promise<HTMLElement> {
  const [{ items: lotteries }, { items: quizzes }] = await Promise.all([
    request<{ items: Lottery[] }>('GET', '/lotteries'),
    request<{ items: QuizSummary[] }>('GET', '/quizzes'),
  ])
  if (lotteries.length === 0 && quizzes.length === 0)
    return h('section', { class: 'card' }, h('p', { class: 'empty' }, t().playEmpty))
  const percent = (p: number) => `${(p * 100).toFixed(p < 0.01 ? 2 : 1)}%`
  return h(
    'section',
    {},
    ...lotteries.map((lottery) =>
      h(
        'article',
        { class: 'card', 'data-lottery': lottery.id },
        h('h3', {}, `🎁 ${lottery.title}`),
        h(
          'p',
          { class: 'hint' },
          t().drawCost({ cost: lottery.costPoints, free: lottery.freeLeftToday }),
          lottery.drawsLeft !== null ? ` · ${t().drawsLeft({ left: lottery.drawsLeft })}` : '',
        ),
        h(
          'ul',
          { class: 'list odds', 'aria-label': t().odds },
          ...lottery.prizes.map((p) =>
            h('li', {}, h('span', {}, p.name), h('small', {}, percent(p.probability))),
          ),
        ),
        lottery.exhausted
          ? h('button', { class: 'wide secondary', disabled: true }, t().lotteryExhausted)
          : h('button', { class: 'wide', onclick: () => void drawOnce(lottery) }, t().draw),
      ),
    ),
    ...quizzes.map((quiz) =>
      h(
        'article',
        { class: 'card reward', 'data-quiz': quiz.id },
        h(
          'div',
          {},
          h('h3', {}, `❓ ${quiz.title}`),
          h('p', { class: 'hint' }, t().questions({ count: quiz.questionCount })),
        ),
        h('button', { onclick: () => void takeQuiz(quiz) }, t().startQuiz),
      ),
    ),
  )
}

async function couponsPanel(): Promise<HTMLElement> {
  const { items } = await request<{ items: Coupon[] }>('GET', '/coupons')
  const list = h('ul', { class: 'list' })
  for (const coupon of items) {
    list.append(
      h(
        'li',
        { class: coupon.status },
        h('div', {}, h('span', { class: 'label' }, coupon.rewardName), h('small', {}, coupon.code)),
        h('span', { class: 'status' }, t()[`status_${coupon.status}`]),
      ),
    )
  }
  if (items.length === 0) list.append(h('li', { class: 'empty' }, t().couponsEmpty))
  return h('section', { class: 'card' }, list)
}

function profilePanel(member: Member): HTMLElement {
  const nameInput = h('input', {
    name: 'displayName',
    value: member.displayName,
    maxlength: '100',
    required: true,
  })
  // A birthday is set once: the member cannot move it to collect the birthday bonus again.
  const birthdaySet = member.birthday !== null
  const birthday = h('input', {
    name: 'birthday',
    type: 'date',
    value: member.birthday ?? '',
    max: localToday(),
    disabled: birthdaySet,
  })
  const consent = h('input', {
    name: 'marketingConsent',
    type: 'checkbox',
    checked: member.marketingConsent,
  })
  const language = h(
    'select',
    { name: 'locale' },
    h('option', { value: 'zh-CN' }, '简体中文'),
    h('option', { value: 'en' }, 'English'),
  )
  language.value = member.locale
  const status = h('p', { class: 'hint', role: 'status' })
  const form = h(
    'form',
    {
      class: 'card form',
      onsubmit: (event: Event) => {
        event.preventDefault()
        void (async () => {
          await request('PATCH', '/me', {
            displayName: nameInput.value,
            ...(birthdaySet || !birthday.value ? {} : { birthday: birthday.value }),
            marketingConsent: consent.checked,
            locale: language.value,
          })
          locale = language.value as Locale
          await refresh()
          root.querySelector('.form .hint')?.replaceChildren(t().saved)
        })().catch((error: unknown) => {
          const refused =
            error instanceof ApiError && error.code === 'birthday_locked'
              ? t().birthdayLocked
              : error instanceof ApiError && error.field === 'birthday'
                ? t().birthdayInvalid
                : null
          if (refused) status.replaceChildren(refused)
          else showError(error)
        })
      },
    },
    h('label', {}, t().name, nameInput),
    h('label', {}, t().birthday, birthday),
    h('p', { class: 'hint' }, birthdaySet ? t().birthdayLocked : t().birthdayOnce),
    h('label', { class: 'check' }, consent, t().marketing),
    h('label', {}, t().language, language),
    h('button', { type: 'submit' }, t().save),
    status,
  )
  return form
}

async function show(next: Tab): Promise<void> {
  tab = next
  const body = root.querySelector('#panel')
  if (!body || !me) return
  root
    .querySelectorAll<HTMLButtonElement>('.tabs button')
    .forEach((b) => b.setAttribute('aria-selected', String(b.dataset.tab === tab)))
  const panels: Record<Tab, () => Promise<HTMLElement>> = {
    code: codePanel,
    history: historyPanel,
    rewards: rewardsPanel,
    play: playPanel,
    coupons: couponsPanel,
    profile: async () => profilePanel(me!.member),
  }
  try {
    body.replaceChildren(await panels[tab]())
  } catch (error) {
    showError(error)
  }
}

async function refresh(): Promise<void> {
  me = await request<Me>('GET', '/me')
  locale = me.member.locale
  document.documentElement.lang = locale
  document.title = name(me.programme.name)
  root.replaceChildren(header(me.member, me.programme), tabs(), h('div', { id: 'panel' }))
  await show(tab)
}

async function start(): Promise<void> {
  applyTheme()
  document.documentElement.lang = locale
  root.replaceChildren(h('div', { class: 'loading', role: 'status' }, t().loading))
  const initData = launch.get('tgWebAppData')
  const token = launch.get('token')
  const campaign = new URLSearchParams(location.search).get('c')
  try {
    if (initData) await signIn({ initData })
    else if (token) await signIn({ token })
    else if (!storedSession()) throw new ApiError(401, 'unauthorized', 'no credential')
    // The one-time token has done its job; keep it out of the history and of screenshots.
    if (token) history.replaceState(null, '', location.pathname)
    await refresh()
    // Opened from a campaign's button: tell the merchant the campaign was opened.
    if (campaign) void request('POST', '/opens', { campaignId: campaign }).catch(() => undefined)
  } catch (error) {
    showError(error)
  }
}

void start()
