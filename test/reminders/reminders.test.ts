import { DateTime } from 'luxon'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { createConversation } from '../../src/bots/core/conversation.ts'
import { type Domain, createDomain } from '../../src/domain/index.ts'
import type { MessageSender, OutboundMessage } from '../../src/domain/ports.ts'
import { inReminderHoldout } from '../../src/domain/outbox/holdout.ts'
import { startOutboxWorker } from '../../src/jobs/outbox-worker.ts'
import { startScheduler } from '../../src/jobs/scheduler.ts'
import type { DbHandle } from '../../db/client.ts'
import { type TestDatabase, available, databases } from '../helpers/db.ts'
import { type DomainFixture, createFixture, programmeWith } from '../helpers/domain.ts'

const ZONE = 'Asia/Shanghai'
const DAY0 = '2026-03-02'
const logger = pino({ level: 'silent' })

/** The instant of local `time` on day `day` after DAY0, in the merchant's time zone. */
function localAt(day: number, time = '10:00'): Date {
  return DateTime.fromISO(`${DAY0}T${time}`, { zone: ZONE }).plus({ days: day }).toJSDate()
}

interface Delivered {
  recipient: string
  message: OutboundMessage
  at: Date
}

interface Harness extends DomainFixture {
  delivered: Delivered[]
  at(day: number, time?: string): void
  member(name: string, extra?: Record<string, unknown>): Promise<{ id: string; chat: string }>
  order(
    memberId: string,
    id: string,
    amount: number,
    items?: { sku: string; quantity: number }[],
  ): Promise<void>
  /** The reminder job and the outbox worker, as the server runs them at the current time. */
  tick(domain?: Domain): Promise<void>
  to(chat: string): string[]
}

/** A programme whose 30-day win-back step gives a coupon from a stock of `stock`. */
async function winBackWithCoupon(h: Harness, stock: number, perMemberLimit?: number) {
  const reward = await h.domain.rewards.create({
    name: '满100减10',
    kind: 'coupon',
    pointsCost: 0,
    value: 1_000,
    stock,
    validDays: 30,
    perMemberLimit,
  })
  await h.domain.programme.replace(
    programmeWith({
      reminders: {
        orderSurvey: { enabled: false },
        winBack: { steps: [{ days: 30, rewardId: reward.id }] },
      },
    }),
  )
  return reward
}

let nextChat = 7_000_000

async function harness(
  db: TestDatabase,
  reminders: Record<string, unknown> = {},
): Promise<Harness> {
  const fixture = await createFixture(db, localAt(0, '09:00').toISOString())
  await fixture.domain.programme.replace(
    programmeWith({ reminders: { orderSurvey: { enabled: false }, ...reminders } }),
  )
  const delivered: Delivered[] = []
  const sender: MessageSender = {
    async send(recipient, message, beforeRequest) {
      if (beforeRequest && !(await beforeRequest())) return { ok: false, abandoned: true }
      delivered.push({ recipient, message, at: fixture.clock.now() })
      return { ok: true }
    },
  }
  /** Runs an outbox worker until nothing is in flight and nothing more gets sent. */
  async function drain(domain: Domain): Promise<void> {
    const worker = startOutboxWorker({ domain, logger, senders: { telegram: sender }, idleMs: 5 })
    try {
      let quietPolls = 0
      let last = -1
      while (quietPolls < 4) {
        await new Promise((resolve) => setTimeout(resolve, 25))
        const inFlight = await fixture.store.db
          .selectFrom('outbox')
          .select('id')
          .where('status', 'in', ['claimed', 'sending'])
          .execute()
        quietPolls = inFlight.length === 0 && delivered.length === last ? quietPolls + 1 : 0
        last = delivered.length
      }
    } finally {
      await worker.stop()
    }
  }
  return {
    ...fixture,
    delivered,
    at(day, time) {
      fixture.clock.set(localAt(day, time))
    },
    async member(name, extra = {}) {
      const chat = String(++nextChat)
      const view = await fixture.domain.members.register({
        displayName: name,
        telegramId: chat,
        marketingConsent: true,
        ...extra,
      })
      return { id: view.id, chat }
    },
    async order(memberId, id, amount, items) {
      await fixture.domain.orders.ingest({
        id,
        member: { id: memberId },
        amount,
        // The amount shared evenly over the lines: the lines of an order add up to its amount.
        ...(items
          ? { items: items.map((i) => ({ ...i, unitPrice: amount / items.length / i.quantity })) }
          : {}),
      })
    },
    async tick(domain = fixture.domain) {
      await domain.reminders.run()
      await drain(domain)
    },
    to(chat) {
      return delivered.filter((d) => d.recipient === chat).map((d) => d.message.text)
    },
  }
}

/** Each test gets a database of its own: reminders plan over every member, and time moves. */
function onDatabases(title: string, body: (db: TestDatabase) => Promise<void>, timeout = 60_000) {
  for (const db of databases) {
    it.skipIf(!available(db))(`${title} [${db.name}]`, () => body(db), timeout)
  }
}

