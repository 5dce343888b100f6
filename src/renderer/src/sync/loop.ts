import { liveQuery } from 'dexie'
import type { CarnetDb } from '../db/database'
import { api } from '../lib/api'
import { toUserFacingError } from '../lib/report-error'
import { syncOnce } from './sync-once'
import { useSyncState } from './store'

export const POLL_MS = 30_000
const LOCK = 'carnet-sync'

/** Exponential backoff with jitter, capped at 5 minutes: many laptops reconnecting at 8:00 spread out. */
export function backoffMs(failures: number, random = Math.random): number {
  const base = Math.min(300_000, 1000 * 2 ** Math.min(failures, 9))
  return Math.round(base * (0.5 + random()))
}

const transport = {
  push: (request: Parameters<typeof api.syncPush>[0]) => api.syncPush(request),
  pull: (request: Parameters<typeof api.syncPull>[0]) => api.syncPull(request)
}

/**
 * The background sync loop: runs on start, on the server's poke, every 30 s, when the network
 * returns, and shortly after each local change; never blocks the UI. A Web Lock makes it one loop
 * across windows: a window that cannot take the lock leaves the work to the one that holds it.
 */
export function startSyncLoop(db: CarnetDb): { stop: () => void; syncNow: () => void } {
  let timer: ReturnType<typeof setTimeout> | null = null
  let running = false
  let again = false
  let stopped = false

  const schedule = (delay: number) => {
    if (stopped) return
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => void run(), delay)
  }

  const run = async () => {
    if (running) {
      again = true
      return
    }
    running = true
    try {
      const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined
      if (locks)
        // Another window syncs: check back later, in case that window closes.
        await locks.request(LOCK, { ifAvailable: true }, async (lock) =>
          lock ? attempt() : schedule(POLL_MS)
        )
      else await attempt()
    } finally {
      running = false
      if (again) {
        again = false
        schedule(0)
      }
    }
  }

  const attempt = async () => {
    useSyncState.setState({ phase: 'syncing' })
    try {
      await syncOnce(db, transport)
      useSyncState.setState({ phase: 'idle', lastError: null, failures: 0, nextAttemptAt: null })
      schedule(POLL_MS)
    } catch (error) {
      const facing = toUserFacingError(error)
      if (facing.code === 'auth.required') {
        useSyncState.setState({ phase: 'signedOut', lastError: facing, nextAttemptAt: null })
        return
      }
      const failures = useSyncState.getState().failures + 1
      const delay = backoffMs(failures)
      const offline = facing.code === 'sync.offline' || facing.code === 'host.disconnected'
      useSyncState.setState({
        phase: offline ? 'offline' : 'error',
        lastError: facing,
        failures,
        nextAttemptAt: Date.now() + delay
      })
      schedule(delay)
    }
  }

  const onOnline = () => schedule(0)
  window.addEventListener('online', onOnline)
  const offPoke = api.onSyncPoke(() => schedule(100))
  let lastCount = -1
  const outboxWatch = liveQuery(() => db.outbox.count()).subscribe((count) => {
    // A new local change: push it soon, batching a burst of edits into one request.
    if (count > lastCount && lastCount !== -1) schedule(1000)
    lastCount = count
  })
  schedule(0)

  return {
    stop: () => {
      stopped = true
      if (timer) clearTimeout(timer)
      window.removeEventListener('online', onOnline)
      offPoke()
      outboxWatch.unsubscribe()
    },
    syncNow: () => schedule(0)
  }
}
