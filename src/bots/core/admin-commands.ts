import type { ExportKind } from '../../domain/customer-data/export.service.ts'
import { localize } from '../../domain/programme/programme.ts'
import { tagsInputSchema } from '../../domain/segments/tags.service.ts'
import { STAFF_ROLES, type StaffRole, roleAtLeast } from '../../domain/staff/staff.service.ts'
import type { MemberRef } from '../../domain/members/members.ts'
import { decidedRefusal } from '../../domain/orders/pending-points.service.ts'
import {
  CONSOLE_LINK_TTL_SECONDS,
  CONSOLE_PATH,
  consoleLoginUrl,
} from '../../domain/staff/staff-sessions.service.ts'
import { DomainError } from '../../shared/errors.ts'
import { maskName } from '../../domain/members/members.ts'
import { day, signed, yuan } from './format.ts'
import { t } from './i18n.ts'
import type { Reply } from './messages.ts'
import { nonce } from './member-commands.ts'
import { statsReply } from './stats-reply.ts'
import type { Dialog, Turn } from './turn.ts'

function text(body: string): Reply[] {
  return [{ text: body }]
}

/**
 * The refusal, on the record, for anyone below `needed`; undefined when they may go on. The
 * router asks it for every command the table gives a role; dialogs ask it again at each step,
 * as a role can be taken away mid-dialog. `command` names what was refused (`/broadcast`).
 */
export async function refusedBelow(
  turn: Turn,
  needed: StaffRole,
  command: string,
): Promise<Reply[] | undefined> {
  const role = await turn.deps.domain.staff.roleOf(turn.inbound.channel, turn.inbound.userId)
  if (role && roleAtLeast(role, needed)) return undefined
  turn.deps.logger.warn(
    { channel: turn.inbound.channel, userId: turn.inbound.userId, needed, role },
    'admin command refused',
  )
  return text(
    t(turn.locale, 'admin.refused', {
      command,
      needed: t(turn.locale, `role.${needed}`),
      above: needed !== STAFF_ROLES[STAFF_ROLES.length - 1],
      role: role ? t(turn.locale, `role.${role}`) : null,
    }),
  )
}

/**
 * The merchant console. In Telegram a web-app button: the page signs in with initData, so no
 * secret travels in the chat. Elsewhere a one-time login link, only ever to the staff member
 * asking (the table keeps the command out of groups).
 */
export async function openConsole(turn: Turn): Promise<Reply[]> {
  const { publicUrl, domain } = turn.deps
  if (!publicUrl) return text(t(turn.locale, 'console.unavailable'))
  const label = t(turn.locale, 'console.button')
  if (turn.inbound.channel === 'telegram')
    return [
      {
        text: t(turn.locale, 'console.open'),
        buttons: [[{ label, webAppUrl: `${publicUrl}${CONSOLE_PATH}` }]],
      },
    ]
  const staff = await domain.staff.byIdentity(turn.inbound.channel, turn.inbound.userId)
  if (!staff) throw new DomainError('forbidden', 'this needs a merchant role')
  const { code } = await domain.staffSessions.createLink(staff.id)
  return [
    {
      text: t(turn.locale, 'console.link', { minutes: CONSOLE_LINK_TTL_SECONDS / 60 }),
      buttons: [[{ label, url: consoleLoginUrl(publicUrl, code) }]],
    },
  ]
}

export async function acceptInvite(turn: Turn, code: string): Promise<Reply[]> {
  if (!code) return text(t(turn.locale, 'admin.codeMissing'))
  const staff = await turn.deps.domain.staff.acceptInvite(
    code,
    turn.inbound.channel,
    turn.inbound.userId,
    turn.inbound.displayName,
  )
  turn.deps.logger.info(
    { channel: turn.inbound.channel, userId: turn.inbound.userId, role: staff.role },
    'staff joined',
  )
  return text(
    t(turn.locale, 'admin.welcome', {
      role: t(turn.locale, `role.${staff.role as StaffRole}`),
    }),
  )
}

export async function stats(turn: Turn): Promise<Reply[]> {
  return statsReply(turn)
}

/** A member code (8 letters and digits) or a phone number, as staff type them at the counter. */
function memberRef(input: string): MemberRef {
  const trimmed = input.trim()
  return /^[2-9A-Za-z]{8}$/.test(trimmed) ? { code: trimmed } : { phone: trimmed }
}

export async function lookUpMember(turn: Turn, query: string): Promise<Reply[]> {
  if (!query) return text(t(turn.locale, 'member.usage'))
  const member = await turn.deps.domain.members.get(memberRef(query))
  return text(
    t(turn.locale, 'member.show', {
      name: member.displayName,
      code: member.code,
      phone: member.phone ?? t(turn.locale, 'none'),
      tier: localize(member.tier.name, turn.locale),
      balance: member.points.balance,
      joined: day(member.joinedAt, turn.programme),
    }),
  )
}

