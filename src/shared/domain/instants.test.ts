import { describe, expect, it } from 'vitest'
import { parseInstant, tryParseInstant } from './instants'
import { seededRandom } from '../seeded-random'

/** Years 0000-9999 in UTC, through Date (setUTCFullYear keeps years 0-99 literal). */
const utcYearOf = (ms: number) => new Date(ms).getUTCFullYear()
const inRange = (ms: number) => utcYearOf(ms) >= 0 && utcYearOf(ms) <= 9999

describe('parseInstant and tryParseInstant', () => {
  it('parses offsets, short forms and fractions', () => {
    expect(parseInstant('2024-03-31T09:15:00+02:00')).toBe(Date.parse('2024-03-31T07:15:00Z'))
    expect(parseInstant('2024-03-31T07:15Z')).toBe(Date.parse('2024-03-31T07:15:00Z'))
    expect(parseInstant('2024-03-31T01:45:00.123456-05:30')).toBe(
      Date.parse('2024-03-31T07:15:00.123Z')
    )
    expect(parseInstant('2024-02-29T00:00:00Z')).toBe(Date.parse('2024-02-29T00:00:00Z'))
    expect(parseInstant('2000-02-29T00:00:00Z')).toBe(Date.parse('2000-02-29T00:00:00Z'))
    expect(parseInstant('0000-02-29T00:00:00Z')).toBe(Date.parse('0000-02-29T00:00:00Z'))
  })

  it('parses like Date does, to the ms, on random instants of years 0000-9999', () => {
    // Reference: the calendar through Date (setUTCFullYear keeps years 0-99 literal).
    const reference = (y: number, mo: number, d: number, h: number, mi: number, s: number) => {
      const date = new Date(0)
      date.setUTCFullYear(y, mo - 1, d)
      date.setUTCHours(h, mi, s, 0)
      return date.getUTCMonth() === mo - 1 ? date.getTime() : null
    }
    const random = seededRandom(20241127)
    const rand = (n: number) => Math.floor(random() * n)
    const pad = (n: number, w = 2) => String(n).padStart(w, '0')
    const years = [0, 1, 99, 100, 1582, 1900, 1969, 1970, 2000, 2024, 2100, 9999]
    for (let i = 0; i < 4000; i++) {
      const y = i < years.length * 30 ? (years[i % years.length] as number) : rand(10_000)
      const [mo, d, h, mi, s] = [1 + rand(12), 1 + rand(31), rand(24), rand(60), rand(60)]
      const digits = rand(10)
      const fraction = digits === 0 ? '' : `.${String(rand(10 ** digits)).padStart(digits, '0')}`
      const offset = rand(3) === 0 ? 'Z' : `${rand(2) ? '+' : '-'}${pad(rand(24))}:${pad(rand(60))}`
      const text = `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}${fraction}${offset}`
      const base = reference(y, mo, d, h, mi, s)
      if (base === null) {
        expect(() => parseInstant(text), text).toThrow(
          expect.objectContaining({ code: 'time.invalidDate' })
        )
        continue
      }
      const millis = Number(fraction.slice(1, 4).padEnd(3, '0'))
      const sign = offset === 'Z' ? 0 : offset.startsWith('-') ? -1 : 1
      const offsetMs =
        sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6))) * 60_000
      const expected = base + millis - offsetMs
      expect(tryParseInstant(text), text).toBe(inRange(expected) ? expected : null)
    }
  })

  it('refuses an instant that its offset carries out of years 0000-9999 in UTC', () => {
    expect(tryParseInstant('9999-12-31T23:59:59.999Z')).toBe(
      Date.UTC(9999, 11, 31, 23, 59, 59, 999)
    )
    expect(tryParseInstant('9999-12-31T23:30:00+01:00')).toBe(Date.UTC(9999, 11, 31, 22, 30))
    expect(tryParseInstant('9999-12-31T23:30:00-01:00')).toBeNull()
    expect(tryParseInstant('0000-01-01T00:00:00Z')).toBe(Date.parse('0000-01-01T00:00:00Z'))
    expect(tryParseInstant('0000-01-01T00:30:00-01:00')).toBe(Date.parse('0000-01-01T01:30:00Z'))
    expect(tryParseInstant('0000-01-01T00:30:00+01:00')).toBeNull()
    expect(() => parseInstant('9999-12-31T23:30:00-01:00')).toThrow(
      expect.objectContaining({ code: 'time.invalidDate' })
    )
  })

  it('reads text as the regex it replaced did, on 60,000 mutated instants', () => {
    // The grammar of tryParseInstant until it became a scanner (one regex match), with Date as
    // an independent calendar: the scanner must agree with it on any text whatsoever.
    const GRAMMAR =
      /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2}):(\d{2}))$/
    const byRegex = (text: string): number | null => {
      const m = GRAMMAR.exec(text)
      if (!m) return null
      const [year, month, day, hour, minute] = [1, 2, 3, 4, 5].map((i) => Number(m[i]))
      const second = m[6] === undefined ? 0 : Number(m[6])
      const fraction = m[7] ?? ''
      const millis = Number(fraction.slice(0, 3).padEnd(3, '0'))
      const offset =
        m[8] === undefined ? 0 : (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]))
      if ((m[8] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) || second > 59)
        return null
      const date = new Date(0)
      date.setUTCFullYear(year as number, (month as number) - 1, day)
      date.setUTCHours(hour as number, minute, second, millis)
      const real =
        date.getUTCMonth() === (month as number) - 1 &&
        (hour as number) < 24 &&
        (minute as number) < 60
      const ms = date.getTime() - offset * 60_000
      return real && (month as number) >= 1 && (month as number) <= 12 && inRange(ms) ? ms : null
    }
    const random = seededRandom(20261127)
    const rand = (n: number) => Math.floor(random() * n)
    const palette = [...'0123456789', '-', ':', 'T', 'Z', '+', '.', ' ', 't', 'z', '\u0663', '\n']
    const valid = [
      '2024-03-31T09:15:00+02:00',
      '2024-03-31T07:15Z',
      '2024-03-31T01:45:00.123456789-05:30',
      '2024-02-29T00:00:00.5Z',
      '0000-01-01T00:00:00.12+00:00'
    ]
    let accepted = 0
    for (let i = 0; i < 60_000; i++) {
      let text = valid[i % valid.length] as string
      for (let edits = 1 + rand(3); edits > 0; edits--) {
        const at = rand(text.length + 1)
        const char = palette[rand(palette.length)] as string
        const kind = rand(4)
        if (kind === 0) text = text.slice(0, at) + char + text.slice(at + 1)
        else if (kind === 1) text = text.slice(0, at) + text.slice(at + 1)
        else if (kind === 2) text = text.slice(0, at) + char + text.slice(at)
        else text = text.slice(0, at)
      }
      const parsed = tryParseInstant(text)
      if (parsed !== null) accepted++
      expect(parsed, JSON.stringify(text)).toBe(byRegex(text))
    }
    // Enough of the mutated texts stay valid for the agreement to mean something.
    expect(accepted).toBeGreaterThan(1_500)
  })
})
