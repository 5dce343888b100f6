import { uuidv7 } from '../../../shared/domain/ids'
import type { CarnetDb } from '../db/database'

export interface SyncMeta {
  clientGroupId: string
  clientId: string
  cookie: string | null
  /** Highest mutation id the server has acknowledged through a pull. */
  ackedMutationId: number
  lastSyncAt: string | null
}

const KEYS = ['clientGroupId', 'clientId', 'cookie', 'ackedMutationId', 'lastSyncAt'] as const

/**
 * This device's sync identity and position, created on first use. One client group per local
 * database (a reinstall makes a new one: the server's idempotent inserts keep that safe).
 */
export async function readSyncMeta(db: CarnetDb): Promise<SyncMeta> {
  return db.transaction('rw', db.meta, async () => {
    const rows = await db.meta.bulkGet([...KEYS])
    const value = (i: number) => rows[i]?.value
    let clientGroupId = value(0)
    let clientId = value(1)
    if (typeof clientGroupId !== 'string' || typeof clientId !== 'string') {
      clientGroupId = uuidv7()
      clientId = uuidv7()
      await db.meta.bulkPut([
        { key: 'clientGroupId', value: clientGroupId },
        { key: 'clientId', value: clientId }
      ])
    }
    return {
      clientGroupId: clientGroupId as string,
      clientId: clientId as string,
      cookie: typeof value(2) === 'string' ? (value(2) as string) : null,
      ackedMutationId: typeof value(3) === 'number' ? (value(3) as number) : 0,
      lastSyncAt: typeof value(4) === 'string' ? (value(4) as string) : null
    }
  })
}
