import { createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import pino from 'pino'
import { beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/api/app.ts'
import { personName, toMinorUnits } from '../../src/connectors/fields.ts'
import { describeOnDatabases, programmeWith } from '../helpers/domain.ts'

const SHOPIFY_SECRET = 'shpss_test_secret'
const WOO_SECRET = 'woo test secret'

/** A payload of the shops' documented shape (test/fixtures), with some fields replaced. */
function fixture(name: string, overrides: Record<string, unknown> = {}) {
  const body = JSON.parse(
    readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), 'utf8'),
  )
  return { ...body, ...overrides } as Record<string, unknown>
}

const sign = (secret: string, raw: string) =>
  createHmac('sha256', secret).update(raw, 'utf8').digest('base64')

describe('reading shop amounts', () => {
  it('reads decimal strings into minor units digit by digit, by the currency’s minor unit', () => {
    expect(toMinorUnits('0.29', 'CNY')).toBe(29)
    expect(toMinorUnits('1234.5', 'CNY')).toBe(123_450)
    expect(toMinorUnits('-5.00', 'CNY')).toBe(-500)
    expect(toMinorUnits('1500', 'JPY')).toBe(1500)
    expect(toMinorUnits('1.234', 'KWD')).toBe(1234)
    expect(toMinorUnits(22.5, 'USD')).toBe(2250)
    expect(() => toMinorUnits('1.5', 'JPY')).toThrow(/more decimals/)
    expect(() => toMinorUnits('1,50', 'CNY')).toThrow(/not an amount/)
  })

  it('writes a Chinese name family name first and a Western one given name first', () => {
    expect(personName('娜', '李')).toBe('李娜')
    expect(personName('Wei', 'Zhang')).toBe('Wei Zhang')
    expect(personName('', 'Zhang')).toBe('Zhang')
    expect(personName(null, null)).toBeUndefined()
  })
})

