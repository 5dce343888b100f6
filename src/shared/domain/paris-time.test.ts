import { describe, it, expect } from 'vitest'
import {
  addDays,
  daysBetween,
  isIsoDate,
  nextParisMidnight,
  parisDate,
  parisToday,
  splitByParisDay
} from './paris-time'
import { unitsFor } from './units'
import { seededRandom } from '../seeded-random'

const ms = (iso: string): number => Date.parse(iso)
const HOUR = 3_600_000
const day = { scope: 'day' } as const
const whole = { scope: 'intervention' } as const

describe('parisDate', () => {
  it.each([
    ['2024-01-15T22:59:59Z', '2024-01-15'],
    ['2024-01-15T23:00:00Z', '2024-01-16'],
    ['2024-07-15T21:59:59Z', '2024-07-15'],
    ['2024-07-15T22:00:00Z', '2024-07-16'],
    ['2024-12-31T23:00:00Z', '2025-01-01']
  ])('%s is %s in Paris', (instant, expected) => {
    expect(parisDate(ms(instant))).toBe(expected)
    expect(parisToday(ms(instant))).toBe(expected)
  })
})

describe('the Paris clock kept per hour', () => {
  // The reference: a formatter asked afresh for every instant, as before the offset was cached.
  const reference = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Paris',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit'
  })
  const refDate = (t: number): string => reference.format(t)

  it("gives the formatter's date for instants from 1900 to 2100, DST changes included", () => {
    const random = seededRandom(20240331)
    const from = ms('1900-01-01T00:00:00Z')
    const to = ms('2100-01-01T00:00:00Z')
    for (let i = 0; i < 3000; i++) {
      const t = Math.floor(from + random() * (to - from))
      expect(parisDate(t), new Date(t).toISOString()).toBe(refDate(t))
    }
  })

  it('is exact minute by minute around the 2024 changes and on a historic change', () => {
    for (const around of ['2024-03-31T01:00:00Z', '2024-10-27T01:00:00Z', '1945-09-16T01:00:00Z']) {
      for (let m = -180; m <= 180; m++) {
        const t = ms(around) + m * 60_000 - 1
        expect(parisDate(t), new Date(t).toISOString()).toBe(refDate(t))
        expect(refDate(nextParisMidnight(t) - 1)).toBe(parisDate(t))
        expect(parisDate(nextParisMidnight(t))).toBe(addDays(parisDate(t), 1))
      }
    }
  })
})

describe('nextParisMidnight', () => {
  it.each([
    ['2024-01-15T12:00:00Z', '2024-01-15T23:00:00Z'], // winter, UTC+1
    ['2024-07-15T12:00:00Z', '2024-07-15T22:00:00Z'], // summer, UTC+2
    ['2024-01-15T23:00:00Z', '2024-01-16T23:00:00Z'], // strictly after a midnight
    ['2024-01-15T22:59:59.999Z', '2024-01-15T23:00:00Z'],
    ['2024-03-30T23:00:00Z', '2024-03-31T22:00:00Z'], // 31 March 2024: 23 h
    ['2024-10-26T22:00:00Z', '2024-10-27T23:00:00Z'], // 27 October 2024: 25 h
    ['2024-10-27T01:30:00Z', '2024-10-27T23:00:00Z'] // inside the repeated hour
  ])('after %s comes %s', (from, expected) => {
    expect(new Date(nextParisMidnight(ms(from))).toISOString()).toBe(
      new Date(ms(expected)).toISOString()
    )
  })

  it('makes DST days 23 h and 25 h long', () => {
    const m31 = ms('2024-03-30T23:00:00Z')
    expect(nextParisMidnight(m31) - m31).toBe(23 * HOUR)
    const o27 = ms('2024-10-26T22:00:00Z')
    expect(nextParisMidnight(o27) - o27).toBe(25 * HOUR)
  })
})

