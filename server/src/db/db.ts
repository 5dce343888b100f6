/**
 * The one database seam of the server. Both backends (PostgreSQL through `pg`, embedded PGlite)
 * speak the same SQL dialect and run the same migrations; everything above this file only sees
 * `query`, `transaction` and `savepoint`.
 */
export interface QueryResult<T> {
  rows: T[]
  rowCount: number
}

/** A statement and its parameters. */
export type Statement = readonly [sql: string, params?: readonly unknown[]]

export type SqlParam = string | number | boolean | null | Uint8Array | Date

export interface Queryable {
  query<T = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[]
  ): Promise<QueryResult<T>>
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>
}

export interface Tx extends Queryable {
  /** Runs fn inside a SAVEPOINT: a throw rolls back only fn's writes, then rethrows. */
  savepoint<T>(fn: (tx: Tx) => Promise<T>): Promise<T>
  /**
   * Runs statements in order, in one round trip where the backend can (PostgreSQL, prepared
   * statements already parsed on this connection), else one after the other; their results in
   * the same order. A failing statement stops the list, as it would one by one.
   */
  queryAll(
    statements: ReadonlyArray<Statement>
  ): Promise<Array<QueryResult<Record<string, unknown>>>>
  /**
   * Runs the transaction's last statement and commits, in one round trip where the backend can
   * (PostgreSQL, a prepared statement already parsed on this connection). Nothing may run on the
   * transaction afterwards.
   */
  commitWith<T = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[]
  ): Promise<QueryResult<T>>
}

export interface TransactionOptions {
  /** A consistent snapshot for multi-statement reads (pulls). */
  isolation?: 'read committed' | 'repeatable read'
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite'
  transaction<T>(fn: (tx: Tx) => Promise<T>, options?: TransactionOptions): Promise<T>
  /** Subscribes to NOTIFY on a channel; returns the unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>
  close(): Promise<void>
}

const PREPARED = new Map<string, string>()

/**
 * Marks a statement run on every push as worth preparing: on PostgreSQL it is parsed and planned
 * once per connection instead of at each call. Returns the text unchanged, so wrappers and logs
 * keep seeing plain SQL; only fixed texts belong here (each gets a name for good).
 */
export function prepared(sql: string): string {
  if (!PREPARED.has(sql)) PREPARED.set(sql, `carnet_${PREPARED.size + 1}`)
  return sql
}

/** The name a statement was prepared under, if any (see prepared). */
export function preparedName(sql: string): string | undefined {
  return PREPARED.get(sql)
}

/**
 * Wraps a connection already inside BEGIN as a Tx. Savepoint names only need to be unique among
 * the savepoints open at once, so a depth counter is enough.
 */
export function makeTx(
  run: Queryable['query'],
  exec: Queryable['exec'],
  trips: Pick<Tx, 'queryAll' | 'commitWith'>
): Tx {
  let depth = 0
  const tx: Tx = {
    query: run,
    exec,
    queryAll: trips.queryAll,
    async commitWith<T>(sql: string, params?: readonly unknown[]) {
      // It would commit what the open savepoint may yet roll back.
      if (depth > 0) throw new Error('commitWith inside a savepoint')
      return trips.commitWith<T>(sql, params)
    },
    async savepoint(fn) {
      const name = `sp_${++depth}`
      try {
        await run(`SAVEPOINT ${name}`)
        try {
          const result = await fn(tx)
          await run(`RELEASE SAVEPOINT ${name}`)
          return result
        } catch (error) {
          await run(`ROLLBACK TO SAVEPOINT ${name}`)
          throw error
        }
      } finally {
        depth--
      }
    }
  }
  return tx
}

/** Runs statements one after the other (queryAll where they cannot share a round trip). */
export async function queryOneByOne(
  run: Queryable['query'],
  statements: ReadonlyArray<Statement>
): Promise<Array<QueryResult<Record<string, unknown>>>> {
  const results: Array<QueryResult<Record<string, unknown>>> = []
  for (const [sql, params] of statements) results.push(await run(sql, params))
  return results
}

/** SQLSTATE classes that mean "try again later", not "this request is wrong". */
const TRANSIENT_CLASSES = ['08', '40', '53', '55', '57', '58']

/** Whether an error is a transient database failure (connection, serialization, resources). */
export function isTransientDbError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  // Marked so by the backend wrapper itself (pg-db.ts: a shared round trip it gave up on).
  if ((error as { transient?: unknown }).transient === true) return true
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    return TRANSIENT_CLASSES.includes(code.slice(0, 2))
  }
  // Socket-level failures of the pg driver carry Node error codes instead of SQLSTATEs.
  return typeof code === 'string' && /^(ECONN|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_)/.test(code)
}

/** Whether a database error is a permanent data problem (bad value, constraint violation). */
export function isDataDbError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^(22|23)[0-9A-Z]{3}$/.test(code)
}
