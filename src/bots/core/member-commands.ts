import { randomBytes } from 'node:crypto'
import QRCode from 'qrcode'
import {
  type MemberRef,
  checkBirthday,
  identityRef,
  normalizePhone,
} from '../../domain/members/members.ts'
import { type Locale, localize } from '../../domain/programme/programme.ts'
import type { RewardOffer } from '../../domain/rewards/rewards.service.ts'
import { DomainError } from '../../shared/errors.ts'
import { benefitsText, day, historyLine, pointsText, yuan } from './format.ts'
import { t } from './i18n.ts'
import type { Button, Reply } from './messages.ts'
import type { Dialog, Turn } from './turn.ts'

const HISTORY_LINES = 10
const REWARDS_SHOWN = 10

export function nonce(): string {
  return randomBytes(6).toString('base64url')
}

/** The member's identity fields on the channel the message came from. */
export function identityOf(turn: Turn): MemberRef {
  const { channel, userId } = turn.inbound
  if (channel === 'console') return { externalId: `console:${userId}` }
  return identityRef(channel, userId)
}

function text(body: string): Reply[] {
  return [{ text: body }]
}

export function requireMember(turn: Turn): NonNullable<Turn['member']> {
  if (!turn.member) throw new NotMember()
  return turn.member
}

/** Thrown by commands that need a member; answered with how to join. */
export class NotMember extends Error {}

async function welcome(
  turn: Turn,
  memberId: string,
  key: 'register.done' | 'welcome.back',
): Promise<Reply[]> {
  const view = await turn.deps.domain.members.view(memberId)
  const tier = localize(view.tier.name, turn.locale)
  return key === 'register.done'
    ? text(
        t(turn.locale, 'register.done', {
          name: view.displayName,
          tier,
          benefits: benefitsText(turn.locale, view),
          code: view.code,
        }),
      )
    : text(
        t(turn.locale, 'welcome.back', {
          name: view.displayName,
          tier,
          balance: view.points.balance,
        }),
      )
}

// -- joining -----------------------------------------------------------------------------------

export async function start(turn: Turn, payload: string): Promise<Reply[]> {
  if (turn.member) return welcome(turn, turn.member.id, 'welcome.back')
  const referrerCode =
    payload
      .replace(/^ref_?/i, '')
      .trim()
      .toUpperCase() || undefined
  const intro = {
    text: t(turn.locale, 'welcome.new', { programme: localize(turn.programme.name, turn.locale) }),
  }
  if (turn.programme.membership.type === 'restricted') {
    turn.session.dialog = { kind: 'register', step: 'invite', referrerCode }
    return [intro, { text: t(turn.locale, 'register.invite') }]
  }
  turn.session.dialog = { kind: 'register', step: 'privacy', referrerCode }
  return [intro, privacyQuestion(turn.locale)]
}

function privacyQuestion(locale: Locale): Reply {
  return {
    text: t(locale, 'register.privacy'),
    buttons: [
      [
        { label: t(locale, 'register.agree'), action: 'reg:agree' },
        { label: t(locale, 'register.decline'), action: 'reg:decline' },
      ],
    ],
  }
}

function marketingQuestion(locale: Locale): Reply {
  return {
    text: t(locale, 'register.marketing'),
    buttons: [
      [
        { label: t(locale, 'register.marketingYes'), action: 'reg:marketing:yes' },
        { label: t(locale, 'register.marketingNo'), action: 'reg:marketing:no' },
      ],
    ],
  }
}

/** The next question of the registration dialog, or the registration itself when none is left. */
async function nextRegistrationStep(
  turn: Turn,
  dialog: Extract<Dialog, { kind: 'register' }>,
): Promise<Reply[]> {
  const required = turn.programme.membership.requiredFields
  if (required.includes('phone') && !dialog.phone) {
    turn.session.dialog = { ...dialog, step: 'phone' }
    return text(t(turn.locale, 'register.phone'))
  }
  if (required.includes('birthday')) {
    turn.session.dialog = { ...dialog, step: 'birthday' }
    return text(t(turn.locale, 'register.birthday'))
  }
  return register(turn, dialog, undefined)
}

