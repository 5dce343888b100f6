import type { Queryable } from '../db/db'

/** Column name and SQL type, as jsonb_to_recordset needs them. */
export type Columns = ReadonlyArray<readonly [string, string]>

const CHUNK = 2000

/**
 * Inserts many rows in few statements (the rows travel as one jsonb parameter and are expanded
 * server-side), skipping ids that already exist so a re-run is harmless.
 */
export async function bulkInsert(
  q: Queryable,
  table: string,
  columns: Columns,
  rows: ReadonlyArray<Record<string, unknown>>,
  conflictKey = 'id'
): Promise<number> {
  const names = columns.map(([name]) => name).join(', ')
  const record = columns.map(([name, type]) => `${name} ${type}`).join(', ')
  let inserted = 0
  for (let i = 0; i < rows.length; i += CHUNK) {
    const { rowCount } = await q.query(
      `INSERT INTO ${table} (${names})
       SELECT ${names} FROM jsonb_to_recordset($1::jsonb) AS x(${record})
       ON CONFLICT (${conflictKey}) DO NOTHING`,
      [JSON.stringify(rows.slice(i, i + CHUNK))]
    )
    inserted += rowCount
  }
  return inserted
}
