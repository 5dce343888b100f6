import { create } from 'zustand'

export type SyncPhase = 'signedOut' | 'idle' | 'syncing' | 'offline' | 'error'

/** What the sync panel shows (UI state; the durable facts live in Dexie `meta`). */
export interface SyncState {
  phase: SyncPhase
  lastError: { code: string; detail: string } | null
  /** Consecutive failures, for the backoff. */
  failures: number
  nextAttemptAt: number | null
}

export const useSyncState = create<SyncState>(() => ({
  phase: 'signedOut',
  lastError: null,
  failures: 0,
  nextAttemptAt: null
}))