describeOnDatabases('orders from the shops’ webhooks', (get) => {
  let app: ReturnType<typeof createApp>
  const logged: string[] = []
  let delivery = 0

  beforeAll(async () => {
    app = createApp({
      domain: get().domain,
      logger: pino({ level: 'info' }, { write: (line: string) => logged.push(line) }),
      shopWebhooks: { shopify: SHOPIFY_SECRET, woocommerce: WOO_SECRET },
    })
    await get().domain.programme.replace(programmeWith({ quietHours: null }))
  })

  async function shopify(
    topic: string,
    body: unknown,
    options: { deliveryId?: string; signature?: string | null } = {},
  ) {
    const raw = JSON.stringify(body)
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'X-Shopify-Topic': topic,
      'X-Shopify-Webhook-Id': options.deliveryId ?? `shopify-delivery-${++delivery}`,
      'X-Shopify-Shop-Domain': 'example-store.myshopify.com',
    }
    if (options.signature !== null)
      headers['X-Shopify-Hmac-Sha256'] = options.signature ?? sign(SHOPIFY_SECRET, raw)
    const response = await app.request('/webhooks/shopify', { method: 'POST', headers, body: raw })
    return { status: response.status, body: await response.json() }
  }

  async function woo(body: unknown, options: { deliveryId?: string; topic?: string } = {}) {
    const raw = JSON.stringify(body)
    const response = await app.request('/webhooks/woocommerce', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'X-WC-Webhook-Topic': options.topic ?? 'order.updated',
        'X-WC-Webhook-Delivery-ID': options.deliveryId ?? `woo-delivery-${++delivery}`,
        'X-WC-Webhook-Signature': sign(WOO_SECRET, raw),
      },
      body: raw,
    })
    return { status: response.status, body: await response.json() }
  }

  it('a paid Shopify order becomes the order of the member with that phone, with its points and lines; a retried delivery changes nothing', async () => {
    const { domain } = get()
    const member = await domain.members.register({ displayName: '李娜', phone: '13800138000' })
    const paid = fixture('shopify-orders-paid')
    const first = await shopify('orders/paid', paid, { deliveryId: 'wh-1001' })
    expect(first).toMatchObject({
      status: 200,
      body: { outcome: 'recorded', orderId: 'shopify:5940139491234', duplicate: false },
    })
    const order = await domain.orders.get('shopify:5940139491234')
    expect(order).toMatchObject({ memberId: member.id, amount: 26_300, currency: 'CNY' })
    expect(order.items).toEqual([
      { sku: 'CREAM-50', quantity: 2, unitPrice: 9_900 },
      { sku: 'product:632910393', quantity: 1, unitPrice: 6_000 },
    ])
    // ¥1 = 1 point on the goods after the discount (258 − 15); the ¥20 shipping earns nothing.
    expect((await domain.members.get({ id: member.id })).points.balance).toBe(243)

    const again = await shopify('orders/paid', paid, { deliveryId: 'wh-1001' })
    expect(again.body).toMatchObject({ outcome: 'recorded', duplicate: true })
    // Another delivery of the same order (Shopify's event sent to a second subscription).
    const other = await shopify('orders/paid', paid)
    expect(other.body).toMatchObject({ outcome: 'recorded', duplicate: false })
    expect((await domain.members.get({ id: member.id })).points.balance).toBe(243)
  })

  it('a Shopify refund gives back the points of the money that went back, not of a failed transaction', async () => {
    const { domain } = get()
    const refund = fixture('shopify-refunds-create')
    const result = await shopify('refunds/create', refund)
    expect(result.body).toMatchObject({ outcome: 'recorded', orderId: 'shopify:5940139491234' })
    const order = await domain.orders.get('shopify:5940139491234')
    expect(order.refundedAmount).toBe(9_900)
    const member = await domain.members.get({ phone: '13800138000' })
    // ¥99 of ¥263 went back: that share of the 243 points earned, rounded down (91 points).
    expect(member.points.balance).toBe(243 - Math.floor((243 * 9_900) / 26_300))
    const replay = await shopify('refunds/create', refund)
    expect(replay.body.outcome).toBe('recorded')
    expect((await domain.orders.get('shopify:5940139491234')).refundedAmount).toBe(9_900)
  })

  it('a Shopify customer no member has joins an open programme under the shop’s customer id, found by email afterwards whatever its case', async () => {
    const { domain } = get()
    const paid = fixture('shopify-orders-paid', {
      id: 5940139491300,
      email: 'new.buyer@example.com',
      customer: {
        id: 6147919642700,
        email: 'New.Buyer@Example.com',
        phone: null,
        first_name: 'Ann',
        last_name: 'Lee',
      },
      billing_address: null,
    })
    const joined = await shopify('orders/paid', paid)
    expect(joined.body, JSON.stringify(joined.body)).toMatchObject({
      outcome: 'recorded',
      detail: null,
    })
    const member = await domain.members.get({ email: 'NEW.BUYER@example.com' })
    expect(member).toMatchObject({
      displayName: 'Ann Lee',
      email: 'new.buyer@example.com',
      externalId: 'shopify:6147919642700',
      sourceChannel: 'shopify',
      marketingConsent: false,
    })
    const second = await shopify(
      'orders/paid',
      fixture('shopify-orders-paid', {
        id: 5940139491301,
        email: null,
        customer: { id: 6147919642700, email: null, phone: null },
        billing_address: null,
      }),
    )
    expect(second.body.outcome).toBe('recorded')
    expect((await domain.orders.get('shopify:5940139491301')).memberId).toBe(member.id)
  })

  it('a guest checkout is a guest sale, and an unknown customer of a restricted programme too', async () => {
    const { domain } = get()
    const guest = fixture('shopify-orders-paid', {
      id: 5940139491400,
      email: null,
      customer: null,
      billing_address: null,
    })
    const result = await shopify('orders/paid', guest)
    expect(result.body).toMatchObject({
      outcome: 'recorded',
      detail: 'guest sale: no member matched',
    })
    expect(await domain.guestSales.exists('shopify:5940139491400')).toBe(true)

    const { config } = await domain.programme.current()
    await domain.programme.replace(
      programmeWith({
        quietHours: null,
        membership: { ...config.membership, type: 'restricted', inviteCodes: ['VIP'] },
      }),
    )
    const stranger = fixture('shopify-orders-paid', {
      id: 5940139491401,
      customer: { id: 6147919642999, email: 'stranger@example.com', phone: null },
      email: 'stranger@example.com',
      billing_address: null,
    })
    expect((await shopify('orders/paid', stranger)).body.outcome).toBe('recorded')
    expect(await domain.guestSales.exists('shopify:5940139491401')).toBe(true)
    await expect(domain.members.get({ email: 'stranger@example.com' })).rejects.toThrow()
    await domain.programme.replace(programmeWith({ quietHours: null }))
  })

  it('an order the engine cannot take is recorded as refused with the reason and answered 200, so the shop does not retry it for days', async () => {
    const { domain, store } = get()
    const dollars = fixture('shopify-orders-paid', { id: 5940139491500, currency: 'USD' })
    const result = await shopify('orders/paid', dollars, { deliveryId: 'wh-usd' })
    expect(result.status).toBe(200)
    expect(result.body.outcome).toBe('refused')
    expect(result.body.detail).toMatch(/USD is not the programme's CNY/)
    const old = fixture('shopify-orders-paid', {
      id: 5940139491501,
      processed_at: '2024-06-01T10:00:00+08:00',
    })
    expect((await shopify('orders/paid', old)).body.detail).toMatch(/^order_too_old/)
    const unreadable = await shopify('orders/paid', { id: 'not a number' })
    expect(unreadable.body).toMatchObject({ outcome: 'refused' })
    expect(unreadable.body.detail).toMatch(/payload not understood/)
    await expect(domain.orders.get('shopify:5940139491500')).rejects.toThrow()
    const log = await store.db
      .selectFrom('shopDeliveries')
      .select(['outcome', 'topic'])
      .where('deliveryId', '=', 'wh-usd')
      .executeTakeFirstOrThrow()
    expect(log).toEqual({ outcome: 'refused', topic: 'orders/paid' })
  })

  it('a forged or missing signature is refused and logged, and nothing of it is recorded', async () => {
    const { store } = get()
    const body = fixture('shopify-orders-paid', { id: 5940139491600 })
    const forged = await shopify('orders/paid', body, {
      deliveryId: 'wh-forged',
      signature: sign('another secret', JSON.stringify(body)),
    })
    expect(forged).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } })
    expect((await shopify('orders/paid', body, { signature: null })).status).toBe(401)
    const wooForged = await app.request('/webhooks/woocommerce', {
      method: 'POST',
      headers: { 'X-WC-Webhook-Topic': 'order.updated', 'X-WC-Webhook-Delivery-ID': 'x' },
      body: JSON.stringify(fixture('woocommerce-order')),
    })
    expect(wooForged.status).toBe(401)
    expect(logged.some((line) => line.includes('wrong or missing signature'))).toBe(true)
    const rows = await store.db
      .selectFrom('shopDeliveries')
      .select('deliveryId')
      .where('deliveryId', '=', 'wh-forged')
      .execute()
    expect(rows).toEqual([])
  })

  it('a WooCommerce order paid, delivered again, then refunded in part and in full, moves the points once each way', async () => {
    const { domain } = get()
    const ping = await app.request('/webhooks/woocommerce', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'webhook_id=3',
    })
    expect(ping.status).toBe(200)

    const pending = fixture('woocommerce-order', { status: 'pending', date_paid_gmt: null })
    expect((await woo(pending, { topic: 'order.created' })).body.outcome).toBe('ignored')

    const paid = fixture('woocommerce-order')
    expect((await woo(paid)).body).toMatchObject({
      outcome: 'recorded',
      orderId: 'woocommerce:4750',
    })
    const member = await domain.members.get({ phone: '13900139000' })
    expect(member).toMatchObject({ displayName: 'Wei Zhang', externalId: 'woocommerce:27' })
    const order = await domain.orders.get('woocommerce:4750')
    expect(order).toMatchObject({ amount: 10_812, placedAt: '2025-01-10T03:56:02.000Z' })
    expect(order.items).toEqual([
      { sku: 'TEA-250', quantity: 2, unitPrice: 2_650 },
      { sku: 'CUP-1', quantity: 1, unitPrice: 5_300 },
    ])
    const earned = member.points.balance
    expect(earned).toBeGreaterThan(0)
    // WooCommerce sends the whole order again on each change: the same state changes nothing.
    expect((await woo({ ...paid, status: 'completed' })).body.outcome).toBe('recorded')
    expect((await domain.members.get({ id: member.id })).points.balance).toBe(earned)

    const partly = {
      ...paid,
      status: 'completed',
      refunds: [{ id: 4800, reason: '', total: '-20.00' }],
    }
    await woo(partly)
    await woo(partly)
    expect((await domain.orders.get('woocommerce:4750')).refundedAmount).toBe(2_000)

    const fully = { ...partly, status: 'refunded' }
    expect((await woo(fully)).body.outcome).toBe('recorded')
    await woo(fully)
    expect((await domain.orders.get('woocommerce:4750')).refundedAmount).toBe(10_812)
    expect((await domain.members.get({ id: member.id })).points.balance).toBe(0)
  })

  it('a member’s email is theirs alone, and erasing the member blanks it', async () => {
    const { domain } = get()
    const member = await domain.members.register({
      displayName: 'Mail',
      email: ' Mail@Example.com ',
    })
    expect(member.email).toBe('mail@example.com')
    await expect(
      domain.members.register({ displayName: 'Twin', email: 'MAIL@example.com' }),
    ).rejects.toMatchObject({ code: 'member_exists' })
    await expect(
      domain.members.register({ displayName: 'Bad', email: 'not-an-address' }),
    ).rejects.toMatchObject({ code: 'invalid_input' })
    await domain.privacy.erase(member.id, 'test')
    await expect(domain.members.get({ email: 'mail@example.com' })).rejects.toThrow()
  })
})
