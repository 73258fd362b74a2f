import { type Channel, normalizeLocale } from '../../domain/members/members.ts'
import { LOCALES, type Locale } from '../../domain/programme/programme.ts'
import { isDomainError } from '../../shared/errors.ts'
import * as admin from './admin-commands.ts'
import * as campaigns from './campaign-commands.ts'
import { parseCommand, slashOf } from './commands.ts'
import * as engagement from './engagement-commands.ts'
import { CHOICE_NUMBER, currentChoices, lookUpChoice, numberChoices } from './choices.ts'
import { withCommandWords } from './command-words.ts'
import { FloodGuard } from './flood-guard.ts'
import { RecentUpdates } from './recent-updates.ts'
import { type MessageKey, t } from './i18n.ts'
import * as member from './member-commands.ts'
import * as privacy from './privacy-commands.ts'
import type { Inbound, Reply } from './messages.ts'
import type { ConversationDeps, Dialog, Session, Turn } from './turn.ts'

export type { ConversationDeps } from './turn.ts'

const MAX_TEXT = 4_000

/** Buttons a group chat may press: joining, language, and the games played in front of everyone. */
const GROUP_ACTIONS = new Set(['reg', 'lang', 'cancel', 'quiz', 'qa', 'draw'])

/** Dialog steps that read what is typed, numbers included (points, a phone, a comment). */
function awaitsText(dialog: Dialog | undefined): boolean {
  switch (dialog?.kind) {
    case 'register':
      return dialog.step === 'invite' || dialog.step === 'phone' || dialog.step === 'birthday'
    case 'adjust':
      return dialog.step !== 'confirm'
    case 'broadcast':
      return ['text', 'image', 'button', 'cost', 'time'].includes(dialog.step)
    case 'survey-comment':
      return true
    default:
      return false
  }
}

export interface Conversation {
  /** Answers one message or button press. Never throws: a failure is a polite reply. */
  handle(inbound: Inbound): Promise<Reply[]>
  /** The platform says the user blocked (false) or unblocked (true) the bot. Never throws. */
  reachable(channel: Channel, userId: string, reachable: boolean): Promise<void>
}

/** A typed command that changes nothing but the chat's state (a pressed button may). */
function readOnly(inbound: Inbound): boolean {
  const text = inbound.text?.trim().slice(0, MAX_TEXT)
  return !inbound.action && Boolean(text && parseCommand(text)?.command.readOnly)
}

