import Dexie from 'dexie'
import type { PullResponse, SyncTable } from '../../../shared/sync/protocol'
import { CarnetDb } from '../db/database'
import { syncOnce, type Transport } from '../sync/sync-once'

/*
 * Initial-sync figures: the real pull pages of the real server, handed in by the bench (the
 * page's CSP keeps it from calling the server itself), applied by the app's own syncOnce →
 * applyPullPage, beside raw Dexie bulkPut of the same rows into a store with the same schema.
 */
const pages: string[] = []
let parsed: PullResponse[] = []

/** Receives the pages as the server sent them (JSON text), a few at a time. */
export function loadPages(chunk: string[]): number {
  pages.push(...chunk)
  return pages.length
}

/** Parses every page once (timed apart: both paths below start from parsed pages). */
export function parsePages(): { pages: number; ops: number; parseMs: number; bytes: number } {
  const t0 = performance.now()
  parsed = pages.map((text) => JSON.parse(text) as PullResponse)
  const parseMs = performance.now() - t0
  const ops = parsed.reduce((n, p) => n + p.ops.length, 0)
  const bytes = pages.reduce((n, p) => n + p.length, 0)
  return { pages: parsed.length, ops, parseMs, bytes }
}

export function clearPages(): void {
  pages.length = 0
  parsed = []
}

export interface ApplyRun {
  ms: number
  ops: number
  pages: number
  rowsPerSecond: number
  counts: Record<string, number>
  /** Main-thread tasks over 50 ms while the run went (PerformanceObserver 'longtask'). */
  longTasks: { count: number; maxMs: number; totalMs: number }
  /** Per page: ms from the transport's answer to the next request (the apply of that page). */
  pageMs: number[]
}

async function fresh(name: string): Promise<CarnetDb> {
  await Dexie.delete(name)
  const db = new CarnetDb(name)
  await db.open()
  return db
}

async function counts(db: CarnetDb): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const table of db.tables) out[table.name] = await table.count()
  return out
}

/** Runs fn while watching long tasks; returns both. */
async function watched<T>(
  fn: () => Promise<T>
): Promise<{ value: T; longTasks: ApplyRun['longTasks'] }> {
  const tasks: number[] = []
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) tasks.push(entry.duration)
  })
  observer.observe({ type: 'longtask', buffered: false })
  // A frame first, so a task already queued before the run is not counted in it.
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))
  const value = await fn()
  await new Promise((r) => setTimeout(r, 50))
  for (const entry of observer.takeRecords()) tasks.push(entry.duration)
  observer.disconnect()
  return {
    value,
    longTasks: {
      count: tasks.length,
      maxMs: tasks.length ? Math.max(...tasks) : 0,
      totalMs: tasks.reduce((a, b) => a + b, 0)
    }
  }
}

/**
 * A first sync into an empty store through syncOnce: the transport answers each pull with the
 * next server page (after checking the client sent the cookie of the page before), so what is
 * timed is the client's apply path: meta, one transaction per page (bulkPut per table + cookie).
 */
export async function syncApply(name: string): Promise<ApplyRun> {
  if (parsed.length === 0) throw new Error('no pages loaded')
  const db = await fresh(name)
  let next = 0
  let answeredAt = 0
  const pageMs: number[] = []
  const transport: Transport = {
    push: () => Promise.reject(new Error('nothing to push in a first sync')),
    pull: async (request) => {
      if (answeredAt) pageMs.push(performance.now() - answeredAt)
      const expected = next === 0 ? null : (parsed[next - 1] as PullResponse).cookie
      if (request.cookie !== expected) throw new Error(`page ${next}: unexpected cookie`)
      const page = parsed[next++]
      if (!page) throw new Error('pulled past the last page')
      answeredAt = performance.now()
      return page
    }
  }
  const t0 = performance.now()
  const { value: report, longTasks } = await watched(() => syncOnce(db, transport))
  const ms = performance.now() - t0
  if (answeredAt) pageMs.push(performance.now() - answeredAt)
  const result = {
    ms,
    ops: report.pulledOps,
    pages: report.pages,
    rowsPerSecond: (report.pulledOps * 1000) / ms,
    counts: await counts(db),
    longTasks,
    pageMs
  }
  db.close()
  await Dexie.delete(name)
  return result
}

/** The floor: per page, one transaction with one bulkPut per table of the page's rows. */
export function rawApply(name: string): Promise<ApplyRun> {
  return pagewise(name, 0)
}

/**
 * A proposed fix, measured: the same page transaction with its cookie, but bulkPut in slices of
 * `slice` rows; between slices the main thread is free (the IndexedDB requests complete as tasks).
 */
export function slicedApply(name: string, slice: number): Promise<ApplyRun> {
  return pagewise(name, slice)
}

async function pagewise(name: string, slice: number): Promise<ApplyRun> {
  if (parsed.length === 0) throw new Error('no pages loaded')
  const db = await fresh(name)
  const pageMs: number[] = []
  const t0 = performance.now()
  const { longTasks } = await watched(async () => {
    for (const page of parsed) {
      const p0 = performance.now()
      const byTable = new Map<SyncTable, Record<string, unknown>[]>()
      for (const op of page.ops) {
        if (op.op !== 'put') continue
        const rows = byTable.get(op.table) ?? []
        rows.push(op.value)
        byTable.set(op.table, rows)
      }
      const tables = [...byTable.keys()].map((t) => db.table(t))
      if (slice > 0) tables.push(db.table('meta'))
      await db.transaction('rw', tables, async () => {
        for (const [table, rows] of byTable) {
          const step = slice || rows.length
          for (let i = 0; i < rows.length; i += step)
            await db.table(table).bulkPut(rows.slice(i, i + step))
        }
        if (slice > 0) await db.meta.put({ key: 'cookie', value: page.cookie })
      })
      pageMs.push(performance.now() - p0)
    }
  })
  const ms = performance.now() - t0
  const ops = parsed.reduce((n, p) => n + p.ops.length, 0)
  const result = {
    ms,
    ops,
    pages: parsed.length,
    rowsPerSecond: (ops * 1000) / ms,
    counts: await counts(db),
    longTasks,
    pageMs
  }
  db.close()
  await Dexie.delete(name)
  return result
}
