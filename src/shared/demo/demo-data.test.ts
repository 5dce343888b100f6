import { describe, expect, it } from 'vitest'
import { balanceFor } from '../domain/balance'
import { conventionSchema, interventionSchema, timeEntrySchema } from '../domain/entities'
import { generateDemoData } from './demo-data'

describe('demo data', () => {
  const today = '2026-11-27'
  const data = generateDemoData({ today })

  it('shows every agreement state a technician must recognise', () => {
    const states = data.conventions.map((c) => {
      const b = data.balances.find((x) => x.conventionId === c.id)
      return balanceFor(
        {
          unitsPurchased: c.unitsPurchased,
          unitsConsumed: b?.unitsConsumed ?? 0,
          unitsPending: 0,
          startsOn: c.startsOn,
          endsOn: c.endsOn
        },
        today
      ).state
    })
    expect(states).toEqual(['active', 'low', 'exhausted', 'expired'])
  })

  it('is labelled fictional and valid against the domain schemas', () => {
    for (const c of data.collectivites) expect(c.name).toMatch(/fictive/)
    for (const c of data.conventions) expect(conventionSchema.safeParse(c).success).toBe(true)
    for (const i of data.interventions) expect(interventionSchema.safeParse(i).success).toBe(true)
    for (const e of data.timeEntries) expect(timeEntrySchema.safeParse(e).success).toBe(true)
  })

  it('is deterministic for a seed and scales for benchmarks', () => {
    expect(generateDemoData({ today }).interventions.map((i) => i.id)).toEqual(
      data.interventions.map((i) => i.id)
    )
    const big = generateDemoData({ today, interventions: 2000, timeEntries: 8000 })
    expect(big.interventions).toHaveLength(2000)
    expect(big.timeEntries.length).toBeGreaterThan(4000)
  })
})
