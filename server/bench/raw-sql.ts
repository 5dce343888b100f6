import { randomUUID } from 'node:crypto'
import type { Db, Queryable, Tx } from '../src/db/db'
import { TABLE_SPECS } from '../src/sync/rows'
import type { EntryArgs as Entry, Seeded } from './world'

const COLUMNS = `id, intervention_id, collectivite_id, technician_id, started_at, ended_at, mode,
  source, note, created_at, received_at, version`

function values(e: Entry, seeded: Seeded, version: number): unknown[] {
  const now = new Date().toISOString()
  return [
    e.id,
    e.interventionId,
    seeded.collectiviteOf.get(e.interventionId),
    seeded.technicianId,
    e.startedAt,
    e.endedAt,
    e.mode,
    e.source,
    e.note,
    now,
    now,
    version
  ]
}

/** The raw floor of a push: one transaction of N single-row INSERTs of the same time entries. */
export async function rawPushTx(db: Db, seeded: Seeded, entries: Entry[], version: number) {
  const sql = `INSERT INTO time_entries (${COLUMNS})
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`
  await db.transaction(async (tx) => {
    for (const e of entries) await tx.query(sql, values(e, seeded, version))
  })
}

/** The raw floor of ingest: the same rows in one `INSERT ... SELECT FROM unnest(...)`. */
export async function rawIngest(q: Queryable, seeded: Seeded, entries: Entry[], version: number) {
  const rows = entries.map((e) => values(e, seeded, version))
  const column = (i: number) => rows.map((r) => r[i])
  const types = ['uuid', 'uuid', 'uuid', 'text', 'timestamptz', 'timestamptz', 'text', 'text']
  const all = [...types, 'text', 'timestamptz', 'timestamptz', 'bigint']
  const { rowCount } = await q.query(
    `INSERT INTO time_entries (${COLUMNS})
     SELECT * FROM unnest(${all.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})
     ON CONFLICT (id) DO NOTHING`,
    all.map((_, i) => column(i))
  )
  if (rowCount !== entries.length) throw new Error(`raw ingest wrote ${rowCount}/${entries.length}`)
}

/**
 * The floor of what sync.md requires a push of these entries to write in its transaction, as
 * one statement with no check or SELECT of its own (the schema's constraints still run): bump
 * the version row, advance the client's counter, insert the entries stamped with that version,
 * re-stamp each entry's intervention and its agreement's balance (the server writes a balance
 * when its units move, as they do with every entry here). The figures are rewritten with their
 * own values: a stamped row is rewritten whole all the same, and the next push through the
 * server recomputes them from the entries, as after the other raw floors. Not a server: an
 * estimate, in the same run, of the most a server of this schema that commits each push in a
 * transaction of its own can reach, beside the insert-only floors above. Only one push at a
 * time holds the version row, from its bump to its commit, so more cores do not raise it.
 */
export async function rawRequiredWrites(
  q: Queryable,
  seeded: Seeded,
  entries: Entry[],
  clientId: string
) {
  const rows = entries.map((e) => values(e, seeded, 0).slice(0, -1))
  const column = (i: number) => rows.map((r) => r[i])
  const types = ['uuid', 'uuid', 'uuid', 'text', 'timestamptz', 'timestamptz', 'text', 'text']
  const all = [...types, 'text', 'timestamptz', 'timestamptz']
  const { rows: out } = await q.query<{ entries: number; clients: number; interventions: number }>(
    `WITH v AS (UPDATE server_version SET value = value + 1 WHERE id = 1 RETURNING value),
       c AS (UPDATE clients SET last_mutation_id = last_mutation_id + $${all.length + 1}
              WHERE client_id = $${all.length + 2}::uuid RETURNING 1),
       x AS (SELECT * FROM unnest(${all.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})
               AS x(${COLUMNS.replace(/,\s*version$/, '')})),
       ins AS (INSERT INTO time_entries (${COLUMNS})
               SELECT x.*, (SELECT value FROM v) FROM x RETURNING 1),
       i AS (UPDATE interventions SET version = (SELECT value FROM v), seconds = seconds,
                    units = units
              WHERE id = ANY(ARRAY(SELECT intervention_id FROM x)) RETURNING convention_id),
       b AS (UPDATE balances SET units_consumed = units_consumed, version = (SELECT value FROM v)
              WHERE convention_id = ANY(ARRAY(SELECT convention_id FROM i)))
     SELECT (SELECT count(*) FROM ins)::int AS entries, (SELECT count(*) FROM c)::int AS clients,
            (SELECT count(*) FROM i)::int AS interventions`,
    [...all.map((_, i) => column(i)), entries.length, clientId]
  )
  const wanted = {
    entries: entries.length,
    clients: 1,
    interventions: new Set(entries.map((e) => e.interventionId)).size
  }
  if (JSON.stringify(out[0]) !== JSON.stringify(wanted))
    throw new Error(
      `required writes floor wrote ${JSON.stringify(out[0])}, not ${JSON.stringify(wanted)}`
    )
}

