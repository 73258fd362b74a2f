import { DateTime } from 'luxon'
import type { HoldoutComparison } from '../../domain/outbox/holdout.ts'
import { localize } from '../../domain/programme/programme.ts'
import { winBackOfferLabel } from '../../domain/segments/churn-digest.service.ts'
import { isDomainError } from '../../shared/errors.ts'
import { refusedBelow } from './admin-commands.ts'
import { yuan } from './format.ts'
import { t } from './i18n.ts'
import { nonce } from './member-commands.ts'
import type { Reply } from './messages.ts'
import type { Dialog, Turn } from './turn.ts'

type Broadcast = Extract<Dialog, { kind: 'broadcast' }>

function text(body: string): Reply[] {
  return [{ text: body }]
}

/** An example send time that is still to come: tomorrow 10:00 in the shop's time zone. */
function exampleTime(turn: Turn): string {
  return DateTime.fromJSDate(turn.deps.domain.deps.clock.now(), { zone: turn.programme.timezone })
    .plus({ days: 1 })
    .set({ hour: 10, minute: 0 })
    .toFormat('yyyy-MM-dd HH:mm')
}

/** `/campaign <id>`: a campaign's status and results, for staff. */
export async function campaignResults(turn: Turn, id: string): Promise<Reply[]> {
  if (!id) {
    const recent = (await turn.deps.domain.campaigns.list()).slice(0, 5)
    if (recent.length === 0) return text(t(turn.locale, 'campaign.none'))
    return text(
      recent
        .map((c) => `${c.id} · ${c.name} · ${t(turn.locale, `campaign.status.${c.status}`)}`)
        .join('\n'),
    )
  }
  const campaign = await turn.deps.domain.campaigns.get(id.trim())
  const s = campaign.stats
  return text(
    t(turn.locale, 'campaign.results', {
      name: campaign.name,
      status: t(turn.locale, `campaign.status.${campaign.status}`),
      targeted: s.targeted,
      sent: s.sent,
      pending: s.pending,
      failed: s.failed,
      uncertain: s.uncertain,
      held: s.held,
      expired: s.expired,
      blocked: s.blocked,
      opened: s.opened,
      orders: s.orders,
      sales: yuan(s.sales),
      roi: s.roi === null ? '—' : `${s.roi}%`,
    }) + (s.holdout ? `\n${holdoutLine(turn, s.heldOut, s.holdout)}` : ''),
  )
}

const percent = (share: number | null) => (share === null ? '—' : `${(share * 100).toFixed(1)}%`)

/** The comparison with the held-out members, in one line, ending with what it shows. */
function holdoutLine(turn: Turn, heldOut: number, h: HoldoutComparison): string {
  return t(turn.locale, 'holdout.line', {
    heldOut,
    messaged: percent(h.messaged.conversion),
    held: percent(h.heldOut.conversion),
    uplift: h.uplift === null ? '—' : `${(h.uplift * 100).toFixed(1)}`,
    low: h.interval ? `${(h.interval.low * 100).toFixed(1)}` : '—',
    high: h.interval ? `${(h.interval.high * 100).toFixed(1)}` : '—',
    incremental: h.incrementalSales === null ? '—' : yuan(h.incrementalSales),
    verdict: t(turn.locale, `holdout.${h.verdict}`),
  })
}

/** A cost in yuan with up to two decimals ("500", "99.9") as minor units, exactly; or null. */
function minorUnitsOf(input: string): number | null {
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(input.trim().replace(/^¥/, ''))
  if (!match) return null
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'))
}

/** `/broadcast`: a manager picks the audience, writes the message, sees a preview, sends. */
export async function broadcast(turn: Turn): Promise<Reply[]> {
  const everyone = await turn.deps.domain.segments.count({})
  const saved = await turn.deps.domain.segments.sizes()
  turn.session.dialog = { kind: 'broadcast', step: 'segment', nonce: nonce() }
  return [
    {
      text: t(turn.locale, 'broadcast.segment'),
      buttons: [
        [{ label: t(turn.locale, 'broadcast.everyone', { size: everyone }), action: 'bc-seg:all' }],
        ...saved
          .slice(0, 8)
          .map((s) => [{ label: `${s.name} (${s.size})`, action: `bc-seg:${s.id}` }]),
      ],
    },
  ]
}

export async function chooseSegment(turn: Turn, value: string): Promise<Reply[]> {
  const dialog = turn.session.dialog
  const refusal = await refusedBelow(turn, 'manager', '/broadcast')
  if (refusal) return refusal
  if (dialog?.kind !== 'broadcast') return text(t(turn.locale, 'fallback'))
  const segment =
    value === 'all'
      ? { id: null, name: t(turn.locale, 'broadcast.everyoneName'), filter: {} }
      : await turn.deps.domain.segments.get(value)
  const size = await turn.deps.domain.segments.count(segment.filter)
  turn.session.dialog = {
    ...dialog,
    step: 'text',
    segmentName: segment.name,
    filter: segment.filter,
    size,
  }
  return text(t(turn.locale, 'broadcast.text', { name: segment.name, size }))
}

