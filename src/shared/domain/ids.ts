// `crypto` is typed by the DOM lib in the renderer but not in the Node config without DOM, and
// src/shared may not import node:crypto; both runtimes expose Web Crypto on globalThis.
interface RandomSource {
  getRandomValues<T extends Uint8Array>(array: T): T
}

function randomSource(): RandomSource {
  const source = (globalThis as { crypto?: RandomSource }).crypto
  if (!source?.getRandomValues) throw new Error('Web Crypto getRandomValues is not available')
  return source
}

const MAX_TIMESTAMP = 2 ** 48 - 1
const COUNTER_MAX = 0xfff
const CLOCK_SLACK_MS = 10_000

// Monotonic state (RFC 9562 §6.2 method 1): rand_a is a 12-bit counter, seeded with room to
// grow, so ids made in the same millisecond still sort in creation order.
let lastMs = -1
let counter = 0

/**
 * A UUID version 7 (RFC 9562): 48-bit Unix ms timestamp, version 7, 12-bit counter,
 * variant 10, 62 random bits. Sorts by creation time, also within one millisecond.
 *
 * @param nowMs - the timestamp to embed, Date.now() by default
 */
export function uuidv7(nowMs: number = Date.now()): string {
  if (!Number.isFinite(nowMs) || nowMs < 0 || nowMs > MAX_TIMESTAMP) {
    throw new RangeError(`uuidv7: timestamp out of range: ${nowMs}`)
  }
  const bytes = randomSource().getRandomValues(new Uint8Array(16))
  let ms = Math.floor(nowMs)
  // A clock stepping back a little, or a millisecond borrowed below, must not reorder ids.
  if (ms < lastMs && lastMs - ms < CLOCK_SLACK_MS) ms = lastMs
  if (ms === lastMs) {
    counter += 1
    if (counter > COUNTER_MAX) {
      // Counter exhausted: borrow the next millisecond rather than break the ordering.
      ms += 1
      counter = (bytes[6] ?? 0) & 0x07
    }
  } else {
    counter = (((bytes[6] ?? 0) & 0x07) << 8) | (bytes[7] ?? 0)
  }
  lastMs = ms

  let t = ms
  for (let i = 5; i >= 0; i--) {
    bytes[i] = t % 256
    t = Math.floor(t / 256)
  }
  bytes[6] = 0x70 | (counter >> 8)
  bytes[7] = counter & 0xff
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f)

  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
