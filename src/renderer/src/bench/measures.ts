import { liveQuery } from 'dexie'
import { CarnetDb, DB_NAME } from '../db/database'
import type { RepoContext } from '../db/context'
import { startTimer, stopTimer } from '../db/repos/timer'
import type { InterventionRow, TimeEntryRow } from '../db/rows'
import {
  EMPTY_FILTER,
  filterInterventions,
  indexInterventions,
  type ListFilter
} from '../features/interventions/filter'

/** Opening the store and reading every intervention, as the list does, without React. */
export async function openAndToArray(): Promise<{
  openMs: number
  toArrayMs: number
  rows: number
}> {
  const t0 = performance.now()
  const db = new CarnetDb()
  await db.open()
  const t1 = performance.now()
  const rows = await db.interventions.toArray()
  const t2 = performance.now()
  db.close()
  return { openMs: t1 - t0, toArrayMs: t2 - t1, rows: rows.length }
}

/**
 * The list's read as the list does it: `toArray` inside a live query, whose first answer goes
 * through Dexie 4's query cache ('cloned' by default deep-clones it, 'immutable' freezes it).
 */
export async function liveToArray(cache: 'cloned' | 'immutable'): Promise<number> {
  const db = new CarnetDb(DB_NAME, { cache })
  await db.open()
  const t0 = performance.now()
  const rows = await new Promise<InterventionRow[]>((resolve, reject) => {
    const subscription = liveQuery(() => db.interventions.toArray()).subscribe({
      next: (value) => {
        resolve(value)
        queueMicrotask(() => subscription.unsubscribe())
      },
      error: reject
    })
  })
  const ms = performance.now() - t0
  db.close()
  if (rows.length === 0) throw new Error('live query read nothing')
  return ms
}

let held: InterventionRow[] | null = null

/** Keeps the 50k rows alive so the heap they take can be read from outside. */
export async function holdRows(): Promise<number> {
  const db = new CarnetDb()
  held = await db.interventions.toArray()
  db.close()
  return held.length
}

export function releaseRows(): void {
  held = null
}

export interface FilterBaseline {
  indexMs: number
  /** Per filter, in the order given: ms for `filterInterventions` over the indexed 50k. */
  filterMs: number[]
  /** Per filter: how many rows it keeps (the count the page must then show). */
  counts: number[]
  /** The plainest possible scan: `haystacks.filter(h => h.includes(word))`, per filter. */
  plainMs: number[]
}

/** The list's own in-memory search (same functions), timed without React or the DOM. */
export async function filterBaseline(filters: Partial<ListFilter>[]): Promise<FilterBaseline> {
  const db = new CarnetDb()
  const [rows, collectivites, conventions] = await Promise.all([
    db.interventions.toArray(),
    db.collectivites.toArray(),
    db.conventions.toArray()
  ])
  db.close()
  const t0 = performance.now()
  const indexed = indexInterventions(
    rows,
    new Map(collectivites.map((c) => [c.id, c.name])),
    new Map(conventions.map((c) => [c.id, c.number]))
  )
  const indexMs = performance.now() - t0
  const haystacks = indexed.map((i) => i.haystack)
  const result: FilterBaseline = { indexMs, filterMs: [], counts: [], plainMs: [] }
  for (const patch of filters) {
    const filter = { ...EMPTY_FILTER, ...patch }
    const a = performance.now()
    const kept = filterInterventions(indexed, filter)
    result.filterMs.push(performance.now() - a)
    result.counts.push(kept.length)
    const word = (filter.text || filter.status || filter.kind).toLowerCase()
    const b = performance.now()
    haystacks.filter((h) => h.includes(word))
    result.plainMs.push(performance.now() - b)
  }
  return result
}

export interface ActionBench {
  startMs: number[]
  stopMs: number[]
  rawMs: number[]
  rawRowBytes: number
  entriesAdded: number
  outboxAdded: number
  timerLeft: boolean
}

function rawRow(i: number, interventionId: string): TimeEntryRow {
  const at = new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString()
  return {
    id: `0190aaaa-bbbb-7ccc-8ddd-${String(i).padStart(12, '0')}`,
    interventionId,
    technicianId: 'demo-technicien',
    startedAt: at,
    endedAt: at,
    mode: 'onSite',
    source: 'timer',
    assetId: null,
    createdAt: at,
    voidedAt: null,
    voidReason: null,
    version: 0,
    note: 'banc'
  }
}

/**
 * Timer start and stop through the real repository functions (fake clock: 3 min of work, then
 * 1 min idle), interleaved with the raw Dexie figure of one transaction writing one ~360-byte
 * row and one outbox row with the same strict durability. Each action rotates over
 * interventions in progress so none piles up entries.
 */
export async function actionBench(iterations: number, warmup: number): Promise<ActionBench> {
  const db = new CarnetDb()
  await db.open()
  let clock = Date.now()
  const ctx: RepoContext = { db, technicianId: 'demo-technicien', now: () => clock }
  const targets = (await db.interventions.limit(5000).toArray())
    .filter((i) => i.status === 'inProgress')
    .map((i) => i.id)
  if (targets.length === 0) throw new Error('no intervention in progress to time')
  const entriesBefore = await db.timeEntries.count()
  const outboxBefore = await db.outbox.count()
  const out: ActionBench = {
    startMs: [],
    stopMs: [],
    rawMs: [],
    rawRowBytes: JSON.stringify(rawRow(0, targets[0] as string)).length,
    entriesAdded: 0,
    outboxAdded: 0,
    timerLeft: false
  }
  for (let i = 0; i < warmup + iterations; i++) {
    const target = targets[i % targets.length] as string
    const t0 = performance.now()
    await startTimer(ctx, target, i % 2 ? 'remote' : 'onSite')
    const t1 = performance.now()
    clock += 3 * 60_000 + 7_000
    const t2 = performance.now()
    await stopTimer(ctx)
    const t3 = performance.now()
    clock += 60_000
    const row = rawRow(i, target)
    const outboxRow = {
      mutationId: 1e9 + i,
      name: 'timeEntry.add.v1' as const,
      args: { id: row.id, interventionId: target, startedAt: row.startedAt },
      clientTime: row.createdAt
    }
    const t4 = performance.now()
    await db.transaction('rw', [db.timeEntries, db.outbox], async () => {
      await db.timeEntries.add(row)
      await db.outbox.add(outboxRow)
    })
    const t5 = performance.now()
    if (i < warmup) continue
    out.startMs.push(t1 - t0)
    out.stopMs.push(t3 - t2)
    out.rawMs.push(t5 - t4)
  }
  const total = warmup + iterations
  out.entriesAdded = (await db.timeEntries.count()) - entriesBefore - total
  out.outboxAdded = (await db.outbox.count()) - outboxBefore - total
  out.timerLeft = (await db.timers.count()) > 0
  db.close()
  return out
}