async function withHarness(
  db: TestDatabase,
  reminders: Record<string, unknown>,
  body: (h: Harness) => Promise<void>,
): Promise<void> {
  const h = await harness(db, reminders)
  try {
    await body(h)
  } finally {
    await h.store.cleanup()
  }
}

describe('re-purchase reminders by usage cycle', () => {
  onDatabases('a 30-day product bought on day 0 is reminded on day 25, not before', (db) =>
    withHarness(db, {}, async (h) => {
      await h.domain.reminders.upsertProduct('TEA-30', {
        name: { 'zh-CN': '红茶礼盒', en: 'Black tea box' },
        usageCycleDays: 30,
      })
      const ana = await h.member('安娜')
      h.at(0, '09:00')
      await h.order(ana.id, 'U-1', 9_900, [{ sku: 'TEA-30', quantity: 1 }])
      h.at(24)
      await h.tick()
      h.at(25, '09:59')
      await h.tick()
      expect(h.to(ana.chat)).toEqual([])
      h.at(25, '10:00')
      await h.tick()
      expect(h.to(ana.chat)).toEqual([
        '安娜，你购买的红茶礼盒预计5天后用完（4月1日），需要补货吗？回复「兑换」看看积分能换什么。',
      ])
      h.at(26)
      await h.tick()
      expect(h.to(ana.chat)).toHaveLength(1)
    }),
  )

  onDatabases('buying again on day 20 cancels the day-25 reminder and moves it to day 45', (db) =>
    withHarness(db, {}, async (h) => {
      await h.domain.reminders.upsertProduct('TEA-30', {
        name: { 'zh-CN': '红茶礼盒', en: 'Black tea box' },
        usageCycleDays: 30,
      })
      const bo = await h.member('Bo', { locale: 'en' })
      h.at(0, '09:00')
      await h.order(bo.id, 'R-1', 9_900, [{ sku: 'TEA-30', quantity: 1 }])
      h.at(20, '12:00')
      await h.order(bo.id, 'R-2', 9_900, [{ sku: 'TEA-30', quantity: 1 }])
      for (const day of [25, 30, 44]) {
        h.at(day)
        await h.tick()
      }
      expect(h.to(bo.chat)).toEqual([])
      h.at(45)
      await h.tick()
      expect(h.to(bo.chat)).toEqual([
        'Bo, your Black tea box should run out in 5 days (21 Apr). Time to restock? Reply "rewards" to see what your points buy.',
      ])
      const first = await h.domain.reminders.list({ memberId: bo.id, kind: 'usage_cycle' })
      expect(first.map((r) => [r.subject.orderId, r.status, r.reason])).toEqual([
        ['R-2', 'queued', null],
        ['R-1', 'cancelled', 'bought_again'],
      ])
    }),
  )

  onDatabases('two units last twice as long; a full refund cancels the reminder', (db) =>
    withHarness(db, {}, async (h) => {
      await h.domain.reminders.upsertProduct('PAD', {
        name: { 'zh-CN': '化妆棉', en: 'Cotton pads' },
        usageCycleDays: 10,
        remindDaysBefore: 2,
      })
      const cy = await h.member('Cy')
      const di = await h.member('Di')
      h.at(0, '09:00')
      await h.order(cy.id, 'Q-1', 2_000, [{ sku: 'PAD', quantity: 2 }])
      await h.order(di.id, 'Q-2', 1_000, [{ sku: 'PAD', quantity: 1 }])
      await h.domain.orders.refund('Q-2', { amount: 1_000 })
      h.at(17)
      await h.tick()
      expect(h.to(cy.chat)).toEqual([])
      h.at(18)
      await h.tick()
      expect(h.to(cy.chat)).toHaveLength(1)
      expect(h.to(di.chat)).toEqual([])
      const [refunded] = await h.domain.reminders.list({ memberId: di.id })
      expect([refunded?.status, refunded?.reason]).toEqual(['cancelled', 'refunded'])
    }),
  )
})

