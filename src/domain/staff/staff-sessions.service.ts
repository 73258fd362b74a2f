import { randomBytes } from 'node:crypto'
import { DomainError } from '../../shared/errors.ts'
import { sha256Hex } from '../../shared/ids.ts'
import type { DomainDeps } from '../context.ts'
import { type InitDataCheck, telegramUserOf } from '../miniapp-auth/telegram-init-data.ts'
import type { StaffRole } from './staff.service.ts'

/** The prefix that tells a staff session from an API key (`jf_`) in `Authorization: Bearer`. */
export const STAFF_SESSION_PREFIX = 'jfs_'

/** How long a console session lives: without a request (sliding), and at most. */
export interface StaffSessionLifetimes {
  idleSeconds: number
  maxSeconds: number
}

/**
 * By default a console left alone for half an hour signs out and an open one lasts a working
 * day at most (CONSOLE_SESSION_IDLE_SECONDS, CONSOLE_SESSION_MAX_SECONDS). A login link is typed
 * or clicked within minutes of being asked for, so five is plenty.
 */
export const DEFAULT_STAFF_SESSION_LIFETIMES: StaffSessionLifetimes = {
  idleSeconds: 30 * 60,
  maxSeconds: 12 * 60 * 60,
}
export const CONSOLE_LINK_TTL_SECONDS = 5 * 60
// Moving the idle deadline on every request would turn each read into a write.
const TOUCH_INTERVAL_MS = 60_000

/** Where the console page is served, under the server's public address. */
export const CONSOLE_PATH = '/miniapp/console/'

/**
 * The page with a login code in its fragment: a fragment is not sent to the server, so the code
 * stays out of access logs, and the page takes it out of the address bar once read.
 */
export function consoleLoginUrl(publicUrl: string, code: string): string {
  return `${publicUrl}${CONSOLE_PATH}#code=${code}`
}

/** Who a staff session belongs to, read from the staff records at the moment of asking. */
export interface StaffPrincipal {
  staffId: string
  name: string
  role: StaffRole
}

export interface StaffSession extends StaffPrincipal {
  token: string
  expiresAt: string
}

function unauthorized(message: string): DomainError {
  return new DomainError('unauthorized', message)
}

const plusSeconds = (at: Date, seconds: number) => new Date(at.getTime() + seconds * 1000)

/**
 * The console's credential. The token is random and only its hash is stored; the role is never
 * in the token or the session row, so that a demotion or a revocation counts on the next request.
 */
export class StaffSessionsService {
  constructor(
    private readonly deps: DomainDeps,
    private readonly options: InitDataCheck,
    private readonly lifetimes: StaffSessionLifetimes = DEFAULT_STAFF_SESSION_LIFETIMES,
  ) {}

  /** A session for the staff member whose Telegram account signed the Mini App's initData. */
  async openFromTelegram(initData: string): Promise<StaffSession> {
    const user = telegramUserOf(initData, this.options, this.deps.clock.now())
    const staff = await this.deps.store.db
      .selectFrom('staff')
      .select('id')
      .where('channel', '=', 'telegram')
      .where('externalId', '=', String(user.id))
      .executeTakeFirst()
    // Not a refusal of a role but of the credential: this account identifies no staff member.
    if (!staff) throw unauthorized('this Telegram account is not on the staff')
    return this.open(staff.id, 'telegram')
  }

  /** A one-time login code for a browser, valid a few minutes; shown once, stored hashed. */
  async createLink(staffId: string): Promise<{ code: string; expiresAt: string }> {
    const code = randomBytes(18).toString('base64url')
    const now = this.deps.clock.now()
    const expiresAt = plusSeconds(now, CONSOLE_LINK_TTL_SECONDS).toISOString()
    await this.deps.store.db
      .insertInto('consoleLinks')
      .values({
        codeHash: sha256Hex(code),
        staffId,
        createdAt: now.toISOString(),
        expiresAt,
        usedAt: null,
      })
      .execute()
    return { code, expiresAt }
  }

  /** Exchanges a login code for a session, once: a second exchange, even at once, is refused. */
  async openFromLink(code: string): Promise<StaffSession> {
    const now = this.deps.clock.now().toISOString()
    const claimed = await this.deps.store.db
      .updateTable('consoleLinks')
      .set({ usedAt: now })
      .where('codeHash', '=', sha256Hex(code))
      .where('usedAt', 'is', null)
      .where('expiresAt', '>', now)
      .returning('staffId')
      .executeTakeFirst()
    if (!claimed)
      throw unauthorized(
        'this login link was already used or has expired; ask the bot for a new one',
      )
    return this.open(claimed.staffId, 'link')
  }

  /**
   * The staff member behind a live session, with their role as the staff records say now;
   * `unauthorized` for an unknown, ended, idle or expired session or a revoked staff member.
   */
  async principalOf(token: string): Promise<StaffPrincipal> {
    const now = this.deps.clock.now()
    const row = await this.deps.store.db
      .selectFrom('staffSessions')
      .innerJoin('staff', 'staff.id', 'staffSessions.staffId')
      .select([
        'staffSessions.tokenHash',
        'staffSessions.lastSeenAt',
        'staffSessions.expiresAt',
        'staffSessions.endedAt',
        'staff.id',
        'staff.role',
        'staff.displayName',
        'staff.channel',
        'staff.externalId',
      ])
      .where('staffSessions.tokenHash', '=', sha256Hex(token))
      .executeTakeFirst()
    if (!row || row.endedAt) throw unauthorized('this console session has ended; sign in again')
    const lastSeen = new Date(row.lastSeenAt)
    if (new Date(row.expiresAt) <= now || plusSeconds(lastSeen, this.lifetimes.idleSeconds) <= now)
      throw unauthorized('this console session has expired; sign in again')
    if (now.getTime() - lastSeen.getTime() > TOUCH_INTERVAL_MS) {
      await this.deps.store.db
        .updateTable('staffSessions')
        .set({ lastSeenAt: now.toISOString() })
        .where('tokenHash', '=', row.tokenHash)
        .execute()
    }
    return {
      staffId: row.id,
      name: row.displayName ?? `${row.channel}:${row.externalId}`,
      role: row.role as StaffRole,
    }
  }

  /** Ends one session; ending an ended or unknown one is not an error. */
  async end(token: string): Promise<void> {
    await this.deps.store.db
      .updateTable('staffSessions')
      .set({ endedAt: this.deps.clock.now().toISOString() })
      .where('tokenHash', '=', sha256Hex(token))
      .where('endedAt', 'is', null)
      .execute()
  }

  private async open(staffId: string, openedBy: 'telegram' | 'link'): Promise<StaffSession> {
    const token = `${STAFF_SESSION_PREFIX}${randomBytes(24).toString('base64url')}`
    const now = this.deps.clock.now()
    const expiresAt = plusSeconds(now, this.lifetimes.maxSeconds).toISOString()
    await this.deps.store.db
      .insertInto('staffSessions')
      .values({
        tokenHash: sha256Hex(token),
        staffId,
        openedBy,
        createdAt: now.toISOString(),
        lastSeenAt: now.toISOString(),
        expiresAt,
        endedAt: null,
      })
      .execute()
    return { token, expiresAt, ...(await this.principalOf(token)) }
  }
}
