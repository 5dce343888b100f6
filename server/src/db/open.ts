import { resolve } from 'node:path'
import type { Db } from './db'
import { migrate } from './migrations'
import { openPglite } from './pglite-db'
import { openPostgres } from './pg-db'

export const DEFAULT_DATA_DIR = './carnet-server-data'

export interface DbTarget {
  /** PostgreSQL connection string; wins over dataDir when set. */
  databaseUrl?: string | undefined
  /** Folder of the embedded database. */
  dataDir?: string | undefined
}

/** Describes where the data lives, for logs (the connection string's password is hidden). */
export function describeTarget(target: DbTarget): string {
  if (target.databaseUrl) return `PostgreSQL ${target.databaseUrl.replace(/:[^:@/]*@/, ':***@')}`
  return `embedded database in ${resolve(target.dataDir ?? DEFAULT_DATA_DIR)}`
}

/** Opens the configured database and brings its schema up to date. */
export async function openDatabase(target: DbTarget): Promise<Db> {
  const db = target.databaseUrl
    ? await openPostgres(target.databaseUrl)
    : await openPglite(resolve(target.dataDir ?? DEFAULT_DATA_DIR))
  try {
    await migrate(db)
  } catch (error) {
    await db.close()
    throw error
  }
  return db
}