describe('win-back', () => {
  const steps = { winBack: { steps: [{ days: 30 }, { days: 60 }, { days: 90 }] } }

  onDatabases(
    'a repeat customer away 30, 60 and 90 days hears once at each step, then never',
    (db) =>
      withHarness(db, steps, async (h) => {
        const eve = await h.member('Eve')
        const once = await h.member('Once')
        h.at(0, '09:00')
        await h.order(eve.id, 'W-1', 5_000)
        await h.order(once.id, 'W-2', 5_000)
        h.at(1, '09:00')
        await h.order(eve.id, 'W-3', 5_000)
        const heard: Record<number, number> = {}
        for (const day of [30, 31, 32, 60, 61, 62, 91, 92, 121, 150, 200]) {
          h.at(day)
          await h.tick()
          heard[day] = h.to(eve.chat).length
        }
        // Steps are counted from the last order (day 1): reached on days 31, 61 and 91.
        expect(heard).toEqual({
          30: 0,
          31: 1,
          32: 1,
          60: 1,
          61: 2,
          62: 2,
          91: 3,
          92: 3,
          121: 3,
          150: 3,
          200: 3,
        })
        expect(h.to(eve.chat)[2]).toContain('90天')
        expect(h.to(once.chat)).toEqual([])
      }),
  )

  onDatabases(
    'a customer found 95 days away hears only the 90-day step; an order restarts the steps',
    (db) =>
      withHarness(db, steps, async (h) => {
        const fay = await h.member('Fay')
        const gus = await h.member('Gus')
        h.at(0, '09:00')
        for (const [m, id] of [
          [fay, 'F-1'],
          [fay, 'F-2'],
          [gus, 'G-1'],
          [gus, 'G-2'],
        ] as const)
          await h.order(m.id, id, 3_000)
        h.at(95)
        await h.tick()
        expect(h.to(fay.chat)).toHaveLength(1)
        expect(h.to(fay.chat)[0]).toContain('95天')
        // Gus came back on day 96 after the 90-day message: the steps count from day 96 now.
        h.at(96, '09:00')
        await h.order(gus.id, 'G-3', 3_000)
        h.at(100)
        await h.tick()
        h.at(126)
        await h.tick()
        const gusTexts = h.to(gus.chat)
        expect(gusTexts).toHaveLength(2)
        h.at(125 + 1 + 1)
        await h.tick()
        expect(h.to(gus.chat)).toHaveLength(2)
      }),
  )

  onDatabases('a win-back step with a coupon gives the coupon and says so', (db) =>
    withHarness(db, {}, async (h) => {
      const reward = await winBackWithCoupon(h, 1)
      const hal = await h.member('Hal')
      const ivy = await h.member('Ivy')
      h.at(0, '09:00')
      for (const [m, id] of [
        [hal, 'H-1'],
        [hal, 'H-2'],
        [ivy, 'I-1'],
        [ivy, 'I-2'],
      ] as const)
        await h.order(m.id, id, 3_000)
      h.at(30)
      await h.tick()
      const texts = [...h.to(hal.chat), ...h.to(ivy.chat)]
      expect(texts).toHaveLength(2)
      // One coupon in stock: one member gets it and is told; the other gets the message alone.
      expect(texts.filter((t) => t.includes('送你「满100减10」'))).toHaveLength(1)
      const coupons = [
        ...(await h.domain.rewards.couponsOf(hal.id)),
        ...(await h.domain.rewards.couponsOf(ivy.id)),
      ]
      expect(coupons).toHaveLength(1)
      expect((await h.domain.rewards.get(reward.id)).stock).toBe(0)
    }),
  )

  onDatabases('a win-back gift is named in each member’s language', (db) =>
    withHarness(db, {}, async (h) => {
      const reward = await winBackWithCoupon(h, 5)
      await h.domain.rewards.update(reward.id, {
        name: { 'zh-CN': '满100减10', en: '¥10 off ¥100' },
      })
      const wen = await h.member('Wen')
      const will = await h.member('Will', { locale: 'en' })
      h.at(0, '09:00')
      for (const [m, id] of [
        [wen, 'W-1'],
        [wen, 'W-2'],
        [will, 'L-1'],
        [will, 'L-2'],
      ] as const)
        await h.order(m.id, id, 3_000)
      h.at(30)
      await h.tick()
      expect(h.to(wen.chat)).toEqual([expect.stringContaining('送你「满100减10」')])
      expect(h.to(will.chat)).toEqual([expect.stringContaining('A gift for you: ¥10 off ¥100')])
      expect(h.to(will.chat)[0]).not.toContain('满100减10')
    }),
  )

  onDatabases(
    'a win-back gift takes its unit as a redemption does: a member at the limit gets the message alone',
    (db) =>
      withHarness(db, {}, async (h) => {
        const reward = await winBackWithCoupon(h, 5, 1)
        const hal = await h.member('Hal')
        h.at(0, '09:00')
        await h.order(hal.id, 'H-1', 3_000)
        await h.order(hal.id, 'H-2', 3_000)
        await h.domain.rewards.redeem(hal.id, reward.id)
        h.at(30)
        await h.tick()
        const texts = h.to(hal.chat)
        expect(texts).toHaveLength(1)
        expect(texts[0]).not.toContain('「满100减10」')
        expect(await h.domain.rewards.couponsOf(hal.id)).toHaveLength(1)
        expect((await h.domain.rewards.get(reward.id)).stock).toBe(4)
      }),
  )

  onDatabases(
    'a win-back message promises a member offer only when it brings one, in both languages',
    (db) =>
      withHarness(db, {}, async (h) => {
        await h.domain.programme.replace(
          programmeWith({
            reminders: { orderSurvey: { enabled: false }, winBack: { steps: [{ days: 30 }] } },
          }),
        )
        const jan = await h.member('Jan')
        const kit = await h.member('Kit', { locale: 'en' })
        h.at(0, '09:00')
        for (const [m, id] of [
          [jan, 'J-1'],
          [jan, 'J-2'],
          [kit, 'K-1'],
          [kit, 'K-2'],
        ] as const)
          await h.order(m.id, id, 3_000)
        h.at(30)
        await h.tick()
        const [zh] = h.to(jan.chat)
        const [en] = h.to(kit.chat)
        expect(zh).toContain('好久不见')
        expect(zh).not.toMatch(/优惠|礼|券/)
        expect(en).toContain('We miss you')
        expect(en).not.toMatch(/offer|gift|coupon/i)
      }),
  )

  onDatabases('a win-back gift is not member activity in the reports', (db) =>
    withHarness(db, {}, async (h) => {
      await winBackWithCoupon(h, 5)
      const lea = await h.member('Lea')
      h.at(0, '09:00')
      await h.order(lea.id, 'L-1', 3_000)
      await h.order(lea.id, 'L-2', 3_000)
      h.at(30)
      await h.tick()
      expect(await h.domain.rewards.couponsOf(lea.id)).toHaveLength(1)
      const day = DateTime.fromJSDate(localAt(30), { zone: ZONE })
      const report = await h.domain.reports.programme({
        from: day.toISODate()!,
        to: day.plus({ days: 1 }).toISODate()!,
      })
      expect(report.activity).toMatchObject({ active: 0, interacted: 0 })
    }),
  )
})

