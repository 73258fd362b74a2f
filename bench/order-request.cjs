// autocannon's worker thread loads setupRequest with require(), hence plain CommonJS.
// Every request is a new order: the warm-up and the measured run are separate workers, so the
// order ids carry a per-worker prefix to stay unique.
const { randomUUID } = require('node:crypto')

const prefix = randomUUID()
let sequence = 0

module.exports = function orderRequest(request) {
  const n = sequence++
  const { memberIds } = request
  return {
    ...request,
    body: JSON.stringify({
      id: `${prefix}-${n}`,
      member: { id: memberIds[n % memberIds.length] },
      amount: 100 + ((n * 7919) % 99_900),
    }),
  }
}
