import pg from 'pg'
import {
  makeTx,
  preparedName,
  type Db,
  type QueryResult,
  type TransactionOptions,
  type Tx
} from './db'
import { TYPE_PARSERS } from './types'

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    const parser = TYPE_PARSERS[oid]
    if (parser && format !== 'binary') return parser
    return pg.types.getTypeParser(oid, format ?? 'text')
  }
} as pg.CustomTypesConfig

/** Dates are read as text ('YYYY-MM-DD', types.ts) and pulled instants as UTC text (rows.ts). */
const ISO_DATES = '-c DateStyle=ISO'

/**
 * The connection string with ISO_DATES added to the startup options it may carry: both readings
 * above assume the ISO style, whatever the server's, database's or role's default. A startup
 * option costs no round trip and applies to every connection. A string the URL parser refuses
 * (e.g. a socket URL with a user and no host) is left as is: the pool's own `options` then
 * apply, unless the string carries some, which node-postgres lets win.
 */
export function withIsoDates(connectionString: string): string {
  let url: URL
  try {
    url = new URL(connectionString)
  } catch {
    return connectionString
  }
  const options = url.searchParams.get('options')
  url.searchParams.set('options', options ? `${options} ${ISO_DATES}` : ISO_DATES)
  return url.toString()
}

/**
 * PostgreSQL through a pool. Each transaction owns one pooled connection from BEGIN to the end,
 * so concurrent requests really run concurrently and row locks (`FOR UPDATE`) do the ordering.
 */
export async function openPostgres(connectionString: string, poolSize = 10): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: withIsoDates(connectionString),
    options: ISO_DATES,
    max: poolSize,
    types
  })
  // An idle client dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined)
  await pool.query('SELECT 1')
  const listeners: pg.Client[] = []

  const toResult = <T>(result: pg.QueryResult): QueryResult<T> => ({
    rows: result.rows as T[],
    rowCount: result.rowCount ?? result.rows.length
  })

  const config = (sql: string, params?: readonly unknown[]): pg.QueryConfig => {
    const name = preparedName(sql)
    return { text: sql, ...(params ? { values: [...params] } : {}), ...(name ? { name } : {}) }
  }

  const db: Db = {
    kind: 'postgres',
    async query<T>(sql: string, params?: readonly unknown[]) {
      return toResult<T>(await pool.query(config(sql, params)))
    },
    async exec(sql) {
      await pool.query(sql)
    },
    async transaction<T>(fn: (tx: Tx) => Promise<T>, options: TransactionOptions = {}) {
      const client = await pool.connect()
      const run = async <R>(sql: string, params?: readonly unknown[]) =>
        toResult<R>(await client.query(config(sql, params)))
      const exec = async (sql: string): Promise<void> => {
        await client.query(sql)
      }
      let broken = false
      try {
        await run(`BEGIN ISOLATION LEVEL ${(options.isolation ?? 'read committed').toUpperCase()}`)
        const result = await fn(makeTx(run, exec))
        await run('COMMIT')
        return result
      } catch (error) {
        try {
          await client.query('ROLLBACK')
        } catch {
          broken = true
        }
        throw error
      } finally {
        client.release(broken)
      }
    },
    async listen(channel, onPayload) {
      // LISTEN needs a connection of its own that stays out of the pool.
      const client = new pg.Client({ connectionString })
      client.on('error', () => undefined)
      await client.connect()
      client.on('notification', (message) => {
        if (message.channel === channel) onPayload(message.payload ?? '')
      })
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`)
      listeners.push(client)
      return async () => {
        listeners.splice(listeners.indexOf(client), 1)
        await client.end().catch(() => undefined)
      }
    },
    async close() {
      await Promise.all(listeners.splice(0).map((c) => c.end().catch(() => undefined)))
      await pool.end()
    }
  }
  return db
}
