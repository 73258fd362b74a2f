import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { DomainError } from '../../shared/errors.ts'
import { sha256Hex } from '../../shared/ids.ts'
import type { DomainDeps } from '../context.ts'
import type { MembersService } from '../members/members.service.ts'
import type { OfficialAccountLogin } from '../ports.ts'
import { telegramUserOf } from './telegram-init-data.ts'

export interface MiniappAuthOptions {
  /** The Telegram bot token; without it, Telegram sign-in is refused. */
  telegramBotToken?: string
  initDataMaxAgeSeconds: number
  sessionTtlSeconds: number
  linkTtlSeconds: number
  /** The Official Account's web login; without it, that sign-in is refused. */
  officialAccountLogin?: OfficialAccountLogin
}

export interface MiniappSession {
  token: string
  expiresAt: string
  memberId: string
}

const SECRET_NAME = 'miniapp-signing-key'

function unauthorized(message: string): DomainError {
  return new DomainError('unauthorized', message)
}

/**
 * Who is looking at the mini-app. Telegram proves it with signed initData; WeChat with a
 * one-time, expiring link the bot sends; the Official Account with the code of its web login,
 * which WeChat exchanges for the follower's openid once. Either is exchanged for a short-lived session token
 * (signed, stateless: member id and expiry under an HMAC with a key kept in the database).
 */
export class MiniappAuthService {
  private key: Buffer | undefined

  constructor(
    private readonly deps: DomainDeps,
    private readonly members: MembersService,
    private readonly options: MiniappAuthOptions,
  ) {}

  async sessionFromTelegram(initData: string): Promise<MiniappSession> {
    const user = telegramUserOf(initData, this.options, this.deps.clock.now())
    const member = await this.members.findByRef(this.deps.store.db, {
      telegramId: String(user.id),
    })
    if (!member)
      throw new DomainError('member_not_found', 'join the programme in the bot first (/start)')
    return this.issue(member.id)
  }

  /** The member page opened from the Official Account's menu, through its web login. */
  async sessionFromOfficialAccount(code: string): Promise<MiniappSession> {
    const login = this.options.officialAccountLogin
    if (!login) throw unauthorized('the Official Account is not set up on this server')
    const openid = await login.openidOf(code)
    if (!openid)
      throw unauthorized(
        'WeChat refused this sign-in code (wrong, expired or used before); open the page from the account’s menu again',
      )
    const member = await this.members.findByRef(this.deps.store.db, { officialOpenId: openid })
    if (!member)
      throw new DomainError(
        'member_not_found',
        'join the programme in the Official Account first (注册)',
      )
    return this.issue(member.id)
  }

  /** A link for WeChat: `<id>.<signature>`, usable once, before it expires. */
  async createLink(memberId: string): Promise<{ token: string; expiresAt: string }> {
    const id = randomBytes(18).toString('base64url')
    const now = this.deps.clock.now()
    const expiresAt = new Date(now.getTime() + this.options.linkTtlSeconds * 1000).toISOString()
    await this.deps.store.db
      .insertInto('miniappLinks')
      .values({
        idHash: sha256Hex(id),
        memberId,
        createdAt: now.toISOString(),
        expiresAt,
        usedAt: null,
      })
      .execute()
    return { token: `${id}.${await this.sign(`link:${id}`)}`, expiresAt }
  }

  async sessionFromLink(token: string): Promise<MiniappSession> {
    const [id = '', signature = ''] = token.split('.')
    if (!id || !(await this.verify(`link:${id}`, signature)))
      throw unauthorized('this link is not valid')
    const now = this.deps.clock.now().toISOString()
    const claimed = await this.deps.store.db
      .updateTable('miniappLinks')
      .set({ usedAt: now })
      .where('idHash', '=', sha256Hex(id))
      .where('usedAt', 'is', null)
      .where('expiresAt', '>', now)
      .returning('memberId')
      .executeTakeFirst()
    if (!claimed)
      throw unauthorized('this link was already used or has expired; ask the bot for a new one')
    return this.issue(claimed.memberId)
  }

  /** The member a session token belongs to; `unauthorized` when tampered with or expired. */
  async memberOf(token: string): Promise<string> {
    const [payload = '', signature = ''] = token.split('.')
    if (!payload || !(await this.verify(`session:${payload}`, signature)))
      throw unauthorized('session is not valid')
    const [memberId, expires] = Buffer.from(payload, 'base64url').toString('utf8').split('|')
    if (!memberId || !(Number(expires) > this.deps.clock.now().getTime()))
      throw unauthorized('session expired; reopen the mini-app')
    // A member who erased their data has no page left, even with a session still running.
    const member = await this.deps.store.db
      .selectFrom('members')
      .select('status')
      .where('id', '=', memberId)
      .executeTakeFirst()
    if (member?.status === 'erased') throw unauthorized('this membership was closed')
    return memberId
  }

  private async issue(memberId: string): Promise<MiniappSession> {
    const expires = this.deps.clock.now().getTime() + this.options.sessionTtlSeconds * 1000
    const payload = Buffer.from(`${memberId}|${expires}`).toString('base64url')
    return {
      token: `${payload}.${await this.sign(`session:${payload}`)}`,
      expiresAt: new Date(expires).toISOString(),
      memberId,
    }
  }

  private async sign(message: string): Promise<string> {
    return createHmac('sha256', await this.signingKey())
      .update(message)
      .digest('base64url')
  }

  private async verify(message: string, signature: string): Promise<boolean> {
    const expected = Buffer.from(await this.sign(message))
    const given = Buffer.from(signature)
    return expected.length === given.length && timingSafeEqual(expected, given)
  }

  /** Made once per deployment and shared by its processes through the database. */
  private async signingKey(): Promise<Buffer> {
    if (this.key) return this.key
    const { db } = this.deps.store
    await db
      .insertInto('serverSecrets')
      .values({
        name: SECRET_NAME,
        value: randomBytes(32).toString('base64'),
        createdAt: this.deps.clock.now().toISOString(),
      })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute()
    const row = await db
      .selectFrom('serverSecrets')
      .select('value')
      .where('name', '=', SECRET_NAME)
      .executeTakeFirstOrThrow()
    this.key = Buffer.from(row.value, 'base64')
    return this.key
  }
}
