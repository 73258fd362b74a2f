import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { createDb } from '../db/client.ts'
import { createDomain } from '../src/domain/index.ts'
import { systemClock } from '../src/shared/clock.ts'
import { FakeWechatOfficial } from './helpers/fake-wechat-official.ts'
import { OFFICIAL_ACCOUNT } from './helpers/wechat-official.ts'

const run = promisify(execFile)
const dir = mkdtempSync(join(tmpdir(), 'jifen-cli-'))
const env = { ...process.env, DATABASE_URL: `file:${join(dir, 'cli.db')}` }
const jifen = (...args: string[]) => run('node', ['bin/jifen.js', ...args], { env })

/** The environment of a server with the test Official Account, its API faked at `wechat`. */
const officialAccountEnv = (wechat: FakeWechatOfficial) => ({
  ...env,
  WECHAT_OA_APP_ID: OFFICIAL_ACCOUNT.appId,
  WECHAT_OA_APP_SECRET: OFFICIAL_ACCOUNT.appSecret,
  WECHAT_OA_TOKEN: OFFICIAL_ACCOUNT.token,
  WECHAT_OA_API_ROOT: wechat.url,
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('the jifen CLI', () => {
  it('migrates a new database, then says it is up to date', async () => {
    expect((await jifen('migrate')).stdout).toContain('applied: 0001-init')
    expect((await jifen('migrate')).stdout).toContain('up to date')
  })

  it('prints an API key once and stores only its hash', async () => {
    const { stdout } = await jifen('apikey', 'create', 'web shop', '--role', 'pos')
    const key = /\b(jf_[\w-]{32})(?![\w-])/.exec(stdout)![1]!
    const store = createDb(env.DATABASE_URL)
    try {
      const rows = await store.db.selectFrom('apiKeys').selectAll().execute()
      expect(JSON.stringify(rows)).not.toContain(key)
      const record = await createDomain({ store, clock: systemClock }).staff.authenticateApiKey(key)
      expect(record).toMatchObject({ name: 'web shop', role: 'pos' })
    } finally {
      await store.close()
    }
  })

  it('runs compiled with plain node too (dist/server/cli.js, what a production install runs)', async () => {
    const compiled = { ...process.env, DATABASE_URL: `file:${join(dir, 'compiled.db')}` }
    const cli = (...args: string[]) =>
      run('node', ['dist/server/cli.js', ...args], { env: compiled })
    expect((await cli('migrate')).stdout).toContain('applied: 0001-init')
    expect((await cli('apikey', 'create', 'till')).stdout).toMatch(/\bjf_[\w-]{32}/)
  })

  it('prints a one-time admin code that works exactly once', async () => {
    const { stdout } = await jifen('admin', 'invite', '--role', 'manager')
    const code = /(ADM-[\w]{4}-[\w]{4}-[\w]{4})/.exec(stdout)![1]!
    const store = createDb(env.DATABASE_URL)
    try {
      const { staff } = createDomain({ store, clock: systemClock })
      await staff.acceptInvite(code, 'telegram', '42', 'Ann')
      expect(await staff.roleOf('telegram', '42')).toBe('manager')
      await expect(staff.acceptInvite(code, 'telegram', '43', 'Bob')).rejects.toMatchObject({
        code: 'invite_invalid',
      })
    } finally {
      await store.close()
    }
  })

  it('prints a one-time console sign-in link for a staff member named by name', async () => {
    const withUrl = { env: { ...env, PUBLIC_URL: 'https://shop.example' } }
    const { stdout } = await run('node', ['bin/jifen.js', 'console-link', 'Ann'], withUrl)
    expect(stdout).toContain('Console sign-in for Ann (manager)')
    const code = /https:\/\/shop\.example\/miniapp\/console\/#code=([\w-]+)/.exec(stdout)![1]!
    const store = createDb(env.DATABASE_URL)
    try {
      const { staffSessions } = createDomain({ store, clock: systemClock })
      expect(await staffSessions.openFromLink(code)).toMatchObject({ name: 'Ann', role: 'manager' })
      await expect(staffSessions.openFromLink(code)).rejects.toMatchObject({ code: 'unauthorized' })
    } finally {
      await store.close()
    }
    const unknown = await run('node', ['bin/jifen.js', 'console-link', 'Nobody'], withUrl).catch(
      (e: { stderr: string }) => e,
    )
    expect(unknown.stderr).toContain('no such staff member')
  })

  it('backs up the SQLite database to a file', async () => {
    const target = join(dir, 'backup', 'copy.db')
    await jifen('backup', target)
    expect(statSync(target).size).toBeGreaterThan(0)
    const copy = createDb(`file:${target}`)
    try {
      expect(await copy.db.selectFrom('apiKeys').select('name').execute()).toEqual([
        { name: 'web shop' },
      ])
    } finally {
      await copy.close()
    }
  })

  it('imports members from a CSV file, naming the bad line, and exports them again', async () => {
    const file = join(dir, 'members.csv')
    writeFileSync(file, '\ufeff姓名,手机号,积分\r\n王小明,13800138000,100\r\n李四,12345,\r\n')
    const dry = await jifen('import', file, '--dry-run').catch((e: { stdout: string }) => e)
    expect(dry.stdout).toContain('dry run, nothing written: 2 rows: 1 created')
    expect(dry.stdout).toContain('line 3: phone: "12345" is not a valid phone number')
    const real = await jifen('import', file).catch(
      (e: { stdout: string; stderr: string; code: number }) => e,
    )
    expect(real).toMatchObject({ code: 2 })
    expect(real.stdout).toContain('2 rows: 1 created, 0 updated, 0 unchanged, 1 not imported')
    // Not a terminal here: the progress comes as plain lines on stderr, ending with the totals.
    expect(real.stderr).toContain('imported: 2 of 2 rows (1 created, 0 updated')
    const again = await jifen('import', file).catch((e: { stdout: string }) => e)
    expect(again.stdout).toContain('0 created, 0 updated, 1 unchanged')
    const out = join(dir, 'members-out.csv')
    expect((await jifen('export', 'members', '--out', out)).stdout).toContain('1 members rows')
    expect(readFileSync(out, 'utf8')).toContain(",王小明,'+8613800138000,")
    expect((await jifen('export', 'ledger')).stdout).toContain('opening_balance,100')
  })

  it('refuses a bad role with a clear message', async () => {
    await expect(jifen('apikey', 'create', 'x', '--role', 'root')).rejects.toMatchObject({
      stderr: expect.stringContaining('expected one of pos, admin'),
    })
  })

  it('sets the Official Account’s menu in the programme’s language, 会员中心 opening the member page through the web login', async () => {
    const wechat = await new FakeWechatOfficial(
      OFFICIAL_ACCOUNT.appId,
      OFFICIAL_ACCOUNT.appSecret,
    ).start()
    try {
      const { stdout } = await run('node', ['bin/jifen.js', 'wechat', 'menu'], {
        env: {
          ...officialAccountEnv(wechat),
          PUBLIC_URL: 'https://shop.example',
        },
      })
      expect(stdout).toContain('menu set: 会员中心, 签到, 我的积分')
      const created = wechat.calls.filter((call) => call.path === '/cgi-bin/menu/create')
      expect(created).toMatchObject([{ ok: true }])
      expect(created[0]!.body).toEqual({
        button: [
          {
            type: 'view',
            name: '会员中心',
            // Our server starts the web login, so that its state is bound to the browser.
            url: 'https://shop.example/wechat/official/login',
          },
          { type: 'click', name: '签到', key: 'checkin' },
          { type: 'click', name: '我的积分', key: 'points' },
        ],
      })
    } finally {
      await wechat.stop()
    }
  })

  it('makes a channel QR code for a named source and stores it', async () => {
    const wechat = await new FakeWechatOfficial(
      OFFICIAL_ACCOUNT.appId,
      OFFICIAL_ACCOUNT.appSecret,
    ).start()
    try {
      const { stdout } = await run(
        'node',
        ['bin/jifen.js', 'wechat', 'qr', '南京西路店', '--kind', 'store'],
        { env: officialAccountEnv(wechat) },
      )
      const scene = /scene (src_[\w-]+)/.exec(stdout)![1]!
      expect(stdout).toContain('channel QR code for 南京西路店 (store)')
      expect(stdout).toContain('picture: https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=')
      const store = createDb(env.DATABASE_URL)
      try {
        const sources = await createDomain({ store, clock: systemClock }).channelSources.list()
        expect(sources).toMatchObject([{ name: '南京西路店', kind: 'store', scene }])
      } finally {
        await store.close()
      }
    } finally {
      await wechat.stop()
    }
  })

  it('refuses to set the menu without the Official Account’s settings', async () => {
    await expect(jifen('wechat', 'menu')).rejects.toMatchObject({
      stderr: expect.stringContaining('set WECHAT_OA_APP_ID'),
    })
  })
})
