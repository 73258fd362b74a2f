// The expiry date of an order, luxon against the calendar step, alone in a loop: for
// `valgrind --tool=callgrind node --import tsx bench/expiry-driver.ts luxon|fast N`, whose
// instruction count does not move with the machine's load (run N = 0 for the start-up's share).
// Orders arrive close together, hence instants 50 ms apart.
import { expiryInstant, luxonExpiry } from '../src/domain/programme/calendar.ts'
const fn = process.argv[2] === 'luxon' ? luxonExpiry : expiryInstant
const n = Number(process.argv[3] ?? 20000)
const start = Date.UTC(2025, 0, 1)
let sink = 0
const t0 = performance.now()
for (let i = 0; i < n; i++) sink += fn(new Date(start + i * 50), 12, false, 'Asia/Shanghai').length
console.log(
  process.argv[2],
  n,
  'calls',
  (((performance.now() - t0) * 1000) / n).toFixed(1),
  'µs/call',
  sink,
)
