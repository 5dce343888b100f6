import { uuidSchema } from '../../../src/shared/domain'
import type { MutationName } from '../../../src/shared/sync/mutations'
import type { Tx } from '../db/db'
import type { Scope } from './scope'

/**
 * The client keeps an optimistic copy of the rows its pending mutations target and relies on the
 * next pull to bring the server's copy back once the mutation is answered. So every applied or
 * rejected mutation re-stamps the existing rows it targets with the push's version, even when
 * nothing changed (asking for the current status, voiding twice, a replayed create, a refusal):
 * the next pull re-sends them. Only rows the caller can read are stamped: a rejection outside
 * the caller's scope writes nothing there.
 */
type Target = { table: 'interventions' | 'time_entries'; sql: string; arg: string }

const BY_ID = (table: Target['table'], arg = 'id'): Target => ({
  table,
  sql: `UPDATE ${table} x SET version = $2 WHERE x.id = $1`,
  arg
})
const ENTRY_INTERVENTION: Target = {
  table: 'interventions',
  sql: `UPDATE interventions x SET version = $2
         WHERE x.id = (SELECT intervention_id FROM time_entries WHERE id = $1)`,
  arg: 'id'
}

const TARGETS: Record<MutationName, readonly Target[]> = {
  'intervention.create.v1': [BY_ID('interventions')],
  'intervention.update.v1': [BY_ID('interventions')],
  'intervention.setStatus.v1': [BY_ID('interventions')],
  // The intervention too: its seconds and units are the server's, never the client's guess.
  'timeEntry.add.v1': [BY_ID('time_entries'), BY_ID('interventions', 'interventionId')],
  'timeEntry.void.v1': [BY_ID('time_entries'), ENTRY_INTERVENTION]
}

/** @returns the municipalities of the rows stamped (for pokes) */
export async function touchTargets(
  tx: Tx,
  scope: Scope,
  name: string,
  args: unknown,
  version: number
): Promise<string[]> {
  if (!Object.hasOwn(TARGETS, name) || typeof args !== 'object' || args === null) return []
  const touched: string[] = []
  for (const target of TARGETS[name as MutationName]) {
    const id = uuidSchema.safeParse((args as Record<string, unknown>)[target.arg])
    if (!id.success) continue
    const { rows } = await tx.query<{ collectivite_id: string }>(
      `${target.sql} AND x.version < $2 AND x.deleted_at IS NULL
         AND ($3::boolean OR x.collectivite_id IN (SELECT jsonb_array_elements_text($4::jsonb)::uuid))
       RETURNING x.collectivite_id`,
      [id.data, version, scope.all, JSON.stringify(scope.collectiviteIds)]
    )
    for (const row of rows) touched.push(row.collectivite_id)
  }
  return touched
}
