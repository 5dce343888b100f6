import type { CarnetDb } from './database'

/**
 * What every repository function needs: the store, who is acting, and the clock. The clock is a
 * parameter so tests (and the bench) can drive time without waiting for it.
 */
export interface RepoContext {
  db: CarnetDb
  technicianId: string
  now: () => number
}

/** ISO instant of `ms`, truncated to the second: stored times read cleanly and round-trip. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString()
}
