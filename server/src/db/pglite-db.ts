import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import {
  makeTx,
  queryOneByOne,
  type Db,
  type QueryResult,
  type TransactionOptions,
  type Tx
} from './db'
import { acquireDataLock, type DataLock } from './data-lock'
import { TYPE_PARSERS } from './types'

/**
 * Serializes callers: PGlite is one backend process, so a transaction must own it from BEGIN to
 * COMMIT or another request's statements would land inside it.
 */
class Mutex {
  private tail: Promise<void> = Promise.resolve()

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn)
    this.tail = result.then(
      () => undefined,
      () => undefined
    )
    return result
  }
}

/**
 * Opens the embedded database. With a folder, the data persists there (and a lock file stops a
 * second process from opening it: PGlite is single-process); without, it lives in memory (tests).
 */
export async function openPglite(dataDir?: string): Promise<Db> {
  let lock: DataLock | null = null
  let pg: PGlite
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true })
    lock = acquireDataLock(dataDir)
    pg = new PGlite(join(dataDir, 'pgdata'), { parsers: TYPE_PARSERS })
  } else {
    pg = new PGlite({ parsers: TYPE_PARSERS })
  }
  try {
    await pg.waitReady
  } catch (error) {
    lock?.release()
    throw error
  }
  const mutex = new Mutex()
  const raw = async <T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> => {
    const result = await pg.query<T>(sql, params ? [...params] : undefined)
    return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length }
  }
  const exec = async (sql: string): Promise<void> => {
    await pg.exec(sql)
  }
  let closed = false

  const db: Db = {
    kind: 'pglite',
    query: (sql, params) => mutex.run(() => raw(sql, params)),
    exec: (sql) => mutex.run(() => exec(sql)),
    transaction<T>(fn: (tx: Tx) => Promise<T>, options: TransactionOptions = {}) {
      return mutex.run(async () => {
        await raw(`BEGIN ISOLATION LEVEL ${(options.isolation ?? 'read committed').toUpperCase()}`)
        // One statement at a time (in process, a round trip costs nothing); after commitWith,
        // statements are refused, as on PostgreSQL, where they would run outside the transaction.
        let committed = false
        const open = () => {
          if (committed) throw new Error('transaction already committed')
        }
        const run = async <R>(sql: string, params?: readonly unknown[]) => {
          open()
          return raw<R>(sql, params)
        }
        const tx = makeTx(
          run,
          async (sql) => {
            open()
            return exec(sql)
          },
          {
            queryAll: (statements) => queryOneByOne(run, statements),
            async commitWith<R>(sql: string, params?: readonly unknown[]) {
              const result = await run<R>(sql, params)
              await raw('COMMIT')
              committed = true
              return result
            }
          }
        )
        try {
          const result = await fn(tx)
          if (!committed) await raw('COMMIT')
          return result
        } catch (error) {
          if (!committed) await raw('ROLLBACK').catch(() => undefined)
          throw error
        }
      })
    },
    async listen(channel, onPayload) {
      const unsubscribe = await pg.listen(channel, onPayload)
      return async () => {
        if (!closed) await unsubscribe()
      }
    },
    async close() {
      if (closed) return
      closed = true
      await mutex.run(() => pg.close())
      lock?.release()
    }
  }
  return db
}
