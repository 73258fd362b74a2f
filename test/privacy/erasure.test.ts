import pino from 'pino'
import { sql } from 'kysely'
import { beforeAll, expect, it } from 'vitest'
import type { Db } from '../../db/client.ts'
import { createApp } from '../../src/api/app.ts'
import { describeOnDatabases } from '../helpers/domain.ts'
import { expectLedgerConsistent } from '../helpers/invariants.ts'

/** Every text cell of every table, as `table.column: value`. */
async function everyTextCell(db: Db, dialect: 'sqlite' | 'postgres'): Promise<string[]> {
  const columns =
    dialect === 'sqlite'
      ? (
          await sql<{ table: string; column: string }>`
            select m.name as "table", p.name as "column"
            from sqlite_master m join pragma_table_info(m.name) p
            where m.type = 'table' and m.name not like 'sqlite_%' and upper(p.type) = 'TEXT'`.execute(
            db,
          )
        ).rows
      : (
          await sql<{ table: string; column: string }>`
            select table_name as "table", column_name as "column" from information_schema.columns
            where table_schema = 'public' and data_type = 'text'`.execute(db)
        ).rows
  const cells: string[] = []
  for (const { table, column } of columns) {
    const rows = await sql<{
      v: string | null
    }>`select ${sql.ref(column)} as v from ${sql.table(table)}`.execute(db)
    for (const { v } of rows.rows) if (v) cells.push(`${table}.${column}: ${v}`)
  }
  expect(columns.length).toBeGreaterThan(100)
  return cells
}