/** Client rows for rawRequiredWrites, one per load worker, owned by the seeded lead. */
export async function rawClients(db: Db, seeded: Seeded, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => randomUUID())
  for (const id of ids)
    await db.query(
      'INSERT INTO clients (client_id, client_group_id, technician_id) VALUES ($1, $2, $3)',
      [id, randomUUID(), seeded.technicianId]
    )
  return ids
}

/**
 * The raw floor of a pull: the same tables' rows, same columns (each spec's SELECT list), in
 * (version, key) keyset pages of `pageSize`, with no scope, cookie or JSON shaping.
 */
export async function rawPull(db: Db, pageSize: number): Promise<number> {
  let rows = 0
  await db.transaction(
    async (tx) => {
      for (const spec of TABLE_SPECS) {
        if (spec.table === 'rejections') continue
        const key = `x.${spec.key}`
        let from: [number, string] | null = null
        for (let page = 0; page < 10_000; page++) {
          const where: string = from ? `WHERE (x.version, ${key}) > ($1, $2::uuid)` : ''
          const params: unknown[] = from ? [...from, pageSize] : [pageSize]
          const result: { rows: Record<string, unknown>[] } = await tx.query<
            Record<string, unknown>
          >(
            `SELECT ${spec.select} FROM ${spec.from} ${where}
              ORDER BY x.version, ${key} LIMIT $${params.length}`,
            params
          )
          rows += result.rows.length
          const last: Record<string, unknown> | undefined = result.rows[result.rows.length - 1]
          if (result.rows.length < pageSize || !last) break
          from = [Number(last['version']), String(last[spec.key])]
        }
      }
    },
    { isolation: 'repeatable read' }
  )
  return rows
}

/**
 * Wraps a Db so every statement run through it (transactions and savepoints included) adds its
 * time to `spent`, keyed by the statement's first words: where a push's time goes.
 */
export function timedDb(db: Db): { db: Db; spent: Map<string, { n: number; ms: number }> } {
  const spent = new Map<string, { n: number; ms: number }>()
  const note = (sql: string, ms: number) => {
    const key = sql.replace(/\s+/g, ' ').trim().slice(0, 70)
    const s = spent.get(key) ?? { n: 0, ms: 0 }
    s.n++
    s.ms += ms
    spent.set(key, s)
  }
  const timed = <Q extends Queryable['query']>(query: Q): Q =>
    (async (sql: string, params?: readonly unknown[]) => {
      const t0 = performance.now()
      try {
        return await query(sql, params)
      } finally {
        note(sql, performance.now() - t0)
      }
    }) as Q
  const wrapTx = (tx: Tx): Tx => ({
    query: timed(tx.query.bind(tx)),
    exec: (sql) => tx.exec(sql),
    savepoint: (fn) => {
      const t0 = performance.now()
      return tx
        .savepoint((inner) => fn(wrapTx(inner)))
        .finally(() => note('(savepoint open/release)', 0 * t0))
    },
    queryAll: async (statements) => {
      const t0 = performance.now()
      try {
        return await tx.queryAll(statements)
      } finally {
        // Their time goes to the first, the others count as calls (one round trip where the
        // statements share one, else one after the other).
        statements.forEach(([sql], i) => note(sql, i === 0 ? performance.now() - t0 : 0))
      }
    },
    commitWith: async (sql, params) => {
      const t0 = performance.now()
      try {
        return await tx.commitWith(sql, params)
      } finally {
        note(`${sql} (+ COMMIT)`, performance.now() - t0)
      }
    }
  })
  return {
    spent,
    db: {
      ...db,
      kind: db.kind,
      query: timed(db.query.bind(db)),
      exec: (sql) => db.exec(sql),
      transaction: (fn, options) => db.transaction((tx) => fn(wrapTx(tx)), options),
      listen: (channel, cb) => db.listen(channel, cb),
      close: () => db.close()
    }
  }
}
