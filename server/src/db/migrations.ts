import type { Db } from './db'
import { SCHEMA_V1 } from './schema-v1'
import { SCHEMA_V2 } from './schema-v2'
import { SCHEMA_V3 } from './schema-v3'
import { SCHEMA_V4 } from './schema-v4'
import { SCHEMA_V5 } from './schema-v5'

/**
 * The one migration set, for PostgreSQL and PGlite alike. Append only: a migration that shipped
 * is never edited; a change is a new entry.
 */
export const MIGRATIONS: ReadonlyArray<{ id: number; name: string; sql: string }> = [
  { id: 1, name: 'initial schema', sql: SCHEMA_V1 },
  { id: 2, name: 'late-entry scope, refresh grace, blob readers', sql: SCHEMA_V2 },
  { id: 3, name: 'remote-session log, pull indexes', sql: SCHEMA_V3 },
  { id: 4, name: 'pulled instants within years 0000-9999', sql: SCHEMA_V4 },
  { id: 5, name: 'pulled dates within years 0001-9999', sql: SCHEMA_V5 }
]

// Any constant works; it only has to be the same for every server process sharing a database.
const MIGRATION_LOCK = 4_242_001

/**
 * Applies the pending migrations, each in its own transaction. An advisory lock makes several
 * server processes starting at once against one PostgreSQL wait for each other instead of racing.
 *
 * @returns the ids applied now
 */
export async function migrate(db: Db): Promise<number[]> {
  const applied: number[] = []
  for (const migration of MIGRATIONS) {
    const done = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
      await tx.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           id int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`
      )
      const { rows } = await tx.query('SELECT 1 FROM schema_migrations WHERE id = $1', [
        migration.id
      ])
      if (rows.length > 0) return false
      await tx.exec(migration.sql)
      await tx.query('INSERT INTO schema_migrations (id, name) VALUES ($1, $2)', [
        migration.id,
        migration.name
      ])
      return true
    })
    if (done) applied.push(migration.id)
  }
  return applied
}
