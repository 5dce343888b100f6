import { generateDemoData } from '../../../shared/demo/demo-data'
import { parisToday } from '../../../shared/domain/paris-time'
import { CarnetDb } from '../db/database'
import type { InterventionRow, TimeEntryRow } from '../db/rows'

export interface SeedResult {
  skipped: boolean
  interventions: number
  timeEntries: number
  generateMs: number
  interventionsRowsPerSecond: number
  timeEntriesRowsPerSecond: number
}

const CHUNK = 2000

async function bulkAddChunked<T>(
  db: CarnetDb,
  table: 'interventions' | 'timeEntries',
  rows: T[]
): Promise<number> {
  const started = performance.now()
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK)
    await db.transaction('rw', db.table(table), () => db.table(table).bulkAdd(chunk))
  }
  const seconds = (performance.now() - started) / 1000
  return Math.round(rows.length / seconds)
}

/**
 * Fills the app's own store (same origin, same IndexedDB) as a first pull would: version 1,
 * interventions with their local figures, nothing in the outbox. Generated in the page so no
 * data crosses the DevTools protocol. The demo generator gives ~0.71 × 6 entries per
 * intervention when asked 1.5 × the target; the list is cut to exactly `timeEntries`.
 */
export async function seed(interventions: number, timeEntries: number): Promise<SeedResult> {
  const db = new CarnetDb()
  await db.open()
  try {
    const existing = await db.interventions.count()
    if (existing > 0) {
      const entries = await db.timeEntries.count()
      return {
        skipped: true,
        interventions: existing,
        timeEntries: entries,
        generateMs: 0,
        interventionsRowsPerSecond: 0,
        timeEntriesRowsPerSecond: 0
      }
    }
    const t0 = performance.now()
    const data = generateDemoData({
      today: parisToday(Date.now()),
      interventions,
      timeEntries: Math.round(timeEntries * 1.5),
      seed: 20240611
    })
    const generateMs = performance.now() - t0
    const v = <T>(rows: T[]) => rows.map((row) => ({ ...row, version: 1 }))
    await db.transaction(
      'rw',
      [db.collectivites, db.conventions, db.sites, db.assets, db.balances],
      async () => {
        await db.collectivites.bulkAdd(v(data.collectivites))
        await db.conventions.bulkAdd(v(data.conventions))
        await db.sites.bulkAdd(v(data.sites))
        await db.assets.bulkAdd(v(data.assets))
        await db.balances.bulkAdd(v(data.balances))
      }
    )
    const interventionRows: InterventionRow[] = data.interventions.map((i) => ({
      ...i,
      version: 1,
      localSeconds: i.seconds,
      localUnits: i.units
    }))
    const entryRows: TimeEntryRow[] = v(data.timeEntries.slice(0, timeEntries))
    const interventionsRowsPerSecond = await bulkAddChunked(db, 'interventions', interventionRows)
    const timeEntriesRowsPerSecond = await bulkAddChunked(db, 'timeEntries', entryRows)
    return {
      skipped: false,
      interventions: await db.interventions.count(),
      timeEntries: await db.timeEntries.count(),
      generateMs,
      interventionsRowsPerSecond,
      timeEntriesRowsPerSecond
    }
  } finally {
    db.close()
  }
}