describe('points expiring', () => {
  onDatabases(
    'members are told 14 days before points expire, with the amount and the last day, once',
    (db) =>
      withHarness(db, {}, async (h) => {
        await h.domain.programme.replace(
          programmeWith({
            expiry: { mode: 'rolling', months: 1 },
            reminders: { orderSurvey: { enabled: false } },
          }),
        )
        const jo = await h.member('Jo')
        const ken = await h.member('Ken')
        h.at(0, '09:00')
        await h.order(jo.id, 'X-1', 12_300)
        await h.order(ken.id, 'X-2', 5_000)
        // Earned 2 March: valid through 2 April, expiring at local midnight into 3 April; the
        // reminder is due 14 days before that midnight, on 20 March (day 18).
        h.at(17)
        await h.tick()
        expect(h.to(jo.chat)).toEqual([])
        h.at(17, '12:00')
        await h.domain.rewards.create({ name: 'Mug', kind: 'gift', pointsCost: 50 })
        const mug = (await h.domain.rewards.list()).find((r) => r.name.en === 'Mug')!
        await h.domain.rewards.redeem(ken.id, mug.id, { idempotencyKey: 'ken-mug' })
        h.at(18)
        await h.tick()
        expect(h.to(jo.chat)).toEqual(['Jo，你有123积分将于4月2日过期，回复「兑换」用掉它们吧。'])
        expect(h.to(ken.chat)).toEqual([])
        h.at(19)
        await h.tick()
        expect(h.to(jo.chat)).toHaveLength(1)
      }),
  )
})

describe('tier touchpoints', () => {
  onDatabases('an upgrade is congratulated with the new benefits', (db) =>
    withHarness(db, {}, async (h) => {
      const lu = await h.member('Lu', { locale: 'en' })
      h.at(0, '11:00')
      await h.order(lu.id, 'T-1', 120_000)
      await h.tick()
      expect(h.to(lu.chat)).toEqual([
        'Congratulations Lu, you are now Silver! Your new benefits: 1.1× points; Double points on your birthday',
      ])
    }),
  )

  onDatabases(
    'a tier carried in by an import or set by staff is not congratulated as an upgrade',
    (db) =>
      withHarness(db, {}, async (h) => {
        const chat = String(++nextChat)
        await h.domain.memberImport.importMembers(
          Buffer.from(
            `name,external_id,telegram_id,tier,marketing_consent\r\nIm,IM-1,${chat},gold,yes\r\n`,
          ),
          { actor: 'test' },
        )
        const imported = await h.domain.members.get({ externalId: 'IM-1' })
        expect(imported.tier.code).toBe('gold')
        const floored = await h.member('Fl')
        await h.domain.members.update(floored.id, { tierFloorCode: 'silver' }, 'staff:test')
        const earner = await h.member('Ea')
        h.at(0, '11:00')
        await h.order(earner.id, 'T-9', 120_000)
        await h.tick()
        expect(h.to(chat)).toEqual([])
        expect(h.to(floored.chat)).toEqual([])
        expect(h.to(earner.chat)).toEqual([expect.stringContaining('银卡会员')])
      }),
  )

  onDatabases('a member about to lose a tier is warned with what keeping it takes', (db) =>
    withHarness(db, {}, async (h) => {
      const mo = await h.member('Mo')
      h.at(0, '11:00')
      await h.order(mo.id, 'T-2', 100_000)
      // The first window closes a year on with silver kept; the second window has no orders.
      h.at(366, '09:00')
      await h.domain.tiers.closeEndedWindows()
      h.at(700)
      await h.tick()
      expect(h.to(mo.chat).filter((t) => t.includes('保级'))).toEqual([])
      const windowEnd = new Date((await h.domain.members.view(mo.id)).tier.windowEnd)
      const warnDay =
        Math.round((windowEnd.getTime() - localAt(0, '00:00').getTime()) / 86_400_000) - 14
      h.at(warnDay)
      await h.tick()
      expect(h.to(mo.chat).filter((t) => t.includes('保级'))).toEqual([
        expect.stringMatching(
          /^Mo，你的银卡会员资格将于\d+月\d+日到期评估，再消费¥1,000\.00即可保级，否则将调整为普通会员。$/,
        ),
      ])
    }),
  )
})

