// IndexedDB here is fake-indexeddb, a spec-complete in-memory implementation for Node (the real
// Chromium IndexedDB is exercised by the e2e specs). Each test gets its own database.
import 'fake-indexeddb/auto'
import { afterEach, beforeEach } from 'vitest'
import { CarnetDb } from '../database'
import type { RepoContext } from '../context'
import { loadDemoDataIfEmpty } from '../demo'
import { createIntervention } from './interventions'

export const T0 = Date.parse('2026-11-27T08:00:00Z')
let counter = 0

/**
 * For the repository tests: each test gets a fresh database holding the demo data, technician
 * `tech-1`, and a clock at T0 that only the test moves.
 */
export function repoWorld() {
  let db: CarnetDb
  let clock = T0
  let ctx: RepoContext
  beforeEach(async () => {
    db = new CarnetDb(`carnet-test-${++counter}`)
    clock = T0
    ctx = { db, technicianId: 'tech-1', now: () => clock }
    await loadDemoDataIfEmpty(db, { today: '2026-11-27' })
  })
  afterEach(async () => {
    db.close()
    await db.delete()
  })
  return {
    db: () => db,
    ctx: () => ctx,
    clock: () => clock,
    advance(seconds: number) {
      clock += seconds * 1000
    },
    async newIntervention(title = 'Test'): Promise<string> {
      const convention = (await db.conventions.toArray())[0]
      if (!convention) throw new Error('test world: the demo data holds no agreement')
      return createIntervention(ctx, {
        collectiviteId: convention.collectiviteId,
        conventionId: convention.id,
        kind: 'curative',
        title
      })
    }
  }
}