describeOnDatabases('erasure of a member (注销)', (get) => {
  let app: ReturnType<typeof createApp>
  let adminKey: string
  let posKey: string
  const call = (method: string, path: string, key = adminKey) =>
    app.request(path, { method, headers: { authorization: `Bearer ${key}` } })

  const secrets = {
    name: 'Erin Erasable 李雪',
    secondName: '雪的微信号',
    phone: '13912345678',
    e164: '+8613912345678',
    birthday: '1987-11-23',
    telegramId: '7712345601',
    wechatId: 'wxid_erin_secret_77',
    externalId: 'POS-ERIN-0042',
    tag: 'erin-peanut-allergy',
    note: 'goodwill for Erin 李雪',
    comment: 'Erin says: 服务很好 but slow',
    tracking: 'SF-ERIN-7788',
  }
  let memberId: string
  let oldCode: string
  let otherId: string
  let session: string

  beforeAll(async () => {
    const { domain, store } = get()
    app = createApp({ domain, logger: pino({ level: 'silent' }) })
    adminKey = (await domain.staff.createApiKey('privacy admin', 'admin')).key
    posKey = (await domain.staff.createApiKey('till', 'pos')).key
    const other = await domain.members.register({
      displayName: 'Other Person',
      phone: '13600000001',
    })
    otherId = other.id
    const erin = await domain.members.register({
      displayName: secrets.name,
      phone: secrets.phone,
      birthday: secrets.birthday,
      region: 'Hangzhou West Lake',
      gender: 'female',
      telegramId: secrets.telegramId,
      externalId: secrets.externalId,
      referrerCode: other.code,
      marketingConsent: true,
      privacyConsent: true,
    })
    memberId = erin.id
    oldCode = erin.code
    // Her WeChat record, joined to the Telegram one with a binding code.
    await domain.members.register({
      displayName: secrets.secondName,
      wechatId: secrets.wechatId,
      birthday: secrets.birthday,
    })
    const { code } = await domain.members.createBindCode(memberId)
    await domain.members.bind(code, 'wechat', secrets.wechatId)
    await domain.tags.add(memberId, [secrets.tag, 'vip'])
    await domain.orders.ingest({ id: 'ERIN-1', member: { phone: secrets.phone }, amount: 50_000 })
    await domain.orders.ingest({ id: 'OTHER-1', member: { id: otherId }, amount: 10_000 })
    await domain.reminders.recordOrderEvent('ERIN-1', {
      type: 'shipped',
      carrier: 'SF',
      trackingNumber: secrets.tracking,
    })
    await domain.adjust(memberId, { points: 30, reason: secrets.note }, 'api:test')
    await domain.members.update(memberId, { birthday: '1987-11-24' }, 'api:test', secrets.note)
    const reward = await domain.rewards.create({
      name: { 'zh-CN': '咖啡券', en: 'Coffee coupon' },
      kind: 'coupon',
      pointsCost: 100,
      value: 1_000,
    })
    await domain.rewards.redeem(memberId, reward.id, {
      idempotencyKey: 'r1',
      actor: `telegram:${secrets.telegramId}`,
    })
    const survey = await domain.surveys.create({
      title: 'How did we do?',
      question: 'Rate us',
      rewardPoints: 5,
    })
    await domain.surveys.respond(memberId, survey.id, { score: 6, comment: secrets.comment })
    await domain.chat.setState('telegram', secrets.telegramId, {
      dialog: { kind: 'register', step: 'phone', phone: secrets.e164 },
    })
    const link = await domain.miniapp.createLink(memberId)
    session = (await domain.miniapp.sessionFromLink(link.token)).token
    await domain.miniapp.createLink(memberId)
    await domain.campaigns.create({ name: 'Spring', message: { text: 'Spring sale' } }, 'test')
    await domain.campaigns.dispatchDue()
    expect(
      await store.db
        .selectFrom('outbox')
        .select('recipient')
        .where('memberId', '=', memberId)
        .execute(),
    ).toEqual([{ recipient: secrets.telegramId }])
    await domain.segments.recompute()
  })

  it('a pos key can neither export nor erase a member', async () => {
    expect((await call('GET', `/api/v1/members/${memberId}/export`, posKey)).status).toBe(403)
    expect((await call('POST', `/api/v1/members/${memberId}/erase`, posKey)).status).toBe(403)
    expect((await call('GET', '/api/v1/exports/members', posKey)).status).toBe(403)
    const denied = await app.request('/api/v1/members/import', {
      method: 'POST',
      headers: { authorization: `Bearer ${posKey}`, 'content-type': 'text/csv' },
      body: 'phone,name\n13800000000,X\n',
    })
    expect(denied.status).toBe(403)
  })

  it('an admin key gets the member’s data as a JSON file, with everything about them', async () => {
    const response = await call('GET', `/api/v1/members/${memberId}/export`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-disposition')).toContain(`member-${oldCode}.json`)
    const data = await response.json()
    expect(data.member).toMatchObject({ displayName: secrets.name, phone: secrets.e164 })
    expect(data.chatIdentities.map((i: { id: string }) => i.id).sort()).toEqual(
      [secrets.telegramId, secrets.wechatId].sort(),
    )
    expect(data.mergedRecords).toMatchObject([{ displayName: secrets.secondName }])
    expect(data.tags).toEqual([secrets.tag, 'vip'])
    expect(data.orders).toMatchObject([{ id: 'ERIN-1', amount: 50_000 }])
    expect(data.surveyResponses).toMatchObject([{ score: 6, comment: secrets.comment }])
    // The member reads the file: the merchant's texts in the member's language (here 简体中文).
    expect(data.coupons).toMatchObject([{ reward: '咖啡券', status: 'issued' }])
    expect(data.redemptions).toMatchObject([{ reward: '咖啡券' }])
    expect(data.ledger.map((e: { reason: string }) => e.reason)).toContain('manual')
    expect(data.messagesReceived).toHaveLength(1)
    expect(data.detailChanges).toMatchObject([
      { field: 'birthday', from: secrets.birthday, to: '1987-11-24', reason: secrets.note },
    ])
    expect(JSON.stringify(data)).not.toContain('Other Person')
  })

  it('erasure leaves no personal data in any table and every balance equal to its ledger', async () => {
    const { domain, store } = get()
    const before = await domain.members.view(memberId)
    // ¥500 of orders, the first-order bonus, the adjustment and the survey, less the coupon.
    expect(before.points.balance).toBeGreaterThan(400)
    const response = await call('POST', `/api/v1/members/${memberId}/erase`)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({
      memberId,
      pointsForfeited: before.points.balance,
      alreadyErased: false,
    })
    const needles = [
      secrets.name,
      secrets.secondName,
      secrets.phone,
      secrets.e164,
      secrets.birthday,
      secrets.telegramId,
      secrets.wechatId,
      secrets.externalId,
      secrets.tag,
      secrets.note,
      secrets.comment,
      secrets.tracking,
      'Hangzhou West Lake',
      oldCode,
    ]
    const cells = await everyTextCell(store.db, store.dialect)
    const leaks = cells.filter((cell) => needles.some((needle) => cell.includes(needle)))
    expect(leaks).toEqual([])
    await expectLedgerConsistent(store.db)
    const after = await domain.members.view(memberId)
    expect(after).toMatchObject({ status: 'erased', phone: null, points: { balance: 0 } })
    const { items } = await domain.ledger.history(memberId, { limit: 1 })
    expect(items[0]).toMatchObject({
      points: -before.points.balance,
      kind: 'expire',
      reason: 'erasure',
      balanceAfter: 0,
    })
    // The books stay whole: her order is still there, and so is everyone else's data.
    expect((await domain.orders.get('ERIN-1')).amount).toBe(50_000)
    expect(await domain.members.view(otherId)).toMatchObject({ displayName: 'Other Person' })
    expect(
      await store.db
        .selectFrom('outbox')
        .select('status')
        .where('memberId', '=', memberId)
        .execute(),
    ).toEqual([{ status: 'skipped' }])
    // A mini-app session opened before the erasure no longer opens anything.
    await expect(domain.miniapp.memberOf(session)).rejects.toMatchObject({ code: 'unauthorized' })
  })

  it('erasing again changes nothing, and the erased member has no data left to export', async () => {
    const { store } = get()
    const entries = await store.db.selectFrom('ledgerEntries').select('id').execute()
    const again = await call('POST', `/api/v1/members/${memberId}/erase`)
    expect(await again.json()).toMatchObject({ alreadyErased: true, pointsForfeited: 0 })
    expect(await store.db.selectFrom('ledgerEntries').select('id').execute()).toEqual(entries)
    const exported = await call('GET', `/api/v1/members/${memberId}/export`)
    expect(exported.status).toBe(409)
    expect((await call('GET', `/api/v1/members?phone=${secrets.phone}`)).status).toBe(200)
    const found = await (await call('GET', `/api/v1/members?phone=${secrets.phone}`)).json()
    expect(found.items).toEqual([])
  })

  it('a member who owed points has the debt written off, and the ledger still adds up', async () => {
    const { domain, store } = get()
    const debtor = await domain.members.register({ displayName: 'Debtor', phone: '13600000009' })
    await domain.orders.ingest({ id: 'DEBT-1', member: { id: debtor.id }, amount: 10_000 })
    const reward = await domain.rewards.create({ name: 'Mug', kind: 'gift', pointsCost: 100 })
    await domain.rewards.redeem(debtor.id, reward.id, { idempotencyKey: 'd1' })
    await domain.orders.refund('DEBT-1', { amount: 10_000 })
    expect((await domain.members.view(debtor.id)).points).toMatchObject({
      balance: -100,
      debt: 100,
    })
    expect(await domain.privacy.erase(debtor.id, 'test')).toMatchObject({ pointsForfeited: -100 })
    expect((await domain.members.view(debtor.id)).points).toMatchObject({ balance: 0, debt: 0 })
    await expectLedgerConsistent(store.db)
  })
})