export function createConversation(deps: ConversationDeps): Conversation {
  const { domain, logger } = deps
  const floodGuard = deps.floodGuard ?? new FloodGuard()
  const recentUpdates = new RecentUpdates()

  async function route(turn: Turn): Promise<Reply[]> {
    const { inbound, session } = turn
    const text = inbound.text?.trim().slice(0, MAX_TEXT) ?? ''
    let action = inbound.action
    const choice = CHOICE_NUMBER.test(text) ? lookUpChoice(session, Number(text)) : undefined
    if (!action && choice) {
      if (choice.kind === 'current') action = choice.choice.action
      else if (!awaitsText(session.dialog) && (choice.kind === 'expired' || session.offer?.length))
        return choiceAgain(turn, choice.kind)
    }
    if (action) {
      if (inbound.group && !GROUP_ACTIONS.has(action.split(':')[0]!))
        return [{ text: t(turn.locale, 'group.private') }]
      return act(turn, action)
    }
    if (!text) return [{ text: t(turn.locale, 'fallback') }]
    const parsed = parseCommand(text)
    if (parsed) {
      const { command, args } = parsed
      if (inbound.group && !command.group) return [{ text: t(turn.locale, 'group.private') }]
      if (command.id === 'help' && session.dialog?.kind === 'register') {
        const help = await command.handler(turn, args)
        return [...help, ...member.continueJoining(turn, session.dialog)]
      }
      if (command.id !== 'cancel') session.dialog = undefined
      if (command.role) {
        const refusal = await admin.refusedBelow(turn, command.role, slashOf(command))
        if (refusal) return refusal
      }
      if (!turn.member && !command.open) return [{ text: t(turn.locale, 'register.needed') }]
      return command.handler(turn, args)
    }
    if (/^\/[A-Za-z_]/.test(text)) return [{ text: t(turn.locale, 'fallback') }]
    const dialog = session.dialog
    if (dialog?.kind === 'register') return member.registrationText(turn, dialog, text)
    if (dialog?.kind === 'broadcast' && !inbound.group)
      return campaigns.broadcastText(turn, dialog, text)
    if (dialog?.kind === 'survey-comment' && !inbound.group)
      return engagement.surveyComment(turn, dialog, text)
    if (dialog?.kind === 'adjust' && dialog.step !== 'confirm' && !inbound.group)
      return admin.adjustText(turn, dialog, text)
    return [{ text: t(turn.locale, turn.member ? 'fallback' : 'register.needed') }]
  }

  /**
   * A number that is not one of the choices on screen: an older offer's number has expired
   * (it must never answer a newer offer), any other number asks again; the current choices
   * are shown again with their numbers.
   */
  function choiceAgain(turn: Turn, kind: 'expired' | 'unknown'): Reply[] {
    // In a group everyone reads the choices: only those that may be made there are shown.
    const buttons = currentChoices(turn.session).filter(
      ([button]) => !turn.inbound.group || GROUP_ACTIONS.has(button!.action!.split(':')[0]!),
    )
    if (buttons.length === 0) return [{ text: t(turn.locale, 'choice.expired') }]
    const key = kind === 'expired' ? 'choice.expiredPick' : 'choice.again'
    return [{ text: t(turn.locale, key), buttons }]
  }

  async function act(turn: Turn, action: string): Promise<Reply[]> {
    const [kind = '', ...rest] = action.split(':')
    const value = rest.join(':')
    if (kind === 'reg') return member.registrationAction(turn, action)
    if (kind === 'lang' && (LOCALES as readonly string[]).includes(value))
      return member.setLanguage(turn, value as Locale)
    if (kind === 'cancel') {
      const closing = turn.session.dialog?.kind
      turn.session.dialog = undefined
      if (closing === 'survey-comment') return [{ text: t(turn.locale, 'survey.commentSaved') }]
      return [{ text: t(turn.locale, closing === 'redeem' ? 'redeem.cancelled' : 'cancelled') }]
    }
    if (
      !turn.member &&
      kind !== 'confirm' &&
      kind !== 'quizstart' &&
      kind !== 'review' &&
      kind !== 'slip' &&
      !kind.startsWith('bc-')
    )
      return [{ text: t(turn.locale, 'register.needed') }]
    if (kind === 'redeem' && value) return member.chooseReward(turn, value)
    if (kind === 'quiz' && value) return engagement.beginQuiz(turn, value)
    if (kind === 'qa' && value) return engagement.answerQuiz(turn, value)
    if (kind === 'quizstart' && value) return engagement.startQuiz(turn, value)
    if (kind === 'review' && value) return admin.chooseReview(turn, value)
    if (kind === 'draw' && value) return engagement.draw(turn, value)
    if (kind === 'survey' && value) return engagement.scoreSurvey(turn, value)
    if (kind === 'slip' && value) return campaigns.sendSlippingWinBack(turn, value)
    if (kind === 'bc-seg' && value) return campaigns.chooseSegment(turn, value)
    if (kind.startsWith('bc-')) return campaigns.broadcastAction(turn, kind)
    if (kind === 'confirm') {
      const dialog = turn.session.dialog
      if (!dialog || !('nonce' in dialog) || dialog.nonce !== value)
        return [{ text: t(turn.locale, 'redeem.stale') }]
      if (dialog.kind === 'redeem') return member.confirmRedemption(turn, dialog)
      if (dialog.kind === 'adjust') return admin.confirmAdjust(turn, dialog)
      if (dialog.kind === 'review') return admin.confirmReview(turn, dialog)
      if (dialog.kind === 'broadcast') return campaigns.confirmBroadcast(turn, dialog)
      if (dialog.kind === 'erase') return privacy.confirmErase(turn, dialog)
      return admin.useCoupon(turn, dialog)
    }
    return [{ text: t(turn.locale, 'fallback') }]
  }

  function errorReply(locale: Locale, error: unknown): Reply[] {
    if (error instanceof member.NotMember) return [{ text: t(locale, 'register.needed') }]
    if (!isDomainError(error)) return [{ text: t(locale, 'error.generic') }]
    // Every code has its words: a code without them in the catalogue does not compile.
    const key: MessageKey = `error.${error.code}`
    const render = t as (l: Locale, k: MessageKey, p?: unknown) => string
    return [{ text: render(locale, key, error.details ?? {}) }]
  }

  /** Stamps the language on the replies and, where people type words, names words in them. */
  function finish(inbound: Inbound, locale: Locale, replies: Reply[]): Reply[] {
    return replies.map((reply) => ({
      ...reply,
      text: inbound.commands === 'words' ? withCommandWords(reply.text, locale) : reply.text,
      locale,
    }))
  }

  return {
    async reachable(channel, userId, reachable) {
      try {
        await domain.members.setReachable(channel, userId, reachable)
        logger.info(
          { channel, reachable },
          reachable ? 'a member unblocked the bot' : 'a member blocked the bot',
        )
      } catch (err) {
        logger.error({ err, channel }, 'could not record that a member blocked the bot')
      }
    },
    async handle(inbound) {
      let locale: Locale = normalizeLocale(inbound.languageCode, 'zh-CN')
      // Before any database work, so that a flood costs nothing; per user, so nobody else waits.
      const flood = floodGuard.check(`${inbound.channel}:${inbound.userId}`)
      if (flood === 'ignore') return []
      try {
        if (inbound.updateKey) {
          const key = `${inbound.channel}:${inbound.updateKey}`
          const first = readOnly(inbound)
            ? recentUpdates.claim(key)
            : await domain.chat.claimUpdate(inbound.channel, inbound.updateKey)
          if (!first) return []
        }
        const { config: programme } = await domain.programme.current()
        const session = (await domain.chat.getState<Session>(inbound.channel, inbound.userId)) ?? {}
        const sessionBefore = JSON.stringify(session)
        const found = await domain.members.findByRef(
          domain.deps.store.db,
          member.identityOf({ inbound } as Turn),
        )
        locale =
          (found?.locale as Locale | undefined) ??
          session.locale ??
          normalizeLocale(inbound.languageCode, programme.defaultLocale)
        if (flood === 'warn') {
          logger.warn({ channel: inbound.channel }, 'a user floods the bot: ignored for a while')
          return finish(inbound, locale, [{ text: t(locale, 'flood.slowDown') }])
        }
        const turn: Turn = { inbound, session, member: found, locale, programme, deps }
        let replies: Reply[]
        try {
          replies = await route(turn)
        } catch (error) {
          if (!isDomainError(error) && !(error instanceof member.NotMember)) throw error
          replies = errorReply(turn.locale, error)
        }
        replies = numberChoices(session, replies)
        if (!turn.forget && JSON.stringify(session) !== sessionBefore)
          await domain.chat.setState(inbound.channel, inbound.userId, session)
        return finish(inbound, turn.locale, replies)
      } catch (error) {
        logger.error({ err: error, channel: inbound.channel }, 'conversation failed')
        return finish(inbound, locale, errorReply(locale, error))
      }
    },
  }
}
