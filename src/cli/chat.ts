import { Command, InvalidArgumentError } from 'commander'
import pino from 'pino'
import { createDb } from '../../db/client.ts'
import { createConversation } from '../bots/core/conversation.ts'
import { consoleUserId, runConsoleChat } from '../bots/console/console-chat.ts'
import { loadConfig } from '../config.ts'
import { createDomain } from '../domain/index.ts'
import { systemClock } from '../shared/clock.ts'

const program = new Command()
  .name('npm run chat --')
  .description('talk to the programme in the terminal, as a member or as the merchant')
  .option('--admin', 'chat as the merchant owner (admin commands)')
  .option(
    '--user <id>',
    'who you are: each id is its own member',
    (value: string) => {
      try {
        consoleUserId(value, false)
      } catch (error) {
        throw new InvalidArgumentError((error as Error).message)
      }
      return value
    },
    'me',
  )
  .option('--lang <lang>', 'zh-CN or en', (value: string) => {
    if (!['zh-CN', 'en'].includes(value)) throw new InvalidArgumentError('zh-CN or en')
    return value
  })
  .parse()

const options = program.opts<{ admin?: boolean; user: string; lang?: string }>()
const config = loadConfig()
const store = createDb(config.DATABASE_URL)
try {
  await store.migrate()
  const domain = createDomain({ store, clock: systemClock })
  await domain.programme.ensureSeeded()
  const userId = consoleUserId(options.user, options.admin === true)
  if (options.admin && !(await domain.staff.roleOf('console', userId))) {
    const { code } = await domain.staff.createInvite('owner')
    await domain.staff.acceptInvite(code, 'console', userId, 'Console owner')
  }
  const conversation = createConversation({
    domain,
    logger: pino({ level: 'warn' }, pino.destination(2)),
    publicUrl: config.PUBLIC_URL,
  })
  await runConsoleChat({
    conversation,
    input: process.stdin,
    output: process.stdout,
    userId,
    displayName: options.admin ? 'Owner' : options.user,
    languageCode: options.lang,
  })
} finally {
  await store.close()
}
