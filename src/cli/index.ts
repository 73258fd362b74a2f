import { createWriteStream, readFileSync } from 'node:fs'
import { once } from 'node:events'
import { Command, InvalidArgumentError } from 'commander'
import { createDb } from '../../db/client.ts'
import { OfficialAccountApi } from '../bots/wechat-official/api.ts'
import { setOfficialMenu } from '../bots/wechat-official/menu.ts'
import { WECHAT_OFFICIAL_LOGIN_PATH } from '../api/routes/wechat-official.ts'
import { SOURCE_KINDS, type SourceKind } from '../domain/channel-sources/channel-sources.ts'
import { ConfigError, loadConfig, officialAccountOf } from '../config.ts'
import { EXPORT_KINDS, exportFilterSchema } from '../domain/customer-data/export.service.ts'
import type { ImportReport } from '../domain/customer-data/member-import.service.ts'
import { createDomain } from '../domain/index.ts'
import {
  API_KEY_ROLES,
  type ApiKeyRole,
  STAFF_ROLES,
  type StaffRole,
} from '../domain/staff/staff.service.ts'
import { consoleLoginUrl } from '../domain/staff/staff-sessions.service.ts'
import { systemClock } from '../shared/clock.ts'
import { importProgress } from './progress.ts'

function oneOf<T extends string>(allowed: readonly T[]) {
  return (value: string): T => {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}`)
    }
    return value as T
  }
}

/** Opens the configured database, migrated and seeded, runs `fn`, and always closes it. */
async function withDomain<T>(
  fn: (domain: ReturnType<typeof createDomain>) => Promise<T>,
): Promise<T> {
  const config = loadConfig()
  const store = createDb(config.DATABASE_URL)
  try {
    await store.migrate()
    const domain = createDomain({ store, clock: systemClock })
    await domain.programme.ensureSeeded()
    return await fn(domain)
  } finally {
    await store.close()
  }
}

const program = new Command()
  .name('jifen')
  .description(
    'Jifen administration: database, API keys, admin invites, backups, CSV import/export',
  )
  .showHelpAfterError()

program
  .command('migrate')
  .description('create or upgrade the database schema (DATABASE_URL)')
  .action(async () => {
    const config = loadConfig()
    const store = createDb(config.DATABASE_URL)
    try {
      const result = await store.migrate()
      const applied = result.results?.map((r) => r.migrationName) ?? []
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date')
    } finally {
      await store.close()
    }
  })

const apikey = program.command('apikey').description('API keys for shop systems and tills')
apikey
  .command('create <name>')
  .description('create an API key; it is printed once and only its hash is stored')
  .option(
    '--role <role>',
    `${API_KEY_ROLES.join(' or ')}: pos records orders and serves the counter, admin also runs the programme`,
    oneOf(API_KEY_ROLES),
    'admin' as ApiKeyRole,
  )
  .action(async (name: string, options: { role: ApiKeyRole }) => {
    await withDomain(async (domain) => {
      const { key, record } = await domain.staff.createApiKey(name, options.role)
      console.log(`API key "${record.name}" (${record.role}), id ${record.id}`)
      console.log('')
      console.log(`  ${key}`)
      console.log('')
      console.log('Store it now: it cannot be shown again. Send it as  Authorization: Bearer <key>')
    })
  })
apikey
  .command('revoke <id>')
  .description('revoke an API key by its id')
  .action(async (id: string) => {
    await withDomain(async (domain) => {
      await domain.staff.revokeApiKey(id)
      console.log(`revoked ${id}`)
    })
  })

program
  .command('admin')
  .description('merchant admins and staff in the chat bots')
  .command('invite')
  .description('print a one-time code; whoever sends "/admin <code>" to a bot gets the role')
  .option('--role <role>', STAFF_ROLES.join(', '), oneOf(STAFF_ROLES), 'owner' as StaffRole)
  .action(async (options: { role: StaffRole }) => {
    await withDomain(async (domain) => {
      const { code, expiresAt } = await domain.staff.createInvite(options.role)
      console.log(`One-time ${options.role} code, valid until ${expiresAt}:`)
      console.log('')
      console.log(`  ${code}`)
      console.log('')
      console.log(`Send "/admin ${code}" to the Telegram bot (or "管理员 ${code}" on WeChat).`)
    })
  })

program
  .command('console-link <staff>')
  .description(
    'print a one-time sign-in link to the merchant console for a staff member (name or id)',
  )
  .action(async (who: string) => {
    const publicUrl = loadConfig().PUBLIC_URL
    if (!publicUrl) throw new Error('set PUBLIC_URL: the link opens the console on this server')
    await withDomain(async (domain) => {
      const staff = await domain.staff.find(who)
      const { code, expiresAt } = await domain.staffSessions.createLink(staff.id)
      console.log(`Console sign-in for ${staff.displayName ?? staff.id} (${staff.role}):`)
      console.log('')
      console.log(`  ${consoleLoginUrl(publicUrl, code)}`)
      console.log('')
      console.log(`It works once, until ${expiresAt}. Open it in a browser; do not forward it.`)
    })
  })

program
  .command('backup <file>')
  .description('online backup of the SQLite database to <file>, safe while the server runs')
  .action(async (file: string) => {
    const config = loadConfig()
    const store = createDb(config.DATABASE_URL)
    try {
      await store.backup(file)
      console.log(`backed up to ${file}`)
    } finally {
      await store.close()
    }
  })

function printReport(report: ImportReport): void {
  const mode = report.dryRun ? 'dry run, nothing written: ' : ''
  console.log(
    `${mode}${report.rows} rows: ${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged, ${report.failed} not imported`,
  )
  for (const issue of report.errors) console.log(`  line ${issue.line}: ${issue.message}`)
  for (const note of report.warnings) console.log(`  line ${note.line} (note): ${note.message}`)
}

program
  .command('import <file>')
  .description('import members from a CSV file (columns in the README); bad rows are reported')
  .option('--dry-run', 'report what would happen without writing anything')
  .option('--skip-existing', 'leave members that already exist as they are')
  .action(async (file: string, options: { dryRun?: boolean; skipExisting?: boolean }) => {
    const bytes = readFileSync(file)
    await withDomain(async (domain) => {
      // On stderr, so that the report on stdout can still be piped or redirected alone.
      const progress = importProgress(process.stderr)
      const report = await domain.memberImport.importMembers(bytes, {
        dryRun: options.dryRun,
        onExisting: options.skipExisting ? 'skip' : 'update',
        actor: 'cli',
        onProgress: (p) => progress.update(p),
      })
      progress.end()
      printReport(report)
      if (report.failed > 0) process.exitCode = 2
    })
  })

program
  .command('export <kind>')
  .description(`export ${EXPORT_KINDS.join(', ')} as CSV (UTF-8 with BOM, opens in Excel)`)
  .option('--out <file>', 'write to this file instead of standard output')
  .option('--from <instant>', 'ledger entries or orders at or after (ISO 8601)')
  .option('--to <instant>', 'ledger entries or orders before (ISO 8601)')
  .action(async (kind: string, options: { out?: string; from?: string; to?: string }) => {
    const valid = oneOf(EXPORT_KINDS)(kind)
    const filter = exportFilterSchema.safeParse({ from: options.from, to: options.to })
    if (!filter.success) throw new InvalidArgumentError('--from and --to are ISO 8601 instants')
    await withDomain(async (domain) => {
      const out = options.out ? createWriteStream(options.out, { mode: 0o600 }) : process.stdout
      let rows = -1
      for await (const chunk of domain.exports.export(valid, filter.data)) {
        rows += chunk.split('\r\n').length - 1
        if (!out.write(chunk)) await once(out, 'drain')
      }
      if (options.out) {
        out.end()
        await once(out, 'finish')
        console.log(`${rows} ${kind} rows written to ${options.out}`)
      }
    })
  })

const wechat = program.command('wechat').description('the WeChat Official Account (公众号)')
wechat
  .command('menu')
  .description('set the account’s menu (会员中心, 签到, 我的积分) in the programme’s language')
  .action(async () => {
    const settings = loadConfig()
    const account = officialAccountOf(settings)
    if (!account)
      throw new ConfigError('set WECHAT_OA_APP_ID, WECHAT_OA_APP_SECRET and WECHAT_OA_TOKEN first')
    await withDomain(async (domain) => {
      const { config } = await domain.programme.current()
      const api = new OfficialAccountApi({ ...account, tokens: domain.platformTokens })
      const names = await setOfficialMenu(
        api,
        config.defaultLocale,
        settings.PUBLIC_URL ? `${settings.PUBLIC_URL}${WECHAT_OFFICIAL_LOGIN_PATH}` : undefined,
      )
      console.log(`menu set: ${names.join(', ')}`)
    })
  })
wechat
  .command('qr <source>')
  .description('name a source (a store, a poster, a staff member) and make its channel QR code')
  .option('--kind <kind>', SOURCE_KINDS.join(', '), oneOf(SOURCE_KINDS), 'other' as SourceKind)
  .action(async (source: string, options: { kind: SourceKind }) => {
    const account = officialAccountOf(loadConfig())
    if (!account)
      throw new ConfigError('set WECHAT_OA_APP_ID, WECHAT_OA_APP_SECRET and WECHAT_OA_TOKEN first')
    await withDomain(async (domain) => {
      const api = new OfficialAccountApi({ ...account, tokens: domain.platformTokens })
      const created = await domain.channelSources.create(
        { name: source, kind: options.kind },
        'cli',
        { create: (scene) => api.createQrCode(scene) },
      )
      console.log(`channel QR code for ${created.name} (${created.kind}), scene ${created.scene}`)
      console.log(`encodes: ${created.qrUrl}`)
      console.log(`picture: ${created.imageUrl}`)
    })
  })

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error)
  process.exit(1)
})
