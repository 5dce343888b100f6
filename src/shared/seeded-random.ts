/**
 * A deterministic pseudo-random source (mulberry32): the demo data and the property tests draw
 * from it so that a given seed always gives the same data, and a failing case replays exactly.
 * Not for anything secret.
 *
 * @param seed - any integer; its low 32 bits are used
 * @returns a function giving numbers in [0, 1), all 32 bits of state mixed into each
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
