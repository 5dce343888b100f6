import { describe, it, expect } from 'vitest'
import { z } from 'zod'
import { uuidv7 } from './ids'

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('uuidv7', () => {
  it('has the RFC 9562 v7 layout and passes z.uuid()', () => {
    const u = uuidv7()
    expect(u).toMatch(V7)
    expect(z.uuid().safeParse(u).success).toBe(true)
  })

  it('embeds the millisecond timestamp', () => {
    const ms = Date.parse('2024-03-31T07:15:00.123Z')
    const u = uuidv7(ms)
    expect(parseInt(u.slice(0, 8) + u.slice(9, 13), 16)).toBe(ms)
  })

  it('sorts in creation order, also within one millisecond', () => {
    const fixed = Date.parse('2030-01-01T00:00:00Z')
    const same = Array.from({ length: 5000 }, () => uuidv7(fixed))
    expect([...same].sort()).toEqual(same)
    expect(new Set(same).size).toBe(same.length)
    const later = uuidv7(fixed + 60_000)
    expect(later > (same.at(-1) ?? '')).toBe(true)
  })

  it('rejects impossible timestamps', () => {
    expect(() => uuidv7(-1)).toThrow(RangeError)
    expect(() => uuidv7(2 ** 48)).toThrow(RangeError)
  })
})
