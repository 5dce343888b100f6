import { uuidSchema } from '../../../src/shared/domain'
import type { MutationName } from '../../../src/shared/sync/mutations'
import type { Queryable } from '../db/db'
import type { AuthContext } from '../auth/sessions'
import { prepared } from '../db/db'
import type { UnitsChange } from './recompute'

/**
 * The client keeps an optimistic copy of the rows its pending mutations target and relies on the
 * next pull to bring the server's copy back once the mutation is answered. So every applied or
 * rejected mutation re-stamps the existing rows it targets with the push's version, even when
 * nothing changed (asking for the current status, voiding twice, a replayed create, a refusal):
 * the next pull re-sends them. Only rows the caller can read are stamped: a rejection outside
 * the caller's scope writes nothing there.
 *
 * Every mutation of a push shares the push's version, so the targets are collected as the push
 * goes and stamped once, in one statement for every table, just before commit.
 */
type Kind = 'interventions' | 'entryInterventions' | 'time_entries' | 'remote_sessions'

const TARGETS: Record<MutationName, ReadonlyArray<{ kind: Kind; arg: string }>> = {
  'intervention.create.v1': [{ kind: 'interventions', arg: 'id' }],
  'intervention.update.v1': [{ kind: 'interventions', arg: 'id' }],
  'intervention.setStatus.v1': [{ kind: 'interventions', arg: 'id' }],
  // The intervention too: its seconds and units are the server's, never the client's guess.
  'timeEntry.add.v1': [
    { kind: 'time_entries', arg: 'id' },
    { kind: 'interventions', arg: 'interventionId' }
  ],
  'timeEntry.void.v1': [
    { kind: 'time_entries', arg: 'id' },
    { kind: 'entryInterventions', arg: 'id' }
  ],
  'remoteSession.log.v1': [{ kind: 'remote_sessions', arg: 'id' }]
}

const UUIDS = (n: number): string => `SELECT jsonb_array_elements_text($${n}::jsonb)::uuid`
const IN_LIST = (n: number): string => `(${UUIDS(n)})`

/** Only rows the caller can read: a lead's everywhere, a technician's where assigned now. */
const READABLE = `($2::boolean OR x.collectivite_id IN (SELECT collectivite_id FROM assignments
   WHERE technician_id = $3::uuid AND unassigned_at IS NULL))`

const stampSql = (table: string, where: string): string =>
  `UPDATE ${table} x SET version = $1 WHERE (${where}) AND x.version < $1
      AND x.deleted_at IS NULL AND ${READABLE}
    RETURNING x.collectivite_id`

/**
 * Every table in one round trip, in a fixed order (interventions, entries, sessions). One IN
 * over a UNION for interventions, not two INs joined by OR: OR would forgo the primary key index;
 * `= ANY(ARRAY(...))` so that the planner looks the few ids up by key whatever it guesses.
 * The interventions whose units the push changed (`$8`, see recompute.ts) are written in the same
 * UPDATE, stamped whatever the caller can read: late work after an unassignment still moves its
 * intervention's units. Writing a row once rather than twice spares its indexes a second entry.
 */
const STAMP = prepared(`WITH u AS (
    SELECT * FROM jsonb_to_recordset($8::jsonb) AS u(id uuid, seconds double precision, units int)),
  i AS (
    UPDATE interventions x SET version = $1,
           seconds = COALESCE((SELECT u.seconds FROM u WHERE u.id = x.id), x.seconds),
           units = COALESCE((SELECT u.units FROM u WHERE u.id = x.id), x.units)
     WHERE x.id = ANY(ARRAY(${UUIDS(4)} UNION SELECT intervention_id FROM time_entries
             WHERE id IN ${IN_LIST(5)} UNION SELECT id FROM u))
       AND (x.id IN (SELECT id FROM u)
            OR (x.version < $1 AND x.deleted_at IS NULL AND ${READABLE}))
    RETURNING x.collectivite_id),
  e AS (${stampSql('time_entries', `x.id IN ${IN_LIST(6)}`)}),
  r AS (${stampSql('remote_sessions', `x.id IN ${IN_LIST(7)}`)})
  SELECT collectivite_id FROM i UNION ALL SELECT collectivite_id FROM e
  UNION ALL SELECT collectivite_id FROM r`)

export class TouchList {
  private readonly ids: Record<Kind, Set<string>> = {
    interventions: new Set(),
    entryInterventions: new Set(),
    time_entries: new Set(),
    remote_sessions: new Set()
  }

  /** Notes the rows a mutation targets (whatever became of it). */
  add(name: string, args: unknown): void {
    if (!Object.hasOwn(TARGETS, name) || typeof args !== 'object' || args === null) return
    for (const target of TARGETS[name as MutationName]) {
      const id = uuidSchema.safeParse((args as Record<string, unknown>)[target.arg])
      if (id.success) this.ids[target.kind].add(id.data)
    }
  }

  /**
   * Stamps the targets, and writes the interventions whose units changed (`units`).
   * @returns the municipalities of the rows stamped (for pokes)
   */
  async stamp(
    q: Queryable,
    auth: AuthContext,
    version: number,
    units: readonly UnitsChange[] = []
  ): Promise<string[]> {
    const { ids } = this
    if (units.length === 0 && Object.values(ids).every((l) => l.size === 0)) return []
    const list = (l: Set<string>) => JSON.stringify([...l])
    const { rows } = await q.query<{ collectivite_id: string }>(STAMP, [
      version,
      auth.role === 'lead',
      auth.technicianId,
      list(ids.interventions),
      list(ids.entryInterventions),
      list(ids.time_entries),
      list(ids.remote_sessions),
      JSON.stringify(units)
    ])
    return rows.map((r) => r.collectivite_id)
  }
}