/** Text steps of the walk-through: the message, then an optional link button, then a time. */
export async function broadcastText(
  turn: Turn,
  dialog: Broadcast,
  input: string,
): Promise<Reply[]> {
  const refusal = await refusedBelow(turn, 'manager', '/broadcast')
  if (refusal) return refusal
  if (dialog.step === 'text') {
    turn.session.dialog = { ...dialog, step: 'image', message: input.slice(0, 4_000) }
    return [
      {
        text: t(turn.locale, 'broadcast.image'),
        buttons: [[{ label: t(turn.locale, 'broadcast.noImage'), action: 'bc-noimage' }]],
      },
    ]
  }
  if (dialog.step === 'image') {
    const url = input.trim()
    if (!/^https:\/\/\S+$/.test(url)) return text(t(turn.locale, 'broadcast.imageInvalid'))
    return askButton(turn, { ...dialog, imageUrl: url })
  }
  if (dialog.step === 'button') {
    const match = /^(.{1,64}?)\s+(https:\/\/\S+)$/.exec(input.trim())
    if (!match) return text(t(turn.locale, 'broadcast.buttonInvalid'))
    return askCost(turn, { ...dialog, button: { label: match[1]!, url: match[2]! } })
  }
  if (dialog.step === 'cost') {
    const cost = minorUnitsOf(input)
    if (cost === null) return text(t(turn.locale, 'broadcast.costInvalid'))
    return preview(turn, { ...dialog, cost })
  }
  if (dialog.step === 'time') {
    const { config } = await turn.deps.domain.programme.current()
    const at = DateTime.fromFormat(input.trim(), 'yyyy-MM-dd HH:mm', { zone: config.timezone })
    if (!at.isValid || at.toJSDate() <= turn.deps.domain.deps.clock.now())
      return text(t(turn.locale, 'broadcast.timeInvalid', { example: exampleTime(turn) }))
    return confirm(turn, { ...dialog, sendAt: at.toUTC().toISO(), sendAtLocal: input.trim() })
  }
  return []
}

function askButton(turn: Turn, dialog: Broadcast): Reply[] {
  turn.session.dialog = { ...dialog, step: 'button' }
  return [
    {
      text: t(turn.locale, 'broadcast.button'),
      buttons: [
        [{ label: t(turn.locale, 'broadcast.miniapp'), action: 'bc-miniapp' }],
        [{ label: t(turn.locale, 'broadcast.noButton'), action: 'bc-nobutton' }],
      ],
    },
  ]
}

function askCost(turn: Turn, dialog: Broadcast): Reply[] {
  turn.session.dialog = { ...dialog, step: 'cost' }
  return [
    {
      text: t(turn.locale, 'broadcast.cost'),
      buttons: [[{ label: t(turn.locale, 'broadcast.noCost'), action: 'bc-nocost' }]],
    },
  ]
}

/** The message exactly as members will see it, sent to the merchant first. */
async function preview(turn: Turn, dialog: Broadcast): Promise<Reply[]> {
  turn.session.dialog = { ...dialog, step: 'when' }
  return [
    { text: t(turn.locale, 'broadcast.preview') },
    {
      // The page's button needs the member's own signed link, so the preview only names it.
      text: [
        dialog.message!,
        ...(dialog.imageUrl ? [`🖼 ${dialog.imageUrl}`] : []),
        ...(dialog.miniappButton ? [`🔘 ${dialog.miniappButton}`] : []),
      ].join('\n'),
      buttons: dialog.button
        ? [[{ label: dialog.button.label, url: dialog.button.url }]]
        : undefined,
    },
    {
      text: t(turn.locale, 'broadcast.when'),
      buttons: [
        [
          { label: t(turn.locale, 'broadcast.now'), action: 'bc-now' },
          { label: t(turn.locale, 'broadcast.later'), action: 'bc-later' },
        ],
        [{ label: t(turn.locale, 'no'), action: 'cancel' }],
      ],
    },
  ]
}