describe('order touchpoints and the rules every reminder follows', () => {
  onDatabases(
    'a delivery reported at 23:00 is told at 08:00, with the points earned and the tier',
    (db) =>
      withHarness(db, {}, async (h) => {
        const nan = await h.member('Nan')
        h.at(0, '20:00')
        await h.order(nan.id, 'D-1', 25_900)
        h.at(0, '23:00')
        const event = await h.domain.reminders.recordOrderEvent('D-1', { type: 'delivered' })
        expect(event.replayed).toBe(false)
        await h.tick()
        h.at(1, '07:59')
        await h.tick()
        expect(h.to(nan.chat)).toEqual([])
        h.at(1, '08:00')
        await h.tick()
        expect(h.to(nan.chat)).toEqual([
          'Nan，你的订单D-1已签收，获得259积分，当前共259积分。你是普通会员，享有：消费1元得1积分',
        ])
        expect(h.delivered.find((d) => d.recipient === nan.chat)!.at.toISOString()).toBe(
          localAt(1, '08:00').toISOString(),
        )
        expect(
          (await h.domain.reminders.recordOrderEvent('D-1', { type: 'delivered' })).replayed,
        ).toBe(true)
      }),
  )

  onDatabases(
    'the frequency cap holds: at most 2 marketing messages in 7 days, the rest wait',
    (db) =>
      withHarness(
        db,
        // Oz is a repeat customer; win-back would take a slot on day 32 too.
        { frequencyCap: { messages: 2, days: 7 }, winBack: { enabled: false } },
        async (h) => {
          for (const sku of ['A', 'B', 'C'])
            await h.domain.reminders.upsertProduct(sku, {
              name: { 'zh-CN': `商品${sku}`, en: `Product ${sku}` },
              usageCycleDays: 30,
            })
          const oz = await h.member('Oz')
          h.at(0, '09:00')
          await h.order(oz.id, 'C-1', 3_000, [
            { sku: 'A', quantity: 1 },
            { sku: 'B', quantity: 1 },
            { sku: 'C', quantity: 1 },
          ])
          await h.domain.orders.ingest({
            id: 'C-1b',
            member: { id: oz.id },
            amount: 3_000,
            placedAt: localAt(0, '08:00').toISOString(),
          })
          h.at(25)
          await h.tick()
          expect(h.to(oz.chat)).toHaveLength(2)
          for (let day = 26; day <= 31; day++) {
            h.at(day)
            await h.tick()
          }
          expect(h.to(oz.chat)).toHaveLength(2)
          h.at(32)
          await h.tick()
          expect(h.to(oz.chat)).toHaveLength(3)
          const times = h.delivered
            .filter((d) => d.recipient === oz.chat)
            .map((d) => d.at.getTime())
          for (const at of times)
            expect(
              times.filter((t) => t >= at && t < at + 7 * 86_400_000).length,
            ).toBeLessThanOrEqual(2)
        },
      ),
  )

  onDatabases(
    'opted-out members get no reminders; the notice about their own order still arrives',
    (db) =>
      withHarness(db, {}, async (h) => {
        await h.domain.reminders.upsertProduct('TEA-30', {
          name: { 'zh-CN': '红茶礼盒', en: 'Black tea box' },
          usageCycleDays: 30,
        })
        const pat = await h.member('Pat')
        h.at(0, '09:00')
        await h.order(pat.id, 'O-1', 120_000, [{ sku: 'TEA-30', quantity: 1 }])
        await h.order(pat.id, 'O-2', 1_000)
        await h.domain.members.update(pat.id, { marketingConsent: false }, 'test')
        for (const day of [0, 25, 31]) {
          h.at(day, '12:00')
          await h.tick()
        }
        expect(h.to(pat.chat)).toEqual([])
        const reasons = (await h.domain.reminders.list({ memberId: pat.id })).map(
          (r) => `${r.kind}:${r.status}:${r.reason}`,
        )
        expect(reasons.sort()).toEqual([
          'tier_upgrade:skipped:opted_out',
          'usage_cycle:skipped:opted_out',
          'win_back:skipped:opted_out',
        ])
        await h.domain.reminders.recordOrderEvent('O-2', {
          type: 'shipped',
          carrier: '顺丰',
          trackingNumber: 'SF1001',
        })
        await h.tick()
        expect(h.to(pat.chat)).toEqual([
          'Pat，你的订单O-2已发货（顺丰 SF1001）。本单获得11积分，当前1211积分。',
        ])
      }),
  )

  onDatabases('merchants edit the templates; an unknown placeholder is refused by name', (db) =>
    withHarness(db, {}, async (h) => {
      await expect(
        h.domain.programme.replace(
          programmeWith({
            reminders: { templates: { order_shipped: { 'zh-CN': '{name} {coupon}', en: 'x' } } },
          }),
        ),
      ).rejects.toMatchObject({
        code: 'invalid_input',
        message: expect.stringContaining('{coupon}'),
      })
      await h.domain.programme.replace(
        programmeWith({
          reminders: {
            orderSurvey: { enabled: false },
            templates: {
              order_shipped: {
                'zh-CN': '亲爱的{name}，{order}出发啦{tracking}',
                en: '{order} is on its way',
              },
            },
          },
        }),
      )
      const qi = await h.member('琪')
      const ray = await h.member('Ray', { locale: 'en' })
      h.at(0, '12:00')
      await h.order(qi.id, 'S-1', 1_000)
      await h.order(ray.id, 'S-2', 1_000)
      await h.domain.reminders.recordOrderEvent('S-1', { type: 'shipped', trackingNumber: 'YT9' })
      await h.domain.reminders.recordOrderEvent('S-2', { type: 'shipped' })
      await h.tick()
      expect(h.to(qi.chat)).toEqual(['亲爱的琪，S-1出发啦（YT9）'])
      expect(h.to(ray.chat)).toEqual(['S-2 is on its way'])
    }),
  )

  onDatabases('a survey follows a delivery and is asked about that order', (db) =>
    withHarness(db, { orderSurvey: { enabled: true, delayHours: 24 } }, async (h) => {
      await h.domain.surveys.create({
        title: '满意度',
        question: '您对本次购物满意吗？',
        rewardPoints: 5,
      })
      const sal = await h.member('Sal')
      h.at(0, '09:00')
      await h.order(sal.id, 'V-1', 1_000)
      await h.domain.reminders.recordOrderEvent('V-1', { type: 'delivered' })
      h.at(0, '12:00')
      await h.tick()
      expect(h.to(sal.chat)).toHaveLength(1)
      h.at(1, '08:59')
      await h.tick()
      expect(h.to(sal.chat)).toHaveLength(1)
      h.at(1, '09:00')
      await h.tick()
      expect(h.to(sal.chat)[1]).toBe('Sal，你对订单V-1满意吗？回复「评价」打个分吧。')
      // The member answers in chat: the survey is about that order, and is rewarded once.
      const conversation = createConversation({ domain: h.domain, logger })
      const inbound = { channel: 'telegram' as const, userId: sal.chat, displayName: 'Sal' }
      const [asked] = await conversation.handle({ ...inbound, text: '评价' })
      expect(asked?.text).toMatch(/^关于订单 V-1：\n您对本次购物满意吗？/)
      const seven = asked!.buttons!.flat().find((b) => b.label === '7')!
      expect(seven.action).toMatch(/^survey:.+:7:r\d+$/)
      // A forged button naming someone else's invitation counts for no order.
      const forged = seven.action!.replace(/:r\d+$/, ':r999999')
      await conversation.handle({ ...inbound, action: forged })
      await conversation.handle({ ...inbound, action: seven.action! })
      const answers = await h.store.db
        .selectFrom('surveyResponses')
        .select(['context', 'score'])
        .where('memberId', '=', sal.id)
        .orderBy('context')
        .execute()
      expect(answers).toEqual([
        { context: 'once', score: 7 },
        { context: 'order:V-1', score: 7 },
      ])
      expect(await h.domain.surveys.pendingOrderSurvey(sal.id)).toBeUndefined()
    }),
  )

  onDatabases('conversion: an order within 7 days of a reminder counts for its kind', (db) =>
    withHarness(db, {}, async (h) => {
      await h.domain.reminders.upsertProduct('TEA-30', {
        name: { 'zh-CN': '红茶礼盒', en: 'Black tea box' },
        usageCycleDays: 30,
      })
      const [ty, uma] = [await h.member('Ty'), await h.member('Uma')]
      h.at(0, '09:00')
      await h.order(ty.id, 'K-1', 9_900, [{ sku: 'TEA-30', quantity: 1 }])
      await h.order(uma.id, 'K-2', 9_900, [{ sku: 'TEA-30', quantity: 1 }])
      h.at(25)
      await h.tick()
      h.at(27, '15:00')
      await h.order(ty.id, 'K-3', 19_800, [{ sku: 'TEA-30', quantity: 2 }])
      h.at(40, '15:00')
      await h.order(uma.id, 'K-4', 9_900)
      const usage = (await h.domain.reminders.stats()).find((s) => s.kind === 'usage_cycle')!
      expect(usage).toMatchObject({
        sent: 2,
        converted: 1,
        conversionRate: 0.5,
        orders: 1,
        sales: 19_800,
      })
      // The merchant's reports show reminder kinds beside the campaigns.
      const marketing = await h.domain.reports.marketing({ from: '2026-03-01', to: '2026-05-01' })
      expect(marketing).toContainEqual({
        source: 'reminder',
        id: 'usage_cycle',
        name: '复购提醒 Usage cycle',
        sent: 2,
        uncertain: 0,
        held: 0,
        expired: 0,
        opened: 0,
        converted: 1,
        orders: 1,
        sales: 19_800,
        cost: null,
        roi: null,
        holdout: null,
      })
    }),
  )
})

