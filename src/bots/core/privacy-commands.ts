import { t } from './i18n.ts'
import type { Reply } from './messages.ts'
import { nonce, requireMember } from './member-commands.ts'
import type { Dialog, Turn } from './turn.ts'

/**
 * `/mydata` (我的数据): the member's own data as a file. Only ever the sender's: the member is
 * the one their chat identity belongs to, and any argument is ignored.
 */
export async function myData(turn: Turn): Promise<Reply[]> {
  const member = requireMember(turn)
  const data = await turn.deps.domain.privacy.exportMember(member.id)
  turn.deps.logger.info(
    { channel: turn.inbound.channel, memberId: member.id },
    'a member downloaded their data',
  )
  return [
    {
      text: t(turn.locale, 'mydata.caption'),
      document: {
        data: Buffer.from(`${JSON.stringify(data, null, 2)}\n`, 'utf8'),
        filename: `my-data-${member.code}.json`,
        mimeType: 'application/json',
      },
    },
  ]
}

/** `/deleteme` (注销): says what will be lost, then waits for the member to confirm. */
export async function deleteMe(turn: Turn): Promise<Reply[]> {
  const member = requireMember(turn)
  const id = nonce()
  turn.session.dialog = { kind: 'erase', nonce: id }
  return [
    {
      text: t(turn.locale, 'erase.confirm', { balance: member.pointsBalance }),
      buttons: [
        [
          { label: t(turn.locale, 'erase.yes'), action: `confirm:${id}` },
          { label: t(turn.locale, 'no'), action: 'cancel' },
        ],
      ],
    },
  ]
}

/** The confirmed erasure; afterwards nothing of this chat is kept, not even its dialog state. */
export async function confirmErase(
  turn: Turn,
  _dialog: Extract<Dialog, { kind: 'erase' }>,
): Promise<Reply[]> {
  const member = requireMember(turn)
  turn.session.dialog = undefined
  await turn.deps.domain.privacy.erase(member.id, 'member')
  turn.deps.logger.info(
    { channel: turn.inbound.channel, memberId: member.id },
    'a member erased their data',
  )
  turn.forget = true
  return [{ text: t(turn.locale, 'erase.done') }]
}
