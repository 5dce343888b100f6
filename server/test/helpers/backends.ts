import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe } from 'vitest'
import type { Db } from '../../src/db/db'
import { migrate } from '../../src/db/migrations'
import { openPglite } from '../../src/db/pglite-db'
import { openPostgres } from '../../src/db/pg-db'
import { pgAvailable, pgMissingMessage, startPgCluster, type PgCluster } from './pg-cluster'

export type BackendName = 'pglite' | 'postgres'

export interface Backend {
  name: BackendName
  /** A fresh, migrated, empty database; on PostgreSQL, `poolSize` connections at most. */
  newDb(options?: { poolSize?: number }): Promise<Db>
  /** For the CLI tests: a DATABASE_URL of a fresh database, or null on PGlite. */
  newDatabaseUrl(): Promise<string | null>
}

let warned = false

/** True for the first caller in this test run: worker threads share the process id. */
function firstToWarn(): boolean {
  try {
    writeFileSync(join(tmpdir(), `carnet-pg-skip-warned-${process.pid}`), '', { flag: 'wx' })
    return true
  } catch {
    return false
  }
}

/**
 * Runs the same suite on embedded PGlite and on a throwaway PostgreSQL cluster. Without the
 * PostgreSQL binaries the second half is skipped with one loud line, unless CI is set: then it
 * fails, because CI must never go green by skipping.
 */
export function describeBackends(title: string, suite: (backend: Backend) => void): void {
  const hasPg = pgAvailable()
  if (!hasPg && !warned) {
    warned = true
    if (process.env.CI) throw new Error(pgMissingMessage())
    if (firstToWarn()) console.warn(`\n!!! ${pgMissingMessage()} !!!\n`)
  }
  describe(`${title} [pglite]`, () => {
    const opened: Db[] = []
    afterAll(async () => {
      await Promise.all(opened.map((db) => db.close()))
    })
    suite({
      name: 'pglite',
      async newDb() {
        const db = await openPglite()
        await migrate(db)
        opened.push(db)
        return db
      },
      async newDatabaseUrl() {
        return null
      }
    })
  })
  describe.skipIf(!hasPg)(`${title} [postgres]`, () => {
    let cluster: PgCluster | null = null
    let counter = 0
    const opened: Db[] = []
    beforeAll(async () => {
      cluster = await startPgCluster()
    }, 120_000)
    afterAll(async () => {
      await Promise.all(opened.map((db) => db.close()))
      cluster?.stop()
    })
    const newDatabaseUrl = async (): Promise<string> => {
      if (!cluster) throw new Error('PostgreSQL cluster not started')
      return cluster.createDatabase(`carnet_test_${++counter}`)
    }
    suite({
      name: 'postgres',
      async newDb(options) {
        const db = await openPostgres(await newDatabaseUrl(), options?.poolSize ?? 60)
        await migrate(db)
        opened.push(db)
        return db
      },
      newDatabaseUrl
    })
  })
}
