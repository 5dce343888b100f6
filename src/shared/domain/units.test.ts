import { describe, it, expect } from 'vitest'
import { DomainError, type DomainErrorCode } from './errors'
import {
  DEFAULT_POLICY,
  entriesIssue,
  parseInstant,
  spanSeconds,
  secondsFor,
  secondsUntilNextUnit,
  tallySpans,
  unitsFor,
  unitsForSeconds,
  validateSpan,
  type TimeSpan,
  type UnitsPolicy
} from './units'
import { seededRandom } from '../seeded-random'

const T0 = Date.parse('2024-01-15T09:00:00Z')

/** An entry starting at T0 + offset seconds and lasting `seconds`. */
function span(seconds: number, offsetSeconds = 0): TimeSpan {
  const start = T0 + offsetSeconds * 1000
  return {
    startedAt: new Date(start).toISOString(),
    endedAt: new Date(start + seconds * 1000).toISOString()
  }
}

function codeOf(fn: () => unknown): DomainErrorCode | undefined {
  try {
    fn()
  } catch (e) {
    if (e instanceof DomainError) return e.code
    throw e
  }
  return undefined
}

const noGrace: UnitsPolicy = { scope: 'intervention' }
const grace60: UnitsPolicy = { scope: 'intervention', graceSeconds: 60 }
const min4: UnitsPolicy = { scope: 'intervention', minimumUnits: 4 }

describe('unitsFor, one entry', () => {
  it.each([
    [noGrace, 0, 0],
    [noGrace, 0.001, 1],
    [noGrace, 1, 1],
    [noGrace, 14 * 60 + 59, 1],
    [noGrace, 15 * 60, 1],
    [noGrace, 15 * 60 + 1, 2],
    [noGrace, 15 * 60 + 0.001, 2],
    [noGrace, 29 * 60 + 59, 2],
    [noGrace, 30 * 60, 2],
    [noGrace, 30 * 60 + 1, 3],
    [noGrace, 86400, 96],
    [grace60, 0, 0],
    [grace60, 1, 1],
    [grace60, 15 * 60 + 1, 1],
    [grace60, 15 * 60 + 59, 1],
    [grace60, 16 * 60, 1],
    [grace60, 16 * 60 + 0.001, 2],
    [grace60, 16 * 60 + 1, 2],
    [grace60, 30 * 60 + 59, 2],
    [grace60, 31 * 60, 2],
    [grace60, 31 * 60 + 1, 3],
    [min4, 0, 0],
    [min4, 1, 4],
    [min4, 60 * 60, 4],
    [min4, 60 * 60 + 1, 5]
  ])('%j, %d s → %d units', (policy, seconds, expected) => {
    expect(unitsFor([span(seconds)], policy)).toBe(expected)
    // Every scope agrees on a single short entry within one day.
    expect(unitsFor([span(seconds)], { ...policy, scope: 'entry' })).toBe(expected)
  })

  it('counts nothing for no entries, even with a minimum', () => {
    expect(unitsFor([], min4)).toBe(0)
    expect(unitsFor([span(0), span(0, 100)], min4)).toBe(0)
  })

  it('uses the default policy', () => {
    expect(unitsFor([span(901)], DEFAULT_POLICY)).toBe(2)
  })
})

describe('unitsForSeconds', () => {
  it.each([
    [0, 0, 0],
    [-5, 0, 0],
    [0.001, 0, 1],
    [900, 0, 1],
    [900.001, 0, 2],
    [959, 60, 1],
    [960, 60, 1],
    [961, 60, 2],
    [1859, 60, 2]
  ])('%d s with grace %d → %d', (seconds, graceSeconds, expected) => {
    expect(unitsForSeconds(seconds, { scope: 'entry', graceSeconds })).toBe(expected)
  })

  it('ignores minimumUnits (one chunk only)', () => {
    expect(unitsForSeconds(1, { scope: 'intervention', minimumUnits: 4 })).toBe(1)
  })

  it('rejects a non-finite duration', () => {
    expect(codeOf(() => unitsForSeconds(NaN, noGrace))).toBe('validation.failed')
  })
})