describe('reminders while their channel is down', () => {
  onDatabases(
    'a reminder queued while Telegram is down is counted as queued and held, not skipped, and sent once Telegram is back',
    (db) =>
      withHarness(db, {}, async (h) => {
        await h.domain.reminders.upsertProduct('TEA-30', {
          name: { 'zh-CN': '红茶礼盒', en: 'Black tea box' },
          usageCycleDays: 30,
        })
        const cy = await h.member('Cy')
        h.at(0, '09:00')
        await h.order(cy.id, 'H-1', 9_900, [{ sku: 'TEA-30', quantity: 1 }])
        await h.domain.channelHealth.report('telegram', 'down', 'test outage')
        h.at(25, '10:00')
        await h.domain.reminders.run()
        const during = (await h.domain.reminders.stats()).find((s) => s.kind === 'usage_cycle')!
        expect(during).toMatchObject({ queued: 1, held: 1, sent: 0, skipped: {} })
        const results = await h.domain.reminders.results({ from: '2026-03-01', to: '2026-05-01' })
        expect(results).toContainEqual(
          expect.objectContaining({ id: 'usage_cycle', sent: 0, held: 1 }),
        )
        await h.domain.channelHealth.report('telegram', 'up')
        await h.tick()
        expect(h.to(cy.chat)).toHaveLength(1)
        const after = (await h.domain.reminders.stats()).find((s) => s.kind === 'usage_cycle')!
        expect(after).toMatchObject({ queued: 0, held: 0, sent: 1, skipped: {} })
      }),
  )
})