async function register(
  turn: Turn,
  dialog: Extract<Dialog, { kind: 'register' }>,
  birthday: string | undefined,
): Promise<Reply[]> {
  const registration = {
    displayName: turn.inbound.displayName,
    locale: turn.locale,
    sourceChannel: turn.inbound.channel,
    marketingConsent: dialog.marketingConsent ?? false,
    privacyConsent: true,
    inviteCode: dialog.inviteCode,
    phone: dialog.phone,
    birthday,
    ...identityOf(turn),
  }
  turn.session.dialog = undefined
  let member
  try {
    member = await turn.deps.domain.members.register(
      { ...registration, referrerCode: dialog.referrerCode },
      { enforceMembership: true },
    )
  } catch (error) {
    // A referral code that leads nowhere (or to oneself) must not keep anyone out.
    if (
      !(error instanceof DomainError) ||
      !['member_not_found', 'self_referral'].includes(error.code) ||
      !dialog.referrerCode
    )
      throw error
    member = await turn.deps.domain.members.register(registration, { enforceMembership: true })
  }
  return welcome(turn, member.id, 'register.done')
}

export async function registrationAction(turn: Turn, action: string): Promise<Reply[]> {
  const dialog = turn.session.dialog
  if (turn.member || dialog?.kind !== 'register') return start(turn, '')
  if (action === 'reg:decline') {
    turn.session.dialog = undefined
    return text(t(turn.locale, 'register.declined'))
  }
  if (action === 'reg:agree' && dialog.step === 'privacy') {
    turn.session.dialog = { ...dialog, step: 'marketing' }
    return [marketingQuestion(turn.locale)]
  }
  if (action.startsWith('reg:marketing:') && dialog.step === 'marketing') {
    return nextRegistrationStep(turn, { ...dialog, marketingConsent: action.endsWith(':yes') })
  }
  // A button from an earlier step: ask the current question again.
  return registrationPrompt(turn, dialog)
}

function registrationPrompt(turn: Turn, dialog: Extract<Dialog, { kind: 'register' }>): Reply[] {
  if (dialog.step === 'privacy') return [privacyQuestion(turn.locale)]
  if (dialog.step === 'marketing') return [marketingQuestion(turn.locale)]
  return text(t(turn.locale, `register.${dialog.step}`))
}

/** After help in the middle of joining: the step the person was at, to go on joining. */
export function continueJoining(
  turn: Turn,
  dialog: Extract<Dialog, { kind: 'register' }>,
): Reply[] {
  const [prompt, ...rest] = registrationPrompt(turn, dialog)
  return [{ ...prompt!, text: `${t(turn.locale, 'register.continue')}\n${prompt!.text}` }, ...rest]
}

export async function registrationText(
  turn: Turn,
  dialog: Extract<Dialog, { kind: 'register' }>,
  input: string,
): Promise<Reply[]> {
  if (dialog.step === 'invite') {
    if (!turn.programme.membership.inviteCodes.includes(input.trim()))
      return text(t(turn.locale, 'register.inviteInvalid'))
    turn.session.dialog = { ...dialog, step: 'privacy', inviteCode: input.trim() }
    return [privacyQuestion(turn.locale)]
  }
  if (dialog.step === 'phone') {
    try {
      const phone = normalizePhone(input, turn.programme.phoneRegion)
      return nextRegistrationStep(turn, { ...dialog, phone })
    } catch {
      return text(t(turn.locale, 'register.phoneInvalid'))
    }
  }
  if (dialog.step === 'birthday') {
    try {
      const birthday = checkBirthday(
        input.trim(),
        turn.programme.timezone,
        turn.deps.domain.deps.clock.now(),
      )
      return register(turn, dialog, birthday)
    } catch (error) {
      if (error instanceof DomainError && error.code === 'invalid_input')
        return text(t(turn.locale, 'register.birthdayInvalid'))
      throw error
    }
  }
  return registrationPrompt(turn, dialog)
}

// -- points ------------------------------------------------------------------------------------

export async function points(turn: Turn): Promise<Reply[]> {
  const member = await turn.deps.domain.members.viewOf(requireMember(turn), undefined, {
    programme: turn.programme,
  })
  return text(pointsText(turn.locale, member, turn.programme))
}

export async function history(turn: Turn): Promise<Reply[]> {
  const { items } = await turn.deps.domain.ledger.history(requireMember(turn).id, {
    limit: HISTORY_LINES,
  })
  if (items.length === 0) return text(t(turn.locale, 'history.empty'))
  return text(
    [
      t(turn.locale, 'history.title'),
      ...items.map((e) => historyLine(turn.locale, e, turn.programme)),
    ].join('\n'),
  )
}

export async function checkIn(turn: Turn): Promise<Reply[]> {
  const result = await turn.deps.domain.interactions.checkIn(requireMember(turn).id)
  if (result.alreadyDone) return text(t(turn.locale, 'checkin.again'))
  if (result.awarded === 0) return text(t(turn.locale, 'checkin.capped'))
  return text(t(turn.locale, 'checkin.done', { points: result.awarded, balance: result.balance }))
}