function confirm(turn: Turn, dialog: Broadcast): Reply[] {
  turn.session.dialog = { ...dialog, step: 'confirm' }
  const when = dialog.sendAtLocal ?? t(turn.locale, 'broadcast.now')
  return [
    {
      text: t(turn.locale, 'broadcast.confirm', {
        size: dialog.size ?? 0,
        name: dialog.segmentName ?? '',
        when,
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

export async function broadcastAction(turn: Turn, action: string): Promise<Reply[]> {
  const dialog = turn.session.dialog
  const refusal = await refusedBelow(turn, 'manager', '/broadcast')
  if (refusal) return refusal
  if (dialog?.kind !== 'broadcast') return text(t(turn.locale, 'fallback'))
  if (action === 'bc-noimage' && dialog.step === 'image') return askButton(turn, dialog)
  if (action === 'bc-nobutton' && dialog.step === 'button') return askCost(turn, dialog)
  if (action === 'bc-miniapp' && dialog.step === 'button')
    return askCost(turn, { ...dialog, miniappButton: t(turn.locale, 'broadcast.miniappLabel') })
  if (action === 'bc-nocost' && dialog.step === 'cost') return preview(turn, dialog)
  if (action === 'bc-now' && dialog.step === 'when') return confirm(turn, dialog)
  if (action === 'bc-later' && dialog.step === 'when') {
    turn.session.dialog = { ...dialog, step: 'time' }
    return text(t(turn.locale, 'broadcast.time', { example: exampleTime(turn) }))
  }
  return text(t(turn.locale, 'redeem.stale'))
}

/** The confirmed broadcast becomes a campaign; the outbox sends it at the platform's pace. */
export async function confirmBroadcast(turn: Turn, dialog: Broadcast): Promise<Reply[]> {
  const refusal = await refusedBelow(turn, 'manager', '/broadcast')
  if (refusal) return refusal
  turn.session.dialog = undefined
  const campaign = await turn.deps.domain.campaigns.create(
    {
      name: `${dialog.segmentName} · ${dialog.message!.slice(0, 30)}`,
      message: {
        text: dialog.message!,
        ...(dialog.imageUrl ? { imageUrl: dialog.imageUrl } : {}),
        ...(dialog.button ? { buttons: [dialog.button] } : {}),
        // Our own label, so each member reads it in their language, not the manager's.
        ...(dialog.miniappButton
          ? {
              miniappButton: {
                'zh-CN': t('zh-CN', 'broadcast.miniappLabel'),
                en: t('en', 'broadcast.miniappLabel'),
              },
            }
          : {}),
      },
      segment: dialog.filter ?? {},
      sendAt: dialog.sendAt,
      cost: dialog.cost,
    },
    `${turn.inbound.channel}:${turn.inbound.userId}`,
  )
  turn.deps.logger.info(
    { channel: turn.inbound.channel, userId: turn.inbound.userId, campaignId: campaign.id },
    'broadcast created in chat',
  )
  return text(t(turn.locale, 'broadcast.done', { id: campaign.id }))
}

/** A moment in the shop's time zone, to the minute, as staff read it. */
function localMinute(turn: Turn, iso: string): string {
  return DateTime.fromISO(iso, { zone: turn.programme.timezone }).toFormat('yyyy-MM-dd HH:mm')
}

/** `/slipping`: the last weekly churn digest, with the offer to send its members the win-back. */
export async function slippingDigest(turn: Turn): Promise<Reply[]> {
  const { churnDigest } = turn.deps.domain
  const digest = await churnDigest.latest()
  if (!digest) return text(t(turn.locale, 'slipping.none'))
  if (digest.members.length === 0) {
    const days = (iso: string) => DateTime.fromISO(iso, { zone: turn.programme.timezone })
    return text(
      t(turn.locale, 'slipping.nobody', {
        from: days(digest.from).toISODate()!,
        to: days(digest.to).minus({ days: 1 }).toISODate()!,
      }),
    )
  }
  const body = localize(await churnDigest.text(digest, false), turn.locale)
  if (digest.winBack)
    return text(
      `${body}\n${t(turn.locale, 'slipping.sent', {
        by: digest.winBack.by,
        at: localMinute(turn, digest.winBack.at),
      })}`,
    )
  return [
    {
      text: body,
      buttons: [
        [
          {
            label: localize(winBackOfferLabel(digest.members.length), turn.locale),
            action: `slip:${digest.week}`,
          },
        ],
      ],
    },
  ]
}

/** The digest's offer taken: its members get the win-back step now, once per digest. */
export async function sendSlippingWinBack(turn: Turn, week: string): Promise<Reply[]> {
  const refusal = await refusedBelow(turn, 'manager', '/slipping')
  if (refusal) return refusal
  try {
    const result = await turn.deps.domain.churnDigest.sendWinBack(
      week,
      `${turn.inbound.channel}:${turn.inbound.userId}`,
    )
    return text(t(turn.locale, 'slipping.done', result))
  } catch (error) {
    if (!isDomainError(error) || error.code !== 'already_done') throw error
    const details = error.details as { by: string; at: string }
    return text(
      t(turn.locale, 'slipping.sent', { by: details.by, at: localMinute(turn, details.at) }),
    )
  }
}
