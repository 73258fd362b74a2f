export interface RefundsTable {
  id: string
  orderId: string
  amount: number
  pointsReversed: number
  pointsReturned: number
  requestHash: string
  createdAt: string
}
