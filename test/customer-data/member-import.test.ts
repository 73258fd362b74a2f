import { expect, it } from 'vitest'
import type { Db } from '../../db/client.ts'
import type { ExportKind } from '../../src/domain/customer-data/export.service.ts'
import {
  MAX_IMPORT_BYTES,
  MAX_IMPORT_ROWS,
} from '../../src/domain/customer-data/member-import.service.ts'
import type { Domain } from '../../src/domain/index.ts'
import { createFixture, describeOnDatabases } from '../helpers/domain.ts'
import { expectLedgerConsistent } from '../helpers/invariants.ts'

const csv = (...lines: string[]) => Buffer.from(lines.join('\r\n') + '\r\n')

async function exported(domain: Domain, kind: ExportKind): Promise<string> {
  let text = ''
  for await (const chunk of domain.exports.export(kind)) text += chunk
  return text
}

const count = async (db: Db, table: 'members' | 'ledgerEntries' | 'memberTags') =>
  Number(
    (
      await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  )

/** A file as Chinese merchants export it from Excel: BOM, Chinese headers, quoted cells. */
const MIXED = csv(
  '\ufeff姓名,手机号,会员编号,生日,性别,标签,积分,会员等级,接收营销',
  '"王, ""小明""",13800138000,C-001,1990-05-20,男,VIP；咖啡,120,银卡会员,是',
  '李四,13800138001,C-002,1990/2/30,女,,,,',
  '张三,1.38001E+10,C-003,,,,,,',
  '赵六,13800138002,C-001,,,,,,',
  ',13800138003,C-004,,,,,,',
  '"Two',
  'lines",13800138004,C-005,,,tea,abc,,',
  '=HYPERLINK("http://x"),13800138005,C-006,2001.1.2,female,,0,gold,no',
)

describeOnDatabases('member import from CSV', (get, database) => {
  const actor = { actor: 'test' }

  it('a CSV with good, duplicate and broken rows imports the good ones and names lines 3 to 7 with reasons', async () => {
    const { domain, store } = get()
    const report = await domain.memberImport.importMembers(MIXED, actor)
    expect(report).toMatchObject({ rows: 7, created: 2, updated: 0, unchanged: 0, failed: 5 })
    const byLine = Object.fromEntries(report.errors.map((e) => [e.line, e]))
    expect(Object.keys(byLine).map(Number)).toEqual([3, 4, 5, 6, 7])
    expect(byLine[3]).toMatchObject({ column: 'birthday', code: 'invalid_value' })
    expect(byLine[3]!.message).toContain('1990/2/30')
    expect(byLine[4]!.message).toContain('format the column as text')
    expect(byLine[5]).toMatchObject({ code: 'duplicate_in_file', column: 'external_id' })
    expect(byLine[5]!.message).toContain('line 2')
    expect(byLine[6]).toMatchObject({ code: 'missing_name' })
    expect(byLine[7]).toMatchObject({ column: 'points', code: 'invalid_value' })

    const wang = await domain.members.get({ externalId: 'C-001' })
    expect(wang).toMatchObject({
      displayName: '王, "小明"',
      phone: '+8613800138000',
      birthday: '1990-05-20',
      gender: 'male',
      marketingConsent: true,
      sourceChannel: 'import',
      tier: { code: 'silver' },
      points: { balance: 120 },
    })
    expect((await domain.tags.of(wang.id)).tags).toEqual(['VIP', '咖啡'])
    const { items } = await domain.ledger.history(wang.id)
    expect(items).toMatchObject([{ points: 120, kind: 'adjust', reason: 'opening_balance' }])
    const formula = await domain.members.get({ phone: '13800138005' })
    expect(formula).toMatchObject({
      displayName: '=HYPERLINK("http://x")',
      birthday: '2001-01-02',
      tier: { code: 'gold' },
      marketingConsent: false,
      points: { balance: 0 },
    })
    await expect(domain.members.get({ externalId: 'C-002' })).rejects.toMatchObject({
      code: 'member_not_found',
    })
    await expectLedgerConsistent(store.db)
  })

  it('importing the same file again changes nothing', async () => {
    const { domain, store } = get()
    const before = await Promise.all([
      count(store.db, 'members'),
      count(store.db, 'ledgerEntries'),
      count(store.db, 'memberTags'),
    ])
    const report = await domain.memberImport.importMembers(MIXED, actor)
    expect(report).toMatchObject({ created: 0, updated: 0, unchanged: 2, failed: 5 })
    expect(
      await Promise.all([
        count(store.db, 'members'),
        count(store.db, 'ledgerEntries'),
        count(store.db, 'memberTags'),
      ]),
    ).toEqual(before)
  })

  it('the tier window of an imported member runs from joined_at, window after window', async () => {
    const { domain } = get()
    await domain.memberImport.importMembers(
      csv('name,external_id,joined_at,tier', 'Old,JW-1,2023-06-15,silver'),
      actor,
    )
    const old = await domain.members.get({ externalId: 'JW-1' })
    expect(old.joinedAt).toBe('2023-06-14T16:00:00.000Z')
    expect(old.tier).toMatchObject({
      code: 'silver',
      windowStart: '2024-06-14T16:00:00.000Z',
      windowEnd: '2025-06-14T16:00:00.000Z',
    })
  })

  it('reports a cell holding NUL (U+0000) as an invalid value on its line and imports the other rows', async () => {
    const { domain, store } = get()
    const before = await count(store.db, 'members')
    const report = await domain.memberImport.importMembers(
      csv('name,external_id,tags', 'A\u0000B,NUL-1,', 'Fine,NUL-2,', 'Tagged,NUL-3,x\u0000'),
      actor,
    )
    expect(report).toMatchObject({ created: 1, failed: 2 })
    expect(report.errors).toMatchObject([
      { line: 2, column: 'name', code: 'invalid_value' },
      { line: 4, column: 'tags', code: 'invalid_value' },
    ])
    expect(await count(store.db, 'members')).toBe(before + 1)
  })

  it('refuses a future birthday by the merchant’s calendar, and records a correction of a set one', async () => {
    const { domain, clock, store } = get()
    clock.set('2025-01-09T20:00:00Z') // 04:00 on 10 January in Shanghai
    const report = await domain.memberImport.importMembers(
      csv('name,external_id,birthday', 'Future,BD-1,2030-01-01', 'Today,BD-2,2025-01-10'),
      actor,
    )
    expect(report).toMatchObject({ created: 1, failed: 1 })
    expect(report.errors[0]).toMatchObject({ line: 2, column: 'birthday', code: 'invalid_value' })
    const today = await domain.members.get({ externalId: 'BD-2' })
    expect(today.birthday).toBe('2025-01-10')
    await domain.memberImport.importMembers(
      csv('name,external_id,birthday', 'Today,BD-2,2024-12-10'),
      actor,
    )
    expect(
      await store.db
        .selectFrom('memberChanges')
        .select(['fromValue', 'toValue', 'reason', 'actor'])
        .where('memberId', '=', today.id)
        .execute(),
    ).toEqual([{ fromValue: '2025-01-10', toValue: '2024-12-10', reason: 'import', actor: 'test' }])
    clock.set('2025-01-10T04:00:00Z')
  })

  it('a dry run reports what the import would do and writes nothing', async () => {
    const { domain, store } = get()
    const file = csv(
      'external_id,name,phone,region,points',
      'C-001,"王, ""小明""",13800138000,上海,120',
      'C-100,New,13900139000,,50',
    )
    const members = await count(store.db, 'members')
    const entries = await count(store.db, 'ledgerEntries')
    const dry = await domain.memberImport.importMembers(file, { ...actor, dryRun: true })
    expect(dry).toMatchObject({ dryRun: true, created: 1, updated: 1, failed: 0 })
    expect(dry.results).toMatchObject([
      { line: 2, action: 'update', changes: ['region'] },
      { line: 3, action: 'create', memberId: null },
    ])
    expect(await count(store.db, 'members')).toBe(members)
    expect(await count(store.db, 'ledgerEntries')).toBe(entries)
    expect((await domain.members.get({ externalId: 'C-001' })).region).toBeNull()

    const real = await domain.memberImport.importMembers(file, actor)
    expect(real).toMatchObject({ created: 1, updated: 1, failed: 0 })
    expect(real.results.map((r) => r.action)).toEqual(dry.results.map((r) => r.action))
    expect((await domain.members.get({ externalId: 'C-001' })).region).toBe('上海')
  })

  it('a points column never adds to an existing member: the opening balance is for new members', async () => {
    const { domain } = get()
    const report = await domain.memberImport.importMembers(
      csv('phone,points', '13800138000,999'),
      actor,
    )
    expect(report).toMatchObject({ unchanged: 1, failed: 0 })
    expect(report.warnings[0]).toMatchObject({ line: 2 })
    expect(report.warnings[0]!.message).toContain('adjustment')
    expect((await domain.members.get({ phone: '13800138000' })).points.balance).toBe(120)
  })

  it('a row naming two different members is refused as a conflict', async () => {
    const { domain } = get()
    const report = await domain.memberImport.importMembers(
      csv('external_id,phone,name', 'C-100,13800138000,Mix'),
      actor,
    )
    expect(report.errors).toMatchObject([{ line: 2, code: 'conflict' }])
    expect(report.errors[0]!.message).toContain('two members')
  })

  it('a file with no column to find members by is refused whole', async () => {
    await expect(
      get().domain.memberImport.importMembers(csv('name,region', 'A,B'), actor),
    ).rejects.toMatchObject({ code: 'invalid_input' })
  })

  it('reads GB18030 as Chinese Excel writes it, and names the line of a quote never closed', async () => {
    const { domain } = get()
    const gb = Buffer.from([
      ...Buffer.from('external_id,name\r\nGB-1,'),
      ...[0xd5, 0xc5, 0xc8, 0xfd], // 张三
      ...Buffer.from('\r\nGB-2,"never closed\r\nGB-3,Lost\r\n'),
    ])
    const report = await domain.memberImport.importMembers(gb, { ...actor, dryRun: true })
    expect(report).toMatchObject({ rows: 1, created: 1 })
    expect(report.errors).toMatchObject([{ line: 3, code: 'malformed_csv' }])
    expect(report.errors[0]!.message).toContain('never closed')
  })

  it('reading is linear: a file four times as long takes less than eight times as long', async () => {
    const { domain } = get()
    // Rows refused before any database work, so that the time is the reading of the file.
    const file = (rows: number) =>
      csv('external_id,phone', ...Array.from({ length: rows }, (_, i) => `L-${i},bad`))
    const fastest = async (rows: number) => {
      const bytes = file(rows)
      let best = Infinity
      for (let run = 0; run < 3; run++) {
        const start = performance.now()
        const report = await domain.memberImport.importMembers(bytes, { ...actor, dryRun: true })
        best = Math.min(best, performance.now() - start)
        expect(report).toMatchObject({ rows, failed: rows })
        expect(report.errors.at(-1)).toMatchObject({ line: rows + 1, column: 'phone' })
      }
      return best
    }
    const small = await fastest(10_000)
    const large = await fastest(40_000)
    expect(large / small).toBeLessThan(8)
  }, 120_000)

  it('a file over 100,000 rows is refused at the first row over, before anything is imported', async () => {
    const { domain, store } = get()
    const members = await count(store.db, 'members')
    const rows = Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => `R-${i},Row ${i}`)
    const error = await domain.memberImport
      .importMembers(csv('external_id,name', ...rows, 'R-x,"never closed'), actor)
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    expect(error).toMatchObject({
      code: 'invalid_input',
      details: { limit: MAX_IMPORT_ROWS, line: MAX_IMPORT_ROWS + 2 },
    })
    expect((error as Error).message).toContain('at most 100000 rows')
    expect(await count(store.db, 'members')).toBe(members)
  }, 120_000)

  it('a file over 50 MB is refused whole, naming the limit', async () => {
    const big = Buffer.concat([csv('external_id,name'), Buffer.alloc(MAX_IMPORT_BYTES, 'a')])
    const error = await get()
      .domain.memberImport.importMembers(big, actor)
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    expect(error).toMatchObject({ code: 'invalid_input', details: { limit: MAX_IMPORT_BYTES } })
    expect((error as Error).message).toContain('at most 50 MB')
  })

  it('exported members imported into an empty database are the same members', async () => {
    const { domain } = get()
    await domain.members.register({
      displayName: '-Bob @home',
      phone: '13700137000',
      telegramId: '5550001',
      locale: 'en',
      region: '+north',
      marketingConsent: true,
    })
    const text = await exported(domain, 'members')
    expect(text.startsWith('\ufeffcode,external_id,name,phone')).toBe(true)
    // Spreadsheet formulas are neutralised in the file...
    expect(text).toContain(`'=HYPERLINK(""http://x"")`)
    expect(text).toContain("'-Bob @home")
    expect(text).toContain("'+8613800138000")

    const empty = await createFixture(database)
    try {
      const report = await empty.domain.memberImport.importMembers(Buffer.from(text), actor)
      expect(report.failed).toBe(0)
      expect(report.created).toBe(report.rows)
      // ...and come back as they were.
      const again = await exported(empty.domain, 'members')
      const lines = (s: string) => s.replace('\ufeff', '').trim().split('\r\n').sort()
      expect(lines(again)).toEqual(lines(text))
      const views = async (d: Domain) => {
        const rows = await d.deps.store.db.selectFrom('members').select('code').execute()
        return Promise.all(
          rows
            .map((r) => r.code)
            .sort()
            .map(async (code) => {
              const { id, tier, points, ...rest } = await d.members.get({ code })
              return {
                ...rest,
                tier: tier.code,
                balance: points.balance,
                tags: (await d.tags.of(id)).tags,
              }
            }),
        )
      }
      const [original, copy] = await Promise.all([views(domain), views(empty.domain)])
      expect(copy.map(({ sourceChannel: _, ...v }) => v)).toEqual(
        original.map(({ sourceChannel: _, ...v }) => v),
      )
      await expectLedgerConsistent(empty.store.db)
    } finally {
      await empty.store.cleanup()
    }
  })

  it('exports the ledger and orders as CSV, page by page', async () => {
    const { domain, store } = get()
    await domain.orders.ingest({
      id: 'ORD,"1"',
      member: { phone: '13800138000' },
      amount: 25_905,
      items: [{ sku: 'TEA', quantity: 1, unitPrice: 25_905 }],
    })
    const orders = await exported(domain, 'orders')
    expect(orders).toContain('"ORD,""1"""')
    expect(orders).toContain(',259.05,0.00,')
    const rows = Array.from({ length: 1_100 }, (_, i) => ({
      id: `mem_bulk_${String(i).padStart(5, '0')}`,
      code: `B${String(i).padStart(7, '0')}`,
      displayName: `Bulk ${i}`,
      locale: 'en',
      status: 'active',
      tierCode: 'member',
      tierWindowStart: '2025-01-01T00:00:00.000Z',
      tierWindowEnd: '2026-01-01T00:00:00.000Z',
      joinedAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-01T00:00:00.000Z',
      ...{ phone: null, birthday: null, region: null, gender: null, sourceChannel: null },
      ...{ referrerId: null, marketingConsent: 0, privacyConsentAt: null, mergedInto: null },
      ...{ tierFloorCode: null, tierRetainedCode: null, externalId: null },
      ...{ pointsBalance: 0, pointsDebt: 0, lotteryChances: 0 },
    }))
    await store.db.insertInto('members').values(rows).execute()
    let chunks = 0
    let lines = 0
    for await (const chunk of domain.exports.export('members')) {
      chunks++
      lines += chunk.split('\r\n').length - 1
    }
    expect(chunks).toBeGreaterThanOrEqual(4)
    expect(lines).toBe(1 + (await count(store.db, 'members')))
    const ledger = await exported(domain, 'ledger')
    expect(ledger.split('\r\n')[0]).toBe(
      '\ufeffid,created_at,member_id,member_code,kind,reason,points,balance_after,expires_at,source_type,source_id,note,actor',
    )
    expect(ledger).toContain(',adjust,opening_balance,120,120,')
  })
})
