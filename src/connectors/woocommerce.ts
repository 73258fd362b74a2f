import { z } from 'zod'
import type { ShopCustomer, ShopEvent } from '../domain/orders/shop-sync.service.ts'
import { personName, toMinorUnits } from './fields.ts'

/**
 * WooCommerce's order webhooks (REST API v3 payloads, topics order.created / order.updated) as
 * this engine reads them. WooCommerce sends the whole order on every change, so each delivery
 * is read as a state: paid → the order; its refunds → one refund each; cancelled or refunded
 * after payment → the rest given back. Replaying a state changes nothing, so deliveries may come
 * late, twice or out of order.
 */
const money = z.union([z.string(), z.number()])
const optionalMoney = money.nullish()

export const wooOrderSchema = z.looseObject({
  id: z.number().int(),
  status: z.string(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  date_created_gmt: z.string(),
  date_paid_gmt: z.string().nullish(),
  total: money,
  discount_total: optionalMoney,
  discount_tax: optionalMoney,
  shipping_total: optionalMoney,
  shipping_tax: optionalMoney,
  customer_id: z.number().int().nullish(),
  billing: z
    .looseObject({
      first_name: z.string().nullish(),
      last_name: z.string().nullish(),
      email: z.string().nullish(),
      phone: z.string().nullish(),
    })
    .nullish(),
  line_items: z
    .array(
      z.looseObject({
        sku: z.string().nullish(),
        product_id: z.number().int().nullish(),
        quantity: z.number().int().min(1),
        subtotal: money,
        subtotal_tax: optionalMoney,
      }),
    )
    .max(1000)
    .nullish(),
  fee_lines: z.array(z.unknown()).nullish(),
  refunds: z
    .array(z.looseObject({ id: z.number().int(), total: money }))
    .max(1000)
    .nullish(),
})

export const wooOrderId = (orderId: number) => `woocommerce:${orderId}`

const PAID = new Set(['processing', 'completed', 'refunded'])
const GIVEN_BACK = new Set(['refunded', 'cancelled'])

export function wooEvents(topic: string, body: unknown): ShopEvent[] {
  if (topic !== 'order.created' && topic !== 'order.updated')
    return [{ kind: 'ignore', reason: `topic ${topic} is not one this connector takes` }]
  const order = wooOrderSchema.parse(body)
  const orderId = wooOrderId(order.id)
  const paid =
    Boolean(order.date_paid_gmt) && (PAID.has(order.status) || order.status === 'cancelled')
  if (!paid) return [{ kind: 'ignore', reason: `order ${order.id} is ${order.status}, not paid` }]
  const events: ShopEvent[] = []
  if (order.status !== 'cancelled') events.push(orderEvent(order))
  for (const refund of order.refunds ?? []) {
    events.push({
      kind: 'refund',
      orderId,
      refundId: `woocommerce:refund:${refund.id}`,
      // WooCommerce lists a refund's total as a negative amount.
      amount: Math.abs(toMinorUnits(refund.total, order.currency)),
    })
  }
  if (GIVEN_BACK.has(order.status))
    events.push({
      kind: 'refund_rest',
      orderId,
      refundId: `woocommerce:${order.id}:${order.status}`,
    })
  return events
}

function orderEvent(order: z.infer<typeof wooOrderSchema>): ShopEvent {
  const minor = (value: string | number | null | undefined) =>
    value === null || value === undefined ? 0 : toMinorUnits(value, order.currency)
  const amount = minor(order.total)
  // WooCommerce's line subtotals, discount and shipping exclude tax and give it beside them;
  // with it they add up to the total the customer paid.
  const discount = minor(order.discount_total) + minor(order.discount_tax)
  const shipping = minor(order.shipping_total) + minor(order.shipping_tax)
  const items = (order.line_items ?? []).map((line) => ({
    sku: line.sku || `product:${line.product_id ?? 'unknown'}`,
    quantity: line.quantity,
    unitPrice: (minor(line.subtotal) + minor(line.subtotal_tax)) / line.quantity,
  }))
  const linesTotal = items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0)
  const linesAddUp =
    items.length > 0 &&
    !order.fee_lines?.length &&
    items.every((item) => Number.isInteger(item.unitPrice)) &&
    linesTotal - discount + shipping === amount
  return {
    kind: 'order',
    orderId: wooOrderId(order.id),
    customer: customerOf(order),
    sale: {
      amount,
      currency: order.currency,
      // WooCommerce's GMT dates carry no zone designator.
      placedAt: asUtc(order.date_paid_gmt ?? order.date_created_gmt),
      ...(linesAddUp ? { items, discount, shipping } : {}),
    },
  }
}

function asUtc(gmt: string): string {
  return /(Z|[+-]\d{2}:\d{2})$/.test(gmt) ? gmt : `${gmt}Z`
}

function customerOf(order: z.infer<typeof wooOrderSchema>): ShopCustomer | null {
  const billing = order.billing
  const phone = billing?.phone || undefined
  const email = billing?.email || undefined
  // 0 is WooCommerce's guest checkout.
  const externalId = order.customer_id ? `woocommerce:${order.customer_id}` : undefined
  if (!phone && !email && !externalId) return null
  return {
    externalId,
    email,
    phone,
    displayName: personName(billing?.first_name, billing?.last_name),
  }
}
