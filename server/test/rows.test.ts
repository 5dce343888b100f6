import { describe, expect, it } from 'vitest'
import { isoFromUtcText } from '../src/sync/rows'
import { seededRandom } from '../../src/shared/seeded-random'

/** How PostgreSQL prints `(t AT TIME ZONE 'UTC')::text` with DateStyle ISO, from parts. */
function pgText(d: Date, micros: number): string {
  const year = d.getUTCFullYear()
  const pad = (v: number, w = 2) => String(v).padStart(w, '0')
  const fraction = micros === 0 ? '' : `.${pad(micros, 6).replace(/0+$/, '')}`
  const y = year <= 0 ? pad(1 - year, 4) : pad(year, 4)
  return (
    `${y}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${fraction}` +
    (year <= 0 ? ' BC' : '')
  )
}

describe('isoFromUtcText', () => {
  it("reads PostgreSQL's UTC text as toISOString writes the instant, to the ms (floored)", () => {
    const random = seededRandom(42)
    const rand = (n: number) => Math.floor(random() * n)
    const DAY = 86_400_000
    const spans = [
      [Date.UTC(1970, 0, 1), 200 * 365 * DAY], // 1970-2170: the usual
      [Date.UTC(1, 0, 1) - 2000 * 365 * DAY, 2500 * 365 * DAY], // 1999 BC-AD 500
      [Date.UTC(9000, 0, 1), 2000 * 365 * DAY] // past 9999
    ] as const
    for (let i = 0; i < 6000; i++) {
      const [from, width] = spans[i % spans.length] as readonly [number, number]
      const seconds = Math.floor((from + (rand(2 ** 30) / 2 ** 30) * width) / 1000)
      const micros = [0, 500_000, 120_000, 123_400, 123_456, 1][rand(6)] as number
      const d = new Date(seconds * 1000)
      const text = pgText(d, micros)
      expect(isoFromUtcText(text), text).toBe(
        new Date(seconds * 1000 + Math.floor(micros / 1000)).toISOString()
      )
    }
  })

  it('refuses text it does not know rather than guessing', () => {
    for (const bad of ['29/02/2024 10:00:00', '2024-02-29T10:00:00Z', '', 'Thu Feb 29 2024'])
      expect(() => isoFromUtcText(bad), bad).toThrow(/Unexpected timestamp text/)
  })
})
