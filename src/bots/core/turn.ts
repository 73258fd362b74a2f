import type { Logger } from 'pino'
import type { MemberRow } from '../../domain/ledger/ledger.repository.ts'
import type { Domain } from '../../domain/index.ts'
import type { Locale, Programme } from '../../domain/programme/programme.ts'
import type { Choice } from './choices.ts'
import type { FloodGuard } from './flood-guard.ts'
import type { Inbound, Reply } from './messages.ts'

/** A multi-step dialog in progress, kept in the database between messages. */
export type Dialog =
  | {
      kind: 'register'
      step: 'invite' | 'privacy' | 'marketing' | 'phone' | 'birthday'
      referrerCode?: string
      inviteCode?: string
      marketingConsent?: boolean
      phone?: string
    }
  | { kind: 'redeem'; rewardId: string; nonce: string }
  | {
      kind: 'adjust'
      step: 'member' | 'points' | 'reason' | 'confirm'
      nonce: string
      memberId?: string
      points?: number
      reason?: string
    }
  | { kind: 'verify'; code: string; nonce: string }
  | { kind: 'review'; pendingId: string; decision: 'approve' | 'reject'; nonce: string }
  | { kind: 'erase'; nonce: string }
  | { kind: 'survey-comment'; surveyId: string; orderId?: string }
  | {
      kind: 'broadcast'
      step: 'segment' | 'text' | 'image' | 'button' | 'cost' | 'when' | 'time' | 'confirm'
      nonce: string
      segmentName?: string
      filter?: Record<string, unknown>
      size?: number
      message?: string
      imageUrl?: string
      button?: { label: string; url: string }
      /** The label of a button to the member's page, whose visits count as opens. */
      miniappButton?: string
      /** Minor units. */
      cost?: number
      sendAt?: string
      sendAtLocal?: string
    }

export interface Session {
  /** Chosen with /lang before joining; a member's own locale wins after. */
  locale?: Locale
  dialog?: Dialog
  /** The numbered buttons of the last offer, so that a number sent back can stand for one. */
  offer?: Choice[]
  /** Numbers of the offer before it: sent now, they answer that the choice has expired. */
  expiredChoices?: number[]
}

export interface ConversationDeps {
  domain: Domain
  logger: Logger
  /** Public https address of the server, for links to the mini-app. */
  publicUrl?: string
  /** Tells a flood from a conversation; one with FLOOD_DEFAULTS on the process's clock otherwise. */
  floodGuard?: FloodGuard
}

/** Everything a handler needs about the message it is answering. */
export interface Turn {
  inbound: Inbound
  session: Session
  member: MemberRow | undefined
  locale: Locale
  programme: Programme
  deps: ConversationDeps
  /** Set once the member erased their data: the chat's state is not written back. */
  forget?: boolean
}

export type Handler = (turn: Turn, args: string) => Promise<Reply[]>
