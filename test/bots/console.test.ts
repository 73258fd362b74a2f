import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import pino from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { runConsoleChat } from '../../src/bots/console/console-chat.ts'
import { createConversation } from '../../src/bots/core/conversation.ts'
import { databases } from '../helpers/db.ts'
import { createFixture } from '../helpers/domain.ts'

describe('the terminal chat', () => {
  it('runs the same conversation: joining by numbered choices, then points', async () => {
    const fixture = await createFixture(databases[0]!)
    const input = new PassThrough()
    const output = new PassThrough()
    let transcript = ''
    output.on('data', (chunk) => (transcript += chunk))
    const done = runConsoleChat({
      conversation: createConversation({
        domain: fixture.domain,
        logger: pino({ level: 'silent' }),
      }),
      input,
      output,
      userId: 'tester',
      displayName: 'Tester',
      languageCode: 'en',
    })
    input.end(['/start', '1', '3', '/points', '/quit'].join('\n'))
    await done
    expect(transcript).toContain('  1) Agree and join')
    expect(transcript).toContain('Welcome, Tester! You are Member')
    expect(transcript).toContain('Points: 0')
    expect((await fixture.domain.members.get({ externalId: 'console:tester' })).displayName).toBe(
      'Tester',
    )
    await fixture.store.cleanup()
  })

  const dir = mkdtempSync(join(tmpdir(), 'jifen-chat-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('npm run chat -- --admin opens it as the merchant on the configured database', async () => {
    const child = execFile(
      'node',
      ['--import', 'tsx', 'src/cli/chat.ts', '--admin', '--lang', 'en'],
      {
        env: { ...process.env, DATABASE_URL: `file:${join(dir, 'chat.db')}` },
      },
    )
    let out = ''
    child.stdout!.on('data', (chunk) => (out += chunk))
    child.stdin!.end('/stats\n')
    const code = await new Promise((resolve) => child.on('exit', resolve))
    expect(code).toBe(0)
    expect(out).toContain('Members: 0')
  })

  it('npm run chat -- --user never opens as the owner the identity an earlier --admin run made', async () => {
    const env = { ...process.env, DATABASE_URL: `file:${join(dir, 'owner-leak.db')}` }
    const chat = async (args: string[], stdin: string) => {
      const child = execFile('node', ['--import', 'tsx', 'src/cli/chat.ts', ...args], { env })
      let out = ''
      let err = ''
      child.stdout!.on('data', (chunk) => (out += chunk))
      child.stderr!.on('data', (chunk) => (err += chunk))
      child.stdin!.end(stdin)
      const code = await new Promise((resolve) => child.on('exit', resolve))
      return { code, out, err }
    }
    const owner = await chat(['--admin', '--user', 'alice', '--lang', 'en'], '/stats\n')
    expect(owner.out).toContain('Members: 0')
    const member = await chat(['--user', 'admin-alice', '--lang', 'en'], '/stats\n')
    expect(member.out).not.toContain('Members:')
    expect(member.code).not.toBe(0)
    expect(member.err).toContain('--admin')
  })
})