export async function verifyCoupon(turn: Turn, code: string): Promise<Reply[]> {
  if (!code) return text(t(turn.locale, 'verify.usage'))
  const coupon = await turn.deps.domain.rewards.verifyCoupon(code)
  const member = await turn.deps.domain.members.view(coupon.memberId)
  const id = nonce()
  const usable = coupon.status === 'issued'
  if (usable) turn.session.dialog = { kind: 'verify', code: coupon.code, nonce: id }
  return [
    {
      text: t(turn.locale, 'verify.show', {
        code: coupon.code,
        reward: localize(coupon.rewardName, turn.locale),
        status: t(turn.locale, `coupon.status.${coupon.status}`),
        member: `${member.displayName} (${member.code})`,
      }),
      buttons: usable
        ? [
            [
              { label: t(turn.locale, 'verify.use'), action: `confirm:${id}` },
              { label: t(turn.locale, 'no'), action: 'cancel' },
            ],
          ]
        : undefined,
    },
  ]
}

export async function useCoupon(
  turn: Turn,
  dialog: Extract<Dialog, { kind: 'verify' }>,
): Promise<Reply[]> {
  const refusal = await refusedBelow(turn, 'staff', '/verify')
  if (refusal) return refusal
  turn.session.dialog = undefined
  const coupon = await turn.deps.domain.rewards.useCoupon(
    dialog.code,
    `${turn.inbound.channel}:${turn.inbound.userId}`,
  )
  return text(
    t(turn.locale, 'verify.used', {
      code: coupon.code,
      reward: localize(coupon.rewardName, turn.locale),
    }),
  )
}

/**
 * `/adjust` walks a manager through member, points and reason to a confirm step;
 * `/adjust <member> <points> <reason>` goes straight to the confirm step.
 */
export async function adjust(turn: Turn, args: string): Promise<Reply[]> {
  const match = /^(\S+)\s+(-?\d+)\s+(.+)$/s.exec(args.trim())
  const dialog: Extract<Dialog, { kind: 'adjust' }> = {
    kind: 'adjust',
    step: 'member',
    nonce: nonce(),
  }
  if (!match) {
    turn.session.dialog = dialog
    return text(t(turn.locale, 'adjust.member'))
  }
  const member = await turn.deps.domain.members.require(memberRef(match[1]!))
  const points = parsePoints(match[2]!)
  const refusal = await overdraft(turn, { ...dialog, memberId: member.id }, points)
  if (refusal) return refusal
  return adjustConfirm(turn, { ...dialog, memberId: member.id, points, reason: match[3]!.trim() })
}

/**
 * A deduction the member's balance does not cover is refused before the confirm, in words
 * about the member (the staff member has no balance here), and the dialog waits for another
 * number.
 */
async function overdraft(
  turn: Turn,
  dialog: Extract<Dialog, { kind: 'adjust' }>,
  points: number,
): Promise<Reply[] | undefined> {
  if (points > 0) return undefined
  const member = await turn.deps.domain.members.view(dialog.memberId!)
  if (-points <= member.points.balance) return undefined
  turn.session.dialog = { ...dialog, step: 'points', points: undefined }
  return text(t(turn.locale, 'adjust.tooMuch', { balance: Math.max(0, member.points.balance) }))
}

function parsePoints(input: string): number {
  const value = Number(input.trim())
  if (!Number.isSafeInteger(value) || value === 0 || Math.abs(value) > 1_000_000_000) {
    throw new DomainError('invalid_input', 'points', { field: 'points' })
  }
  return value
}

async function adjustConfirm(
  turn: Turn,
  dialog: Extract<Dialog, { kind: 'adjust' }>,
): Promise<Reply[]> {
  const member = await turn.deps.domain.members.view(dialog.memberId!)
  turn.session.dialog = { ...dialog, step: 'confirm' }
  return [
    {
      text: t(turn.locale, 'adjust.confirm', {
        name: member.displayName,
        balance: member.points.balance,
        points: signed(dialog.points!),
        reason: dialog.reason!,
      }),
      buttons: [
        [
          { label: t(turn.locale, 'yes'), action: `confirm:${dialog.nonce}` },
          { label: t(turn.locale, 'no'), action: 'cancel' },
        ],
      ],
    },
  ]
}

