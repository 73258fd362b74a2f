/**
 * A webhook a shop delivered (`source`: shopify, woocommerce), by the shop's delivery id, with
 * what it became: `recorded` (an order or refund), `ignored` (a status that moves no points),
 * `refused` (a payload the engine cannot take; `detail` says why).
 */
export interface ShopDeliveriesTable {
  source: 'shopify' | 'woocommerce'
  deliveryId: string
  topic: string
  outcome: 'recorded' | 'ignored' | 'refused'
  orderId: string | null
  detail: string | null
  receivedAt: string
}