describe('scopes', () => {
  // Paris day A (15 Jan): four 5-min entries; day B (16 Jan): two 5-min entries.
  const dayA = [0, 1, 2, 3].map((i) => span(300, i * 3600))
  const dayB = [0, 1].map((i) => span(300, 86400 + i * 3600))
  const entries = [...dayA, ...dayB]

  it('rounds once, per entry, or per Paris day', () => {
    expect(unitsFor(entries, { scope: 'intervention' })).toBe(2) // 30 min
    expect(unitsFor(entries, { scope: 'entry' })).toBe(6) // 6 × 1
    expect(unitsFor(entries, { scope: 'day' })).toBe(3) // 20 min + 10 min
  })

  it('applies grace per chunk and the minimum to the total', () => {
    const twoSixteens = [span(960), span(960, 3600)]
    expect(unitsFor(twoSixteens, { scope: 'entry', graceSeconds: 60 })).toBe(2)
    expect(unitsFor(twoSixteens, { scope: 'intervention', graceSeconds: 60 })).toBe(3)
    expect(unitsFor(twoSixteens, { scope: 'entry', minimumUnits: 5 })).toBe(5)
    expect(unitsFor(twoSixteens, { scope: 'entry', minimumUnits: 3 })).toBe(4)
  })

  it('reports raw seconds beside units', () => {
    expect(secondsFor(entries)).toBe(1800)
    expect(secondsFor([span(0.001), span(1)])).toBeCloseTo(1.001, 9)
    expect(secondsFor([])).toBe(0)
  })
})

describe('validation', () => {
  it('accepts zero-length and exactly-24-hour spans', () => {
    expect(validateSpan(span(0))).toEqual({ startMs: T0, endMs: T0 })
    expect(unitsFor([span(86400)], noGrace)).toBe(96)
  })

  it('rejects an end before the start', () => {
    expect(codeOf(() => unitsFor([span(-1)], noGrace))).toBe('time.endBeforeStart')
    expect(codeOf(() => secondsFor([span(-0.001)]))).toBe('time.endBeforeStart')
  })

  it('rejects more than 24 hours', () => {
    expect(codeOf(() => unitsFor([span(86400.001)], noGrace))).toBe('time.tooLong')
  })

  it.each([
    '',
    'yesterday',
    '2024-13-01T00:00:00Z',
    '2024-02-30T10:00:00Z',
    '2023-02-29T10:00:00Z',
    '1900-02-29T10:00:00Z',
    '2100-02-29T10:00:00Z',
    '2024-01-01T24:00:00Z',
    '2024-01-01T10:60:00Z',
    '2024-01-01T10:00:60Z',
    '2024-01-01T10:00:00',
    '2024-01-01 10:00:00Z',
    '2024-01-01T10:00:00+0100',
    '2024-01-01T10:00:00+01:60',
    '2024-01-01',
    '24-01-01T10:00:00Z',
    ' 2024-01-01T10:00:00Z'
  ])('rejects the date %j', (bad) => {
    expect(codeOf(() => parseInstant(bad))).toBe('time.invalidDate')
    expect(
      codeOf(() => unitsFor([{ startedAt: bad, endedAt: '2024-01-01T10:00:00Z' }], noGrace))
    ).toBe('time.invalidDate')
  })

  it.each([
    { scope: 'week' },
    { scope: 'entry', graceSeconds: 900 },
    { scope: 'entry', graceSeconds: -1 },
    { scope: 'entry', graceSeconds: 1.5 },
    { scope: 'entry', minimumUnits: 1001 },
    { scope: 'entry', extra: true },
    {}
  ])('rejects the policy %j', (policy) => {
    const bad = policy as unknown as UnitsPolicy
    expect(codeOf(() => unitsFor([span(60)], bad))).toBe('units.invalidPolicy')
    expect(codeOf(() => unitsForSeconds(60, bad))).toBe('units.invalidPolicy')
    expect(codeOf(() => secondsUntilNextUnit([], bad, null, span(0).startedAt))).toBe(
      'units.invalidPolicy'
    )
  })

  it('carries a readable message', () => {
    expect(() => unitsFor([span(-60)], noGrace)).toThrow(/end time is before the start time/)
  })
})