export async function adjustText(
  turn: Turn,
  dialog: Extract<Dialog, { kind: 'adjust' }>,
  input: string,
): Promise<Reply[]> {
  const refusal = await refusedBelow(turn, 'manager', '/adjust')
  if (refusal) return refusal
  if (dialog.step === 'member') {
    const member = await turn.deps.domain.members.view(
      (await turn.deps.domain.members.require(memberRef(input))).id,
    )
    turn.session.dialog = { ...dialog, step: 'points', memberId: member.id }
    return text(
      t(turn.locale, 'adjust.points', { name: member.displayName, balance: member.points.balance }),
    )
  }
  if (dialog.step === 'points') {
    let points: number
    try {
      points = parsePoints(input)
    } catch {
      return text(t(turn.locale, 'adjust.pointsInvalid'))
    }
    const refusal = await overdraft(turn, dialog, points)
    if (refusal) return refusal
    turn.session.dialog = { ...dialog, step: 'reason', points }
    return text(t(turn.locale, 'adjust.reason'))
  }
  if (dialog.step === 'reason')
    return adjustConfirm(turn, { ...dialog, reason: input.trim().slice(0, 500) })
  return adjustConfirm(turn, dialog)
}

/** The confirmed adjustment: audited with the staff member's identity, once per dialog. */
export async function confirmAdjust(
  turn: Turn,
  dialog: Extract<Dialog, { kind: 'adjust' }>,
): Promise<Reply[]> {
  const refusal = await refusedBelow(turn, 'manager', '/adjust')
  if (refusal) return refusal
  // The balance may have moved since the points were asked for.
  const overdrawn = await overdraft(turn, dialog, dialog.points!)
  if (overdrawn) return overdrawn
  turn.session.dialog = undefined
  const { member } = await turn.deps.domain.adjust(
    dialog.memberId!,
    { points: dialog.points!, reason: dialog.reason!, idempotencyKey: `chat:${dialog.nonce}` },
    `${turn.inbound.channel}:${turn.inbound.userId}`,
  )
  turn.deps.logger.info(
    {
      channel: turn.inbound.channel,
      userId: turn.inbound.userId,
      memberId: member.id,
      points: dialog.points,
    },
    'points adjusted in chat',
  )
  return text(
    t(turn.locale, 'adjust.done', { name: member.displayName, balance: member.points.balance }),
  )
}

/** Held points a manager reviews in one answer, the oldest first. */
const REVIEW_PAGE = 10

/**
 * `/review` (审核): the points held by the issuing caps, oldest first, each with the member
 * masked, the order, its amount, the points and the cap it went over, and a choice to approve
 * or reject it; the choice goes to a confirm step, as /adjust does.
 */
export async function review(turn: Turn): Promise<Reply[]> {
  const { items } = await turn.deps.domain.pendingPoints.list({ limit: REVIEW_PAGE })
  if (items.length === 0) return text(t(turn.locale, 'review.none'))
  const lines = items.map((hold, i) =>
    t(turn.locale, 'review.line', {
      n: i + 1,
      member: maskName(hold.memberName),
      order: hold.orderId,
      amount: yuan(hold.amount),
      points: hold.points,
      cap: t(turn.locale, `review.cap.${hold.cap}`, { limit: hold.capLimit }),
    }),
  )
  return [
    {
      text: [t(turn.locale, 'review.list', { count: items.length }), ...lines].join('\n'),
      buttons: items.map((hold, i) => [
        {
          label: t(turn.locale, 'review.approve', { n: i + 1 }),
          action: `review:${hold.id}:approve`,
        },
        {
          label: t(turn.locale, 'review.reject', { n: i + 1 }),
          action: `review:${hold.id}:reject`,
        },
      ]),
    },
  ]
}

/** A choice of /review: the hold as it is now, and the confirm step for that decision. */
export async function chooseReview(turn: Turn, value: string): Promise<Reply[]> {
  const refusal = await refusedBelow(turn, 'manager', '/review')
  if (refusal) return refusal
  const [pendingId = '', decision] = value.split(':')
  if (decision !== 'approve' && decision !== 'reject') return text(t(turn.locale, 'fallback'))
  const hold = await turn.deps.domain.pendingPoints.get(pendingId)
  if (hold.status !== 'pending') throw decidedRefusal(hold)
  const id = nonce()
  turn.session.dialog = { kind: 'review', pendingId, decision, nonce: id }
  return [
    {
      text: t(turn.locale, `review.confirm.${decision}`, {
        member: maskName(hold.memberName),
        order: hold.orderId,
        points: hold.points,
      }),
      buttons: [
        [
          { label: t(turn.locale, 'yes'), action: `confirm:${id}` },
          { label: t(turn.locale, 'no'), action: 'cancel' },
        ],
      ],
    },
  ]
}