function qrCode(content: string): Promise<Buffer> {
  return QRCode.toBuffer(content, { type: 'png', width: 360, margin: 2, errorCorrectionLevel: 'M' })
}

export async function memberCode(turn: Turn): Promise<Reply[]> {
  const member = requireMember(turn)
  const png = await qrCode(member.code)
  return [{ text: t(turn.locale, 'code.caption', { code: member.code }), image: { png } }]
}

/**
 * `/invite` (邀请): what a friend opens or sends to join with this member as referrer. Telegram
 * takes a `start` deep link; where there is none, the friend sends `join` (the channel's word
 * for /start, given by the command table) with the same `ref_` payload.
 */
export async function invite(turn: Turn, join: string): Promise<Reply[]> {
  const member = requireMember(turn)
  const payload = `ref_${member.code}`
  const { botUsername } = turn.inbound
  const link = botUsername ? `https://t.me/${botUsername}?start=${payload}` : undefined
  const { referrerPoints, refereePoints, minOrderAmount } = turn.programme.referral
  const lines = [
    link
      ? t(turn.locale, 'invite.link', { link })
      : t(turn.locale, 'invite.words', { words: `${join} ${payload}` }),
    ...(referrerPoints + refereePoints > 0
      ? [
          t(turn.locale, 'invite.reward', {
            referrer: referrerPoints,
            referee: refereePoints,
            minimum: minOrderAmount > 0 ? yuan(minOrderAmount) : null,
          }),
        ]
      : []),
  ]
  return [{ text: lines.join('\n'), image: { png: await qrCode(link ?? `${join} ${payload}`) } }]
}

// -- rewards -----------------------------------------------------------------------------------

/** Why the member cannot redeem a reward, in a few words for its line of the list. */
function refusalWords(turn: Turn, offer: RewardOffer, balance: number): string {
  const code = offer.refusal!.code
  if (code === 'insufficient_points')
    return t(turn.locale, 'rewards.refused.insufficient_points', {
      missing: offer.pointsCost - balance,
    })
  if (code === 'tier_required') {
    const tier = turn.programme.tiers.find((candidate) => candidate.code === offer.minTierCode)
    return t(turn.locale, 'rewards.refused.tier_required', {
      tier: tier ? localize(tier.name, turn.locale) : String(offer.minTierCode),
    })
  }
  return t(turn.locale, `rewards.refused.${code}`)
}

/** The catalogue: every reward with its price; only those the member can redeem get a button. */
export async function rewards(turn: Turn): Promise<Reply[]> {
  const member = requireMember(turn)
  const list = (await turn.deps.domain.rewards.offersFor(member.id)).slice(0, REWARDS_SHOWN)
  if (list.length === 0) return text(t(turn.locale, 'rewards.empty'))
  const name = (r: RewardOffer) => localize(r.name, turn.locale)
  const lines = list.map((r) =>
    r.refusal
      ? t(turn.locale, 'rewards.lineRefused', {
          name: name(r),
          cost: r.pointsCost,
          reason: refusalWords(turn, r, member.pointsBalance),
        })
      : t(turn.locale, 'rewards.line', {
          name: name(r),
          cost: r.pointsCost,
          stock: r.stock !== null ? t(turn.locale, 'rewards.stockLeft', { stock: r.stock }) : '',
        }),
  )
  const offered = list.filter((r) => !r.refusal)
  return [
    {
      text: [t(turn.locale, 'rewards.title', { balance: member.pointsBalance }), ...lines].join(
        '\n',
      ),
      buttons: offered.length
        ? offered.map((r) => [
            {
              label: t(turn.locale, 'rewards.button', { name: name(r), cost: r.pointsCost }),
              action: `redeem:${r.id}`,
            },
          ])
        : undefined,
    },
  ]
}

/**
 * First step of a redemption: refuse at once, for the reason the redemption itself would give
 * (an old or forged button can name any reward), else ask to confirm.
 */
export async function chooseReward(turn: Turn, rewardId: string): Promise<Reply[]> {
  const member = requireMember(turn)
  const reward = await turn.deps.domain.rewards.offerFor(member.id, rewardId)
  if (reward.refusal)
    throw new DomainError(reward.refusal.code, reward.refusal.message, reward.refusal.details)
  const id = nonce()
  turn.session.dialog = { kind: 'redeem', rewardId, nonce: id }
  return [
    {
      text: t(turn.locale, 'redeem.confirm', {
        name: localize(reward.name, turn.locale),
        cost: reward.pointsCost,
        balance: member.pointsBalance - reward.pointsCost,
      }),
      buttons: [
        [
          { label: t(turn.locale, 'redeem.yes'), action: `confirm:${id}` },
          { label: t(turn.locale, 'redeem.no'), action: 'cancel' },
        ],
      ],
    },
  ]
}

