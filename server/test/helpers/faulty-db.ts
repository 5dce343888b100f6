import type { Db, Tx } from '../../src/db/db'

const serializationFailure = (): Error =>
  Object.assign(new Error('could not serialize access (injected)'), { code: '40001' })

/**
 * Wraps a database so that statements matching a pattern fail, by default like a lost
 * serialization race (SQLSTATE 40001): a transient failure, as a real outage or failover would
 * produce. `error` makes another failure (a data error, say).
 */
export function faultyDb(
  db: Db,
  pattern: RegExp,
  error: () => Error = serializationFailure
): { db: Db; enabled: { on: boolean } } {
  const enabled = { on: true }
  const fail = (sql: string): void => {
    if (enabled.on && pattern.test(sql)) throw error()
  }
  const wrapTx = (tx: Tx): Tx => ({
    query: async (sql, params) => {
      fail(sql)
      return tx.query(sql, params)
    },
    exec: (sql) => tx.exec(sql),
    savepoint: (fn) => tx.savepoint((inner) => fn(wrapTx(inner))),
    queryAll: async (statements) => {
      for (const [sql] of statements) fail(sql)
      return tx.queryAll(statements)
    },
    commitWith: async (sql, params) => {
      fail(sql)
      return tx.commitWith(sql, params)
    }
  })
  return {
    enabled,
    db: {
      ...db,
      kind: db.kind,
      query: (sql, params) => {
        fail(sql)
        return db.query(sql, params)
      },
      exec: (sql) => db.exec(sql),
      transaction: (fn, options) => db.transaction((tx) => fn(wrapTx(tx)), options),
      listen: (channel, cb) => db.listen(channel, cb),
      close: () => db.close()
    }
  }
}
