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

/** A connection string's own `options` parameter: its value is group 2. */
const OPTIONS_PARAM = /([?&]options=)([^&#]*)/

/**
 * Connection settings that make every connection use the ISO DateStyle (both readings above
 * assume it, whatever the server's, database's or role's default), as a startup option: no
 * round trip, and every connection of the pool has it. node-postgres lets a connection string's
 * own `options` win over the config's, so those get ISO_DATES appended in place (the rest of the
 * string is left byte for byte: re-serialising it could change how a password with a stray `%`
 * is read). Otherwise the config carries ISO_DATES, after PGOPTIONS, which it replaces.
 */
export function isoDatesConfig(
  connectionString: string,
  env: NodeJS.ProcessEnv = process.env
): { connectionString: string; options?: string } {
  if (OPTIONS_PARAM.test(connectionString)) {
    // `%20` for the spaces and a literal `=`: both survive node-postgres's re-encoding of a
    // string with a malformed escape, where `%3D` would not.
    const appended = connectionString.replace(
      OPTIONS_PARAM,
      (_, key: string, value: string) => `${key}${value}%20-c%20DateStyle=ISO`
    )
    return { connectionString: appended }
  }
  const inherited = env['PGOPTIONS']?.trim()
  return { connectionString, options: inherited ? `${inherited} ${ISO_DATES}` : ISO_DATES }
}

/**
 * PostgreSQL through a pool. Each transaction owns one pooled connection from BEGIN to the end,
 * so concurrent requests really run concurrently and row locks (`FOR UPDATE`) do the ordering.
 */
export async function openPostgres(connectionString: string, poolSize = 10): Promise<Db> {
  const pool = new pg.Pool({ ...isoDatesConfig(connectionString), max: poolSize, types })
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