/** The confirmed redemption; the dialog's nonce is its idempotency key, so a double tap redeems once. */
export async function confirmRedemption(
  turn: Turn,
  dialog: Extract<Dialog, { kind: 'redeem' }>,
): Promise<Reply[]> {
  const member = requireMember(turn)
  turn.session.dialog = undefined
  const result = await turn.deps.domain.rewards.redeem(member.id, dialog.rewardId, {
    idempotencyKey: `chat:${dialog.nonce}`,
    actor: `${turn.inbound.channel}:${turn.inbound.userId}`,
  })
  const reward = await turn.deps.domain.rewards.get(dialog.rewardId)
  const lines = [
    t(turn.locale, 'redeem.done', {
      name: localize(reward.name, turn.locale),
      balance: result.member.points.balance,
    }),
  ]
  if (result.coupon) {
    const expires = result.coupon.expiresAt
      ? t(turn.locale, 'redeem.couponExpires', {
          date: day(result.coupon.expiresAt, turn.programme),
        })
      : ''
    lines.push(t(turn.locale, 'redeem.coupon', { code: result.coupon.code, expires }))
  }
  return text(lines.join('\n'))
}

// -- account -----------------------------------------------------------------------------------

export async function bind(turn: Turn, code: string): Promise<Reply[]> {
  const { channel, userId } = turn.inbound
  if (!code)
    return text(
      t(
        turn.locale,
        'bind.issued',
        await turn.deps.domain.members.createBindCode(requireMember(turn).id),
      ),
    )
  if (channel === 'console') return text(t(turn.locale, 'bind.invalid'))
  try {
    const { member, merged } = await turn.deps.domain.members.bind(code, channel, userId)
    return text(
      t(turn.locale, merged ? 'bind.merged' : 'bind.linked', { balance: member.points.balance }),
    )
  } catch (error) {
    if (error instanceof DomainError && error.code === 'invite_invalid')
      return text(t(turn.locale, 'bind.invalid'))
    throw error
  }
}

export async function marketing(turn: Turn, consent: boolean): Promise<Reply[]> {
  const member = requireMember(turn)
  await turn.deps.domain.members.update(
    member.id,
    { marketingConsent: consent },
    `member:${member.id}`,
  )
  return text(t(turn.locale, consent ? 'marketing.resumed' : 'marketing.stopped'))
}

export function chooseLanguage(turn: Turn): Reply[] {
  return [
    {
      text: t(turn.locale, 'lang.choose'),
      buttons: [
        [
          { label: '简体中文', action: 'lang:zh-CN' },
          { label: 'English', action: 'lang:en' },
        ],
      ],
    },
  ]
}

export async function setLanguage(turn: Turn, locale: Locale): Promise<Reply[]> {
  turn.session.locale = locale
  turn.locale = locale
  if (turn.member)
    await turn.deps.domain.members.update(turn.member.id, { locale }, `member:${turn.member.id}`)
  return text(t(locale, 'lang.set'))
}

/**
 * The mini-app. Telegram signs the member in by itself; elsewhere the page needs a one-time
 * signed link, which is sent only in a private chat, as whoever opens it first is signed in.
 */
export async function miniappButton(turn: Turn): Promise<Button | undefined> {
  if (!turn.deps.publicUrl) return undefined
  const page = `${turn.deps.publicUrl}/miniapp/`
  const label = t(turn.locale, 'help.open')
  if (turn.inbound.channel === 'telegram') return { label, webAppUrl: page }
  if (!turn.member || turn.inbound.group) return undefined
  const { token } = await turn.deps.domain.miniapp.createLink(turn.member.id)
  return { label, url: `${page}#token=${token}&lang=${turn.locale}` }
}

/** The member's page, on its own: a web-app button in Telegram, a one-time link elsewhere. */
export async function app(turn: Turn): Promise<Reply[]> {
  requireMember(turn)
  const open = await miniappButton(turn)
  if (!open) return [{ text: t(turn.locale, 'app.unavailable') }]
  return [{ text: t(turn.locale, open.url ? 'app.link' : 'app.open'), buttons: [[open]] }]
}
