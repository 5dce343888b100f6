import pg from 'pg'
import {
  makeTx,
  preparedName,
  queryOneByOne,
  type Db,
  type QueryResult,
  type Statement,
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

/** SQLSTATE of an EXECUTE whose prepared statement does not exist. */
const UNDEFINED_PREPARED_STATEMENT = '26000'

/**
 * A prepared statement missing from its connection (a pooler in between, or a DEALLOCATE the
 * driver did not see) is the connection's fault, not the request's: rethrown as transient (the
 * client retries), and the transaction drops the connection.
 */
function retryable(error: unknown): never {
  if ((error as { code?: unknown }).code !== UNDEFINED_PREPARED_STATEMENT) throw error
  throw Object.assign(new Error('A prepared statement was not found on its connection: retry.'), {
    code: UNDEFINED_PREPARED_STATEMENT,
    transient: true,
    cause: error
  })
}

/** Names of the statements prepared on each pooled connection (they last as long as it does). */
const PREPARED_ON = new WeakMap<pg.PoolClient, Set<string>>()

function preparedOn(client: pg.PoolClient): Set<string> {
  let names = PREPARED_ON.get(client)
  if (!names) PREPARED_ON.set(client, (names = new Set()))
  return names
}

/**
 * A parameter as a quoted SQL literal of unknown type (the prepared statement's parameter type
 * applies, as with a bound value), or null when it has no safe literal form: a NUL would cut the
 * query text short, and anything but these types goes through binding instead.
 */
export function sqlLiteral(value: unknown): string | null {
  if (value === null || value === undefined) return 'NULL'
  let text: string
  if (typeof value === 'string') text = value
  else if (typeof value === 'boolean') text = value ? 'true' : 'false'
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value)
  else if (Array.isArray(value) && value.every((v) => Number.isSafeInteger(v)))
    text = `{${value.join(',')}}`
  else return null
  if (text.includes('\u0000')) return null
  return quoted(text)
}

/**
 * pg's escapeLiteral (quotes doubled; with a backslash, backslashes doubled in an E'' string,
 * which means the same whatever standard_conforming_strings says), with native replaces instead
 * of its character loop: a 200-entry push's parameters are some 60 KB.
 */
function quoted(text: string): string {
  const body = text.includes("'") ? text.replaceAll("'", "''") : text
  return text.includes('\\') ? ` E'${body.replaceAll('\\', '\\\\')}'` : `'${body}'`
}

/**
 * `EXECUTE name(literals)` for a statement already prepared on this connection, so that it can
 * share one simple-protocol round trip with BEGIN or COMMIT; null when it cannot.
 */
function oneTrip(
  ready: ReadonlySet<string> | null,
  sql: string,
  params?: readonly unknown[]
): string | null {
  const name = preparedName(sql)
  if (!ready) return null
  if (!name || !ready.has(name)) return null
  const literals = (params ?? []).map(sqlLiteral)
  if (literals.some((l) => l === null)) return null
  return literals.length ? `EXECUTE ${name}(${literals.join(', ')})` : `EXECUTE ${name}`
}

/**
 * PostgreSQL through a pool. Each transaction owns one pooled connection from BEGIN to the end,
 * so concurrent requests really run concurrently and row locks (`FOR UPDATE`) do the ordering.
 */
export async function openPostgres(connectionString: string, poolSize = 10): Promise<Db> {
  // No client_encoding here: the driver's startup message always asks for UTF8 (db.test.ts
  // checks it against a database set otherwise), which the literals of sqlLiteral rely on.
  const pool = new pg.Pool({ ...isoDatesConfig(connectionString), max: poolSize, types })
  // An idle client dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined)
  await pool.query('SELECT 1')
  const listeners: pg.Client[] = []

  const toResult = <T>(result: pg.QueryResult): QueryResult<T> => ({
    rows: result.rows as T[],
    rowCount: result.rowCount ?? result.rows.length
  })

  // Off for good once an EXECUTE finds its statement missing: a pooler that renames prepared
  // statements (PgBouncer's max_prepared_statements) is in between.
  let shareTrips = true

  /** Runs a several-statement script of EXECUTEs (see oneTrip); its results in order. */
  const script = async (client: pg.PoolClient, text: string): Promise<pg.QueryResult[]> => {
    try {
      return (await client.query(text)) as unknown as pg.QueryResult[]
    } catch (error) {
      if ((error as { code?: unknown }).code === UNDEFINED_PREPARED_STATEMENT) shareTrips = false
      return retryable(error)
    }
  }

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
      const known = preparedOn(client)
      const ready = () => (shareTrips ? known : null)
      const begin = `BEGIN ISOLATION LEVEL ${(options.isolation ?? 'read committed').toUpperCase()}`
      // BEGIN travels with the transaction's first statement when that one can (see oneTrip).
      let begun = false
      let committed = false
      const direct = async <R>(sql: string, params?: readonly unknown[]) => {
        const result = toResult<R>(await client.query(config(sql, params)).catch(retryable))
        const name = preparedName(sql)
        if (name) known.add(name)
        return result
      }
      const ensureBegun = async () => {
        if (begun) return
        begun = true
        await client.query(begin)
      }
      // After commitWith, a statement would run outside any transaction: refuse it.
      const open = () => {
        if (committed) throw new Error('transaction already committed')
      }
      const run = async <R>(sql: string, params?: readonly unknown[]) => {
        open()
        if (!begun) {
          const execute = oneTrip(ready(), sql, params)
          if (execute) {
            begun = true
            const results = await script(client, `${begin}; ${execute}`)
            return toResult<R>(results[1] as pg.QueryResult)
          }
          await ensureBegun()
        }
        return direct<R>(sql, params)
      }
      const exec = async (sql: string): Promise<void> => {
        open()
        await ensureBegun()
        await client.query(sql)
      }
      const queryAll = async (statements: ReadonlyArray<Statement>) => {
        open()
        const executes = statements.map(([sql, params]) => oneTrip(ready(), sql, params))
        if (statements.length < 2 || executes.some((s) => s === null))
          return queryOneByOne(run, statements)
        const skip = begun ? 0 : 1
        const text = `${begun ? '' : `${begin}; `}${executes.join('; ')}`
        begun = true
        const results = await script(client, text)
        return results.slice(skip).map((r) => toResult<Record<string, unknown>>(r))
      }
      const commitWith = async <R>(sql: string, params?: readonly unknown[]) => {
        open()
        const execute = begun ? oneTrip(ready(), sql, params) : null
        if (execute) {
          const results = await script(client, `${execute}; COMMIT`)
          committed = true
          return toResult<R>(results[0] as pg.QueryResult)
        }
        const result = await run<R>(sql, params)
        await client.query('COMMIT')
        committed = true
        return result
      }
      let broken = false
      try {
        const result = await fn(makeTx(run, exec, { queryAll, commitWith }))
        if (!committed && begun) await client.query('COMMIT')
        return result
      } catch (error) {
        if (begun && !committed) {
          try {
            await client.query('ROLLBACK')
          } catch {
            broken = true
          }
        }
        // The driver believes the statement is still prepared on this connection: drop it.
        if ((error as { code?: unknown }).code === UNDEFINED_PREPARED_STATEMENT) broken = true
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