describe('splitByParisDay', () => {
  it('returns nothing for an empty span', () => {
    expect(splitByParisDay(ms('2024-01-15T10:00:00Z'), ms('2024-01-15T10:00:00Z'))).toEqual([])
  })

  it('splits at midnight CEST on the eve of the 25 h day', () => {
    expect(splitByParisDay(ms('2024-10-26T21:30:00Z'), ms('2024-10-26T22:30:00Z'))).toEqual([
      { day: '2024-10-26', seconds: 1800 },
      { day: '2024-10-27', seconds: 1800 }
    ])
  })

  it('splits at midnight CET at the end of the 25 h day', () => {
    expect(splitByParisDay(ms('2024-10-27T22:30:00Z'), ms('2024-10-27T23:30:00Z'))).toEqual([
      { day: '2024-10-27', seconds: 1800 },
      { day: '2024-10-28', seconds: 1800 }
    ])
  })

  it('keeps 24 h inside the 25 h day', () => {
    expect(splitByParisDay(ms('2024-10-26T22:00:00Z'), ms('2024-10-27T22:00:00Z'))).toEqual([
      { day: '2024-10-27', seconds: 86400 }
    ])
  })

  it('spreads 24 h over three days around the 23 h day', () => {
    expect(splitByParisDay(ms('2024-03-30T22:00:00Z'), ms('2024-03-31T22:00:00Z'))).toEqual([
      { day: '2024-03-30', seconds: 3600 },
      { day: '2024-03-31', seconds: 23 * 3600 }
    ])
    expect(splitByParisDay(ms('2024-03-30T22:30:00Z'), ms('2024-03-31T22:30:00Z'))).toEqual([
      { day: '2024-03-30', seconds: 1800 },
      { day: '2024-03-31', seconds: 23 * 3600 },
      { day: '2024-04-01', seconds: 1800 }
    ])
  })
})

describe('unitsFor with the day scope', () => {
  // 10 minutes straddling a midnight: 1 unit in one chunk, 2 when split.
  const tenMinutesAround = (midnightIso: string) => {
    const m = ms(midnightIso)
    return [
      {
        startedAt: new Date(m - 300_000).toISOString(),
        endedAt: new Date(m + 300_000).toISOString()
      }
    ]
  }

  it.each([
    ['winter, UTC+1', '2024-01-15T23:00:00Z'],
    ['summer, UTC+2', '2024-07-15T22:00:00Z'],
    ['start of the 23 h day', '2024-03-30T23:00:00Z'],
    ['end of the 23 h day', '2024-03-31T22:00:00Z'],
    ['start of the 25 h day', '2024-10-26T22:00:00Z'],
    ['end of the 25 h day', '2024-10-27T23:00:00Z']
  ])('splits at the real Paris midnight (%s)', (_label, midnight) => {
    const entries = tenMinutesAround(midnight)
    expect(unitsFor(entries, day)).toBe(2)
    expect(unitsFor(entries, whole)).toBe(1)
    expect(unitsFor(entries, { scope: 'entry' })).toBe(1)
  })

  it.each([
    ['UTC midnight in winter', '2024-01-16T00:00:00Z'],
    ['winter offset used in summer', '2024-07-15T23:00:00Z'],
    ['CET midnight on the eve of the 25 h day', '2024-10-26T23:00:00Z'],
    ['CEST midnight at the end of the 25 h day', '2024-10-27T22:00:00Z'],
    ['CEST midnight at the start of the 23 h day', '2024-03-30T22:00:00Z'],
    ['CET midnight at the end of the 23 h day', '2024-03-31T23:00:00Z']
  ])('does not split at a wrong midnight (%s)', (_label, notMidnight) => {
    expect(unitsFor(tenMinutesAround(notMidnight), day)).toBe(1)
  })

  it('sums the same Paris day across entries', () => {
    const entries = [
      { startedAt: '2024-10-27T08:00:00+01:00', endedAt: '2024-10-27T08:10:00+01:00' },
      { startedAt: '2024-10-27T23:55:00+01:00', endedAt: '2024-10-28T00:05:00+01:00' },
      { startedAt: '2024-10-28T09:00:00+01:00', endedAt: '2024-10-28T09:10:00+01:00' }
    ]
    // 27th: 10 + 5 = 15 min → 1; 28th: 5 + 10 = 15 min → 1.
    expect(unitsFor(entries, day)).toBe(2)
    expect(unitsFor(entries, { scope: 'entry' })).toBe(3)
    expect(unitsFor(entries, whole)).toBe(2)
  })
})

describe('calendar helpers', () => {
  it('validates ISO dates', () => {
    expect(isIsoDate('2024-02-29')).toBe(true)
    expect(isIsoDate('2023-02-29')).toBe(false)
    expect(isIsoDate('2024-04-31')).toBe(false)
    expect(isIsoDate('2024-1-01')).toBe(false)
    expect(isIsoDate(20240101)).toBe(false)
  })

  it('adds and counts days', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29')
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01')
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29')
    expect(daysBetween('2024-03-30', '2024-04-01')).toBe(2)
    expect(daysBetween('2024-12-31', '2024-01-01')).toBe(-365)
  })
})
