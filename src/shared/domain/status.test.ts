import { describe, it, expect } from 'vitest'
import { DomainError } from './errors'
import {
  INTERVENTION_STATUSES,
  acceptsTimeEntries,
  allowedTransitions,
  assertTransition,
  canTransition,
  isLocked,
  type InterventionStatus
} from './status'

const ALLOWED: Record<InterventionStatus, InterventionStatus[]> = {
  planned: ['inProgress', 'onHold'],
  inProgress: ['onHold', 'done'],
  onHold: ['inProgress', 'done'],
  done: ['inProgress', 'signed'],
  signed: []
}

const pairs = INTERVENTION_STATUSES.flatMap((from) =>
  INTERVENTION_STATUSES.map((to) => [from, to] as const)
)

describe('intervention status machine', () => {
  it.each(pairs)('%s → %s', (from, to) => {
    const expected = ALLOWED[from].includes(to)
    expect(canTransition(from, to)).toBe(expected)
    if (expected) {
      expect(() => assertTransition(from, to)).not.toThrow()
      return
    }
    let caught: unknown
    try {
      assertTransition(from, to)
    } catch (e) {
      caught = e
    }
    expect(caught).toBeInstanceOf(DomainError)
    expect((caught as DomainError).code).toBe(
      from === 'signed' ? 'status.locked' : 'status.illegalTransition'
    )
  })

  it('lists allowed transitions', () => {
    for (const s of INTERVENTION_STATUSES) expect(allowedTransitions(s)).toEqual(ALLOWED[s])
  })

  it('locks only signed interventions', () => {
    for (const s of INTERVENTION_STATUSES) {
      expect(isLocked(s)).toBe(s === 'signed')
      expect(acceptsTimeEntries(s)).toBe(s !== 'signed')
    }
  })
})