describe('proof of effect: one credit per order, standing holdouts', () => {
  onDatabases(
    'an order after both a campaign message and a reminder is credited to the later of the two only, and counted by that one result',
    (db) =>
      withHarness(db, {}, async (h) => {
        await h.domain.reminders.upsertProduct('TEA-30', {
          name: { 'zh-CN': '红茶礼盒', en: 'Black tea box' },
          usageCycleDays: 30,
        })
        const vic = await h.member('Vic', { region: 'Touch-A' })
        const wen = await h.member('Wen', { region: 'Touch-B' })
        h.at(0, '09:00')
        await h.order(vic.id, 'T-1', 9_900, [{ sku: 'TEA-30', quantity: 1 }])
        await h.order(wen.id, 'T-2', 9_900, [{ sku: 'TEA-30', quantity: 1 }])
        const campaign = (region: string) =>
          h.domain.campaigns.create(
            { name: region, message: { text: '新茶到店' }, segment: { regions: [region] } },
            'test',
          )
        // Vic hears from the campaign first and the reminder after; Wen the other way round.
        h.at(24)
        const first = await campaign('Touch-A')
        await h.domain.campaigns.dispatchDue()
        await h.tick()
        h.at(25)
        await h.tick()
        h.at(26)
        const second = await campaign('Touch-B')
        await h.domain.campaigns.dispatchDue()
        await h.tick()
        expect(h.to(vic.chat)).toHaveLength(2)
        expect(h.to(wen.chat)).toHaveLength(2)
        h.at(27)
        await h.order(vic.id, 'T-3', 10_000)
        await h.order(wen.id, 'T-4', 30_000)
        const usage = (await h.domain.reminders.stats()).find((s) => s.kind === 'usage_cycle')!
        expect(usage).toMatchObject({ sent: 2, converted: 1, orders: 1, sales: 10_000 })
        expect((await h.domain.campaigns.get(first.id)).stats).toMatchObject({
          converted: 0,
          orders: 0,
          sales: 0,
        })
        expect((await h.domain.campaigns.get(second.id)).stats).toMatchObject({
          converted: 1,
          orders: 1,
          sales: 30_000,
        })
      }),
  )

  onDatabases(
    'a reminder’s member-page button names the reminder; its open counts once, only for the member reminded, and credits the next order over a campaign sent before the open',
    (db) =>
      withHarness(db, {}, async (h) => {
        await h.domain.reminders.upsertProduct('TEA-30', {
          name: { 'zh-CN': '红茶礼盒', en: 'Black tea box' },
          usageCycleDays: 30,
        })
        const vic = await h.member('Vic', { region: 'Open-A' })
        const wen = await h.member('Wen')
        h.at(0, '09:00')
        await h.order(vic.id, 'O-1', 9_900, [{ sku: 'TEA-30', quantity: 1 }])
        h.at(25)
        await h.tick()
        const reminded = h.delivered.find((d) => d.recipient === vic.chat)!
        const [reminder] = await h.domain.reminders.list({ memberId: vic.id, kind: 'usage_cycle' })
        expect(reminded.message).toMatchObject({ reminderId: reminder!.id })
        // A campaign reaches Vic the next morning; Vic opens the reminder's page after it.
        h.at(26)
        const campaign = await h.domain.campaigns.create(
          { name: 'Open-A', message: { text: '新茶到店' }, segment: { regions: ['Open-A'] } },
          'test',
        )
        await h.domain.campaigns.dispatchDue()
        await h.tick()
        h.at(26, '12:00')
        await h.domain.outbox.recordOpen({ reminderId: reminder!.id }, vic.id)
        await h.domain.outbox.recordOpen({ reminderId: reminder!.id }, vic.id)
        await h.domain.outbox.recordOpen({ reminderId: reminder!.id }, wen.id)
        h.at(27)
        await h.order(vic.id, 'O-2', 12_000)
        const usage = (await h.domain.reminders.stats()).find((s) => s.kind === 'usage_cycle')!
        expect(usage).toMatchObject({ sent: 1, opened: 1, converted: 1, sales: 12_000 })
        expect((await h.domain.campaigns.get(campaign.id)).stats).toMatchObject({
          sent: 1,
          converted: 0,
        })
        const report = await h.domain.reports.marketing()
        expect(report.find((r) => r.id === 'usage_cycle')).toMatchObject({ opened: 1 })
        expect((await h.domain.reports.programme()).activity.interacted).toBe(1)
      }),
  )

  onDatabases(
    'a reminder kind with a standing holdout sends nothing to the held-out members and compares them with those reminded',
    (db) =>
      withHarness(db, { holdoutPercent: { usage_cycle: 50 } }, async (h) => {
        await h.domain.reminders.upsertProduct('TEA-30', {
          name: { 'zh-CN': '红茶礼盒', en: 'Black tea box' },
          usageCycleDays: 30,
        })
        h.at(0, '09:00')
        const people: { id: string; chat: string }[] = []
        for (let i = 0; i < 30; i++) {
          const person = await h.member(`S${i}`)
          await h.order(person.id, `S-${i}`, 9_900, [{ sku: 'TEA-30', quantity: 1 }])
          people.push(person)
        }
        h.at(25)
        await h.tick()
        const held = people.filter((p) => inReminderHoldout('usage_cycle', p.id, 50))
        expect(held.length).toBeGreaterThan(0)
        expect(held.length).toBeLessThan(30)
        for (const person of people)
          expect(h.to(person.chat)).toHaveLength(held.includes(person) ? 0 : 1)
        h.at(27)
        for (const person of people.slice(0, 10)) await h.order(person.id, `R-${person.id}`, 5_000)
        const usage = (await h.domain.reminders.stats()).find((s) => s.kind === 'usage_cycle')!
        const heldBought = people.slice(0, 10).filter((p) => held.includes(p)).length
        expect(usage.skipped.holdout).toBe(held.length)
        expect(usage.holdout).toMatchObject({
          messaged: { members: 30 - held.length, converted: 10 - heldBought },
          heldOut: { members: held.length, converted: heldBought, sales: heldBought * 5_000 },
          verdict: 'too_small',
        })
      }),
  )
})

