import { DEMO_TECHNICIAN, generateDemoData, type DemoOptions } from '../../../shared/demo/demo-data'
import type { CarnetDb } from './database'

export interface LocalTechnician {
  id: string
  name: string
}

/**
 * First run without a server: load the clearly labelled fictional data set, as if a first pull
 * had brought it (version 1, nothing in the outbox). Does nothing when data already exists.
 */
export async function loadDemoDataIfEmpty(db: CarnetDb, options: DemoOptions): Promise<boolean> {
  return db.transaction(
    'rw',
    [
      db.collectivites,
      db.conventions,
      db.sites,
      db.assets,
      db.interventions,
      db.timeEntries,
      db.balances,
      db.meta
    ],
    async () => {
      if ((await db.collectivites.count()) > 0) return false
      const data = generateDemoData(options)
      const v = <T>(rows: T[]) => rows.map((row) => ({ ...row, version: 1 }))
      await db.collectivites.bulkAdd(v(data.collectivites))
      await db.conventions.bulkAdd(v(data.conventions))
      await db.sites.bulkAdd(v(data.sites))
      await db.assets.bulkAdd(v(data.assets))
      await db.interventions.bulkAdd(
        data.interventions.map((i) => ({
          ...i,
          version: 1,
          localSeconds: i.seconds,
          localUnits: i.units
        }))
      )
      await db.timeEntries.bulkAdd(v(data.timeEntries))
      await db.balances.bulkAdd(v(data.balances))
      await db.meta.put({ key: 'demo', value: true })
      return true
    }
  )
}

/** Who is working on this device until sign-in exists (sync issue): the demo technician. */
export async function localTechnician(db: CarnetDb): Promise<LocalTechnician> {
  const row = await db.meta.get('technician')
  if (row && typeof row.value === 'object' && row.value !== null)
    return row.value as LocalTechnician
  await db.meta.put({ key: 'technician', value: DEMO_TECHNICIAN })
  return DEMO_TECHNICIAN
}