describe('secondsUntilNextUnit', () => {
  const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString()
  const running = { startedAt: at(0) }

  it('counts down to the next started unit', () => {
    // 08:48 elapsed: unit 2 is counted from 15:00.001, so 372 s and a bit.
    expect(secondsUntilNextUnit([], noGrace, running, at(528))).toBe(373)
    expect(secondsUntilNextUnit([], noGrace, running, at(528.5))).toBe(372)
    expect(secondsUntilNextUnit([], noGrace, running, at(900))).toBe(1)
    expect(secondsUntilNextUnit([], noGrace, running, at(900.5))).toBe(900)
  })

  it('adds finished entries to the running segment', () => {
    const done = [span(600, -7200), span(600, -3600)]
    expect(secondsUntilNextUnit(done, noGrace, running, at(0))).toBe(601)
    expect(secondsUntilNextUnit(done, noGrace, null, at(0))).toBe(601)
    // Under the entry scope a new timer starts a new unit at once.
    expect(secondsUntilNextUnit(done, { scope: 'entry' }, null, at(0))).toBe(1)
  })

  it('honours grace', () => {
    expect(secondsUntilNextUnit([], grace60, running, at(528))).toBe(433)
  })

  it('honours the minimum: with 4 units minimum, the 5th starts after 60:00', () => {
    expect(secondsUntilNextUnit([], min4, running, at(1))).toBe(3600)
    expect(secondsUntilNextUnit([], min4, null, at(0))).toBe(1)
  })

  it('sees a new Paris day start a new unit under the day scope', () => {
    // 23:50 Paris in winter, 5 min elapsed: midnight Paris is 5 min away.
    const start = '2024-01-15T22:50:00Z'
    const now = '2024-01-15T22:55:00Z'
    expect(secondsUntilNextUnit([], { scope: 'day' }, { startedAt: start }, now)).toBe(301)
    expect(secondsUntilNextUnit([], { scope: 'intervention' }, { startedAt: start }, now)).toBe(601)
  })

  it('treats a running start in the future as a timer started now', () => {
    expect(secondsUntilNextUnit([], noGrace, { startedAt: at(60) }, at(0))).toBe(1)
  })

  it('validates its inputs', () => {
    expect(codeOf(() => secondsUntilNextUnit([], noGrace, null, 'now'))).toBe('time.invalidDate')
    expect(codeOf(() => secondsUntilNextUnit([span(-1)], noGrace, null, at(0)))).toBe(
      'time.endBeforeStart'
    )
  })
})

describe("tallySpans (the server's one pass over stored instants)", () => {
  it('agrees with secondsFor and unitsFor on random entries under every policy', () => {
    const random = seededRandom(7)
    const policies: UnitsPolicy[] = [
      noGrace,
      grace60,
      min4,
      { scope: 'entry', graceSeconds: 120 },
      { scope: 'day', minimumUnits: 2 }
    ]
    for (let round = 0; round < 300; round++) {
      const entries = Array.from({ length: Math.floor(random() * 6) }, () =>
        span(Math.floor(random() * 4 * 3600), Math.floor(random() * 30 * 86400))
      )
      const spans = entries.map((e) => ({
        startMs: Date.parse(e.startedAt),
        endMs: Date.parse(e.endedAt)
      }))
      for (const policy of policies) {
        expect(tallySpans(spans, policy)).toEqual({
          seconds: secondsFor(entries),
          units: unitsFor(entries, policy)
        })
      }
    }
  })

  it('refuses a span the unit maths refuses, with the same code', () => {
    expect(codeOf(() => tallySpans([{ startMs: 2000, endMs: 1000 }], noGrace))).toBe(
      'time.endBeforeStart'
    )
    expect(codeOf(() => tallySpans([{ startMs: 0, endMs: 86_400_001 }], noGrace))).toBe(
      'time.tooLong'
    )
  })
})

describe('entriesIssue and spanSeconds (stored data edited outside Carnet)', () => {
  const ok = { startedAt: '2024-01-15T09:00:00Z', endedAt: '2024-01-15T09:20:00Z' }
  const long = { startedAt: '2024-01-15T09:00:00Z', endedAt: '2024-01-16T15:00:00Z' }

  it('names what unitsFor would refuse, and nothing when it would not', () => {
    expect(entriesIssue([ok], noGrace)).toBeNull()
    expect(entriesIssue([ok, long], noGrace)?.code).toBe('time.tooLong')
    expect(codeOf(() => unitsFor([ok, long], noGrace))).toBe('time.tooLong')
    expect(entriesIssue([ok], { scope: 'week' } as unknown as UnitsPolicy)?.code).toBe(
      'units.invalidPolicy'
    )
  })

  it('reads a span as stored without throwing', () => {
    expect(spanSeconds(ok)).toBe(1200)
    expect(spanSeconds(long)).toBe(30 * 3600)
    expect(spanSeconds({ startedAt: 'garbage', endedAt: ok.endedAt })).toBe(0)
    expect(spanSeconds({ startedAt: ok.endedAt, endedAt: ok.startedAt })).toBe(0)
  })
})