describe('running reminders in several processes', () => {
  onDatabases(
    'a restart in the middle of a reminder run sends nothing twice and loses nothing',
    (db) =>
      withHarness(db, {}, async (h) => {
        await h.domain.reminders.upsertProduct('TEA-30', {
          name: { 'zh-CN': '红茶礼盒', en: 'Black tea box' },
          usageCycleDays: 30,
        })
        const members = []
        h.at(0, '09:00')
        for (let i = 0; i < 12; i++) {
          const m = await h.member(`M${i}`)
          members.push(m)
          await h.order(m.id, `P-${i}`, 9_900, [{ sku: 'TEA-30', quantity: 1 }])
        }
        h.at(25)
        // A process that dies after five decisions: its sixth transaction never commits.
        let decisions = 0
        const dying: DbHandle = {
          ...h.store,
          transaction: (fn) => {
            if (++decisions > 5) throw new Error('process killed')
            return h.store.transaction(fn)
          },
        }
        const doomed = createDomain({ store: dying, clock: h.clock })
        await expect(doomed.reminders.run()).rejects.toThrow('process killed')
        // Two processes pick up at once, each with its own scheduler and outbox worker.
        const a = createDomain({ store: h.store, clock: h.clock })
        const b = createDomain({ store: h.store, clock: h.clock })
        await Promise.all([h.tick(a), h.tick(b)])
        await h.tick()
        for (const m of members) expect(h.to(m.chat)).toHaveLength(1)
      }),
  )

  onDatabases('of several schedulers on one database, one runs each job per tick', (db) =>
    withHarness(db, {}, async (h) => {
      let runs = 0
      const job = {
        name: 'count',
        pattern: '0 0 1 1 *',
        run: async () => {
          runs++
          await new Promise((resolve) => setTimeout(resolve, 50))
        },
      }
      const schedulers = [0, 1, 2].map(() =>
        startScheduler(createDomain({ store: h.store, clock: h.clock }), logger, [job]),
      )
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(runs).toBe(1)
      h.clock.advance(60_000)
      const later = startScheduler(createDomain({ store: h.store, clock: h.clock }), logger, [job])
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(runs).toBe(2)
      await Promise.all([...schedulers, later].map((s) => s.stop()))
    }),
  )
})
