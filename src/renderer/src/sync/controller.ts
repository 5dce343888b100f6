import type { CarnetDb } from '../db/database'
import { startSyncLoop } from './loop'

let loop: ReturnType<typeof startSyncLoop> | null = null

/** Starts the one background loop of this window (signed-in devices only). */
export function startSync(db: CarnetDb): void {
  loop ??= startSyncLoop(db)
}

export function syncNow(): void {
  loop?.syncNow()
}
