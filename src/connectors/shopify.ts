import { z } from 'zod'
import type { ShopCustomer, ShopEvent } from '../domain/orders/shop-sync.service.ts'
import { personName, toMinorUnits } from './fields.ts'

/**
 * Shopify's webhooks as this engine reads them: `orders/paid` is a sale, `refunds/create` a refund.
 * Only the fields used are checked; Shopify adds fields to its payloads over time, and a new one
 * must never make a paid order bounce.
 */
// Shopify's ids are 64-bit; JSON numbers are read as doubles, exact only up to 2^53. Today's ids
// are far below it; one beyond would be refused rather than be credited to another order.
const id = z
  .union([
    z.number().int().refine(Number.isSafeInteger, 'an id beyond 2^53 cannot be read exactly'),
    z.string().regex(/^\d+$/),
  ])
  .transform(String)
const money = z.union([z.string(), z.number()])
const taxLines = z
  .array(z.looseObject({ price: money }))
  .max(100)
  .nullish()

const customerSchema = z.looseObject({
  id: id.optional(),
  email: z.string().nullish(),
  phone: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  locale: z.string().nullish(),
})

export const shopifyOrderSchema = z.looseObject({
  id,
  email: z.string().nullish(),
  phone: z.string().nullish(),
  created_at: z.string(),
  processed_at: z.string().nullish(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  total_price: money,
  taxes_included: z.boolean().nullish(),
  total_discounts: money.nullish(),
  total_shipping_price_set: z
    .looseObject({ shop_money: z.looseObject({ amount: money }) })
    .nullish(),
  shipping_lines: z.array(z.looseObject({ price: money, tax_lines: taxLines })).nullish(),
  line_items: z
    .array(
      z.looseObject({
        sku: z.string().nullish(),
        product_id: id.nullish(),
        variant_id: id.nullish(),
        quantity: z.number().int().min(1),
        price: money,
        tax_lines: taxLines,
      }),
    )
    .max(1000)
    .nullish(),
  customer: customerSchema.nullish(),
  customer_locale: z.string().nullish(),
  billing_address: z.looseObject({ phone: z.string().nullish() }).nullish(),
})

export const shopifyRefundSchema = z.looseObject({
  id,
  order_id: id,
  transactions: z
    .array(
      z.looseObject({
        kind: z.string(),
        status: z.string(),
        amount: money,
        currency: z.string().regex(/^[A-Z]{3}$/),
      }),
    )
    .default([]),
})

export const SHOPIFY_TOPICS = ['orders/paid', 'refunds/create'] as const

export const shopifyOrderId = (orderId: string) => `shopify:${orderId}`

/**
 * What a Shopify delivery of `topic` asks of the engine. The amount is what the customer paid
 * (total_price, tax included, as a till's receipt is), so that refunds of money map one to one.
 * The lines go with the order, for the product reminders, when they add up to it with the
 * discounts and shipping; where they cannot (duties, tips, a tax that does not divide by the
 * quantity) the order goes without lines rather than be refused.
 */
export function shopifyEvents(topic: string, body: unknown): ShopEvent[] {
  if (topic === 'orders/paid') return [orderEvent(shopifyOrderSchema.parse(body))]
  if (topic === 'refunds/create') return [refundEvent(shopifyRefundSchema.parse(body))]
  return [{ kind: 'ignore', reason: `topic ${topic} is not one this connector takes` }]
}

function orderEvent(order: z.infer<typeof shopifyOrderSchema>): ShopEvent {
  const { currency } = order
  const minor = (value: string | number | null | undefined) =>
    value === null || value === undefined ? 0 : toMinorUnits(value, currency)
  // Where prices exclude tax, Shopify adds each line's and the shipping's tax on top of them.
  const taxOf = (taxLines: { price: string | number }[] | null | undefined) =>
    order.taxes_included ? 0 : (taxLines ?? []).reduce((sum, t) => sum + minor(t.price), 0)
  const amount = minor(order.total_price)
  const shippingLines = order.shipping_lines ?? []
  const shipping =
    (order.total_shipping_price_set
      ? minor(order.total_shipping_price_set.shop_money.amount)
      : shippingLines.reduce((sum, line) => sum + minor(line.price), 0)) +
    shippingLines.reduce((sum, line) => sum + taxOf(line.tax_lines), 0)
  const discount = minor(order.total_discounts)
  const items = (order.line_items ?? []).map((line) => ({
    sku: line.sku || `product:${line.product_id ?? line.variant_id ?? 'unknown'}`,
    quantity: line.quantity,
    unitPrice: minor(line.price) + taxOf(line.tax_lines) / line.quantity,
  }))
  const linesTotal = items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0)
  const linesAddUp =
    items.length > 0 &&
    items.every((item) => Number.isInteger(item.unitPrice)) &&
    linesTotal - discount + shipping === amount
  return {
    kind: 'order',
    orderId: shopifyOrderId(order.id),
    customer: customerOf(order),
    sale: {
      amount,
      currency,
      placedAt: order.processed_at ?? order.created_at,
      ...(linesAddUp ? { items, discount, shipping } : {}),
    },
  }
}

function customerOf(order: z.infer<typeof shopifyOrderSchema>): ShopCustomer | null {
  const customer = order.customer
  const phone = customer?.phone || order.phone || order.billing_address?.phone || undefined
  const email = customer?.email || order.email || undefined
  const externalId = customer?.id ? `shopify:${customer.id}` : undefined
  if (!phone && !email && !externalId) return null
  const name = personName(customer?.first_name, customer?.last_name)
  return {
    externalId,
    email,
    phone,
    displayName: name || undefined,
    locale: customer?.locale || order.customer_locale || undefined,
  }
}

function refundEvent(refund: z.infer<typeof shopifyRefundSchema>): ShopEvent {
  // Only money that went back counts: a refund that restocks items without paying out moves no
  // points, and a failed or pending transaction has not paid anything yet.
  const paid = refund.transactions.filter((t) => t.kind === 'refund' && t.status === 'success')
  const amount = paid.reduce((sum, t) => sum + toMinorUnits(t.amount, t.currency), 0)
  if (amount <= 0) return { kind: 'ignore', reason: `refund ${refund.id} paid nothing back` }
  return {
    kind: 'refund',
    orderId: shopifyOrderId(refund.order_id),
    refundId: `shopify:refund:${refund.id}`,
    amount,
  }
}