/** The confirmed decision, by the staff member's identity; the domain makes it once. */
export async function confirmReview(
  turn: Turn,
  dialog: Extract<Dialog, { kind: 'review' }>,
): Promise<Reply[]> {
  const refusal = await refusedBelow(turn, 'manager', '/review')
  if (refusal) return refusal
  turn.session.dialog = undefined
  const actor = `${turn.inbound.channel}:${turn.inbound.userId}`
  const { pending } =
    dialog.decision === 'approve'
      ? await turn.deps.domain.pendingPoints.approve(dialog.pendingId, actor)
      : await turn.deps.domain.pendingPoints.reject(dialog.pendingId, actor)
  turn.deps.logger.info(
    { channel: turn.inbound.channel, userId: turn.inbound.userId, pendingId: pending.id },
    `pending points ${pending.status} in chat`,
  )
  return text(
    t(turn.locale, `review.done.${dialog.decision}`, {
      member: maskName(pending.memberName),
      points: pending.points,
    }),
  )
}

/** Several tags at once are separated by commas, semicolons or 、; one tag may hold spaces. */
const TAG_SEPARATORS = /[,，;；、]/

async function showTags(turn: Turn, memberId: string): Promise<Reply[]> {
  const member = await turn.deps.domain.members.view(memberId)
  const { tags } = await turn.deps.domain.tags.of(memberId)
  return text(
    t(turn.locale, 'tag.show', {
      name: `${member.displayName} (${member.code})`,
      tags: tags.length ? tags.join(t(turn.locale, 'tag.joiner')) : t(turn.locale, 'none'),
    }),
  )
}

/**
 * `/tag <member code|phone> <tag>[, <tag>...]` (标签): staff label a member for segments;
 * `/tag <member>` shows the member's tags.
 */
export async function tag(turn: Turn, args: string): Promise<Reply[]> {
  const [who = '', ...rest] = args.trim().split(/\s+/)
  if (!who) return text(t(turn.locale, 'tag.usage'))
  const member = await turn.deps.domain.members.require(memberRef(who))
  const tags = rest
    .join(' ')
    .split(TAG_SEPARATORS)
    .map((s) => s.trim())
    .filter(Boolean)
  if (tags.length > 0) {
    const parsed = tagsInputSchema.safeParse({ tags })
    if (!parsed.success) return text(t(turn.locale, 'tag.invalid'))
    await turn.deps.domain.tags.add(member.id, parsed.data.tags)
  }
  return showTags(turn, member.id)
}

/** `/untag <member code|phone> <tag>` (去标签). */
export async function untag(turn: Turn, args: string): Promise<Reply[]> {
  const match = /^(\S+)\s+(.+)$/s.exec(args.trim())
  if (!match) return text(t(turn.locale, 'untag.usage'))
  const member = await turn.deps.domain.members.require(memberRef(match[1]!))
  await turn.deps.domain.tags.remove(member.id, match[2]!.trim())
  return showTags(turn, member.id)
}

/**
 * `/export members|ledger|orders` and `/export segment <id>` (导出): the CSV export as a file,
 * for the owner only; the same files are at `GET /api/v1/exports/{kind}` for admin API keys.
 */
export async function exportCsv(turn: Turn, args: string): Promise<Reply[]> {
  const [word = '', segment, ...rest] = args.trim().split(/\s+/)
  const ofSegment = SEGMENT_WORDS.has(word.toLowerCase())
  const kind = ofSegment ? 'members' : EXPORT_WORDS[word.toLowerCase()]
  if (!kind || rest.length > 0 || ofSegment !== (segment !== undefined))
    return text(t(turn.locale, 'export.usage'))
  const chunks: string[] = []
  for await (const chunk of turn.deps.domain.exports.export(kind, { segment })) chunks.push(chunk)
  const day = turn.deps.domain.deps.clock.now().toISOString().slice(0, 10)
  turn.deps.logger.info(
    { channel: turn.inbound.channel, userId: turn.inbound.userId, kind, segment },
    'owner exported data in chat',
  )
  return [
    {
      text: t(turn.locale, 'export.caption', { kind: args.trim() }),
      document: {
        data: Buffer.from(chunks.join(''), 'utf8'),
        filename: segment ? `segment-${segment}-${day}.csv` : `${kind}-${day}.csv`,
        mimeType: 'text/csv',
      },
    },
  ]
}

const SEGMENT_WORDS = new Set(['segment', '分群'])

const EXPORT_WORDS: Record<string, ExportKind> = {
  members: 'members',
  会员: 'members',
  ledger: 'ledger',
  积分流水: 'ledger',
  流水: 'ledger',
  orders: 'orders',
  订单: 'orders',
}
