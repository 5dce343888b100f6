import { describe, it, expect } from 'vitest'
import { balanceFor, warningFor, type BalanceInput } from './balance'
import { DomainError } from './errors'

const base: BalanceInput = {
  unitsPurchased: 100,
  unitsConsumed: 0,
  unitsPending: 0,
  startsOn: '2024-01-01',
  endsOn: '2024-12-31'
}
const today = '2024-06-15'

describe('balanceFor', () => {
  it('computes an active balance', () => {
    expect(balanceFor({ ...base, unitsConsumed: 40, unitsPending: 5 }, today)).toEqual({
      purchased: 100,
      consumed: 40,
      pending: 5,
      remaining: 55,
      usedRatio: 0.45,
      state: 'active',
      overrun: 0,
      daysLeft: 199
    })
  })

  it.each([
    [79, 0, 'active'],
    [70, 10, 'low'],
    [80, 0, 'low'],
    [99, 0, 'low'],
    [90, 10, 'exhausted'],
    [100, 0, 'exhausted']
  ])('consumed %d + pending %d of 100 is %s', (consumed, pending, state) => {
    const b = balanceFor({ ...base, unitsConsumed: consumed, unitsPending: pending }, today)
    expect(b.state).toBe(state)
  })

  it('reaches "low" at exactly 80 % despite binary floating point', () => {
    expect(balanceFor({ ...base, unitsPurchased: 3, unitsConsumed: 2.4 }, today).state).toBe('low')
    expect(balanceFor({ ...base, unitsPurchased: 5, unitsConsumed: 4 }, today).state).toBe('low')
    expect(balanceFor({ ...base, unitsPurchased: 5, unitsConsumed: 3 }, today).state).toBe('active')
  })

  it('accepts work beyond the purchased units and flags it', () => {
    const b = balanceFor({ ...base, unitsConsumed: 98, unitsPending: 7 }, today)
    expect(b.remaining).toBe(-5)
    expect(b.overrun).toBe(5)
    expect(b.usedRatio).toBeCloseTo(1.05)
    expect(b.state).toBe('exhausted')
  })

  it('expires the day after endsOn', () => {
    expect(balanceFor(base, '2024-12-31')).toMatchObject({ state: 'active', daysLeft: 0 })
    expect(balanceFor(base, '2025-01-01')).toMatchObject({ state: 'expired', daysLeft: 0 })
  })

  it('terminates on terminatedOn', () => {
    const t = { ...base, terminatedOn: '2024-06-15' }
    expect(balanceFor(t, '2024-06-14').state).toBe('active')
    expect(balanceFor(t, '2024-06-15')).toMatchObject({ state: 'terminated', daysLeft: 0 })
    expect(balanceFor({ ...base, terminatedOn: null }, today).state).toBe('active')
  })

  it('applies the precedence terminated > expired > exhausted > low', () => {
    const all = { ...base, unitsConsumed: 120, terminatedOn: '2024-03-01' }
    expect(balanceFor(all, '2025-02-01').state).toBe('terminated')
    expect(balanceFor({ ...all, terminatedOn: null }, '2025-02-01').state).toBe('expired')
    expect(balanceFor({ ...all, terminatedOn: null }, today).state).toBe('exhausted')
    expect(balanceFor({ ...base, unitsConsumed: 85 }, '2025-02-01').state).toBe('expired')
  })

  it('rejects malformed input', () => {
    expect(() => balanceFor({ ...base, unitsConsumed: -1 }, today)).toThrow(DomainError)
    expect(() => balanceFor({ ...base, endsOn: '2024-02-30' }, today)).toThrow(/not a valid date/)
    expect(() => balanceFor(base, 'today')).toThrow(DomainError)
  })
})

describe('warningFor', () => {
  it.each([
    [{ unitsConsumed: 10 }, today, 'none'],
    [{ unitsConsumed: 85 }, today, 'low'],
    [{ unitsConsumed: 100 }, today, 'exhausted'],
    [{ unitsConsumed: 10 }, '2025-01-02', 'expired'],
    [{ unitsConsumed: 10, terminatedOn: '2024-02-01' }, today, 'terminated']
  ] as const)('%j on %s warns %s', (over, day, warning) => {
    expect(warningFor(balanceFor({ ...base, ...over }, day))).toBe(warning)
  })
})
