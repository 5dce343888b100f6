import type { AuthContext } from '../auth/sessions'
import { prepared, type Tx } from '../db/db'
import { POKE_CHANNEL, POKE_MAX_COLLECTIVITES } from './pokes'
import type { UnitsChange } from './recompute'
import type { TouchList } from './touch'

const UUIDS = (n: number): string => `SELECT jsonb_array_elements_text($${n}::jsonb)::uuid`
const IN_LIST = (n: number): string => `(${UUIDS(n)})`

/** Only rows the caller can read: a lead's everywhere, a technician's where assigned now. */
const READABLE = `($2::boolean OR x.collectivite_id IN (SELECT collectivite_id FROM assignments
   WHERE technician_id = $3::uuid AND unassigned_at IS NULL))`

/** Re-stamps a table's targets (touch.ts): readable, not deleted, not already at this version. */
const stampSql = (table: string, where: string): string =>
  `UPDATE ${table} x SET version = $1 WHERE (${where}) AND x.version < $1
      AND x.deleted_at IS NULL AND ${READABLE}
    RETURNING x.collectivite_id`

/**
 * The end of a push in one statement, so one round trip while the push holds the version lock:
 *
 * - `i`, `e`, `r`: the targets re-stamped (touch.ts), in a fixed order (interventions, entries,
 *   sessions). The interventions whose units the push changed (`$8`, see recompute.ts) are
 *   written in the same UPDATE, stamped whatever the caller can read: late work after an
 *   unassignment still moves its intervention's units, and a row written once rather than
 *   twice spares its indexes a second entry. `t` pairs each target with its new figures, if
 *   any (a join: a subquery per row would scan them all once per row). `= ANY(ARRAY(...))` so
 *   that the planner looks the few ids up by key whatever it guesses; one IN over a UNION, not
 *   INs joined by OR, which would forgo the primary key index.
 * - `locked`, `moved`: the balances (`$9`, change of units per agreement) locked in key order
 *   and moved by their change (recompute.ts says why a change and not a sum). `created`: a
 *   balance row found missing (rare: one exists from the agreement's creation on) is created
 *   from the sum of its interventions' units as this statement leaves them (the statement's
 *   snapshot does not see its own updates: the new figures `u` replace the stored ones). No
 *   one else can create it meanwhile: every writer of balances (pushes, admin commands, imports)
 *   holds the version row first.
 * - `done`: the client's counter (its row is locked since the push began).
 * - `poke`: NOTIFY (delivered on commit) for the municipalities touched, those the handlers
 *   noted (`$13`) and those stamped here, when there are some or the push refused a mutation
 *   (`$14`: the writer is poked for their own rejections); past POKE_MAX_COLLECTIVITES, "anything
 *   may have changed", as pokeText does.
 *
 * The order of these writes inside the statement does not matter for locking: every writer
 * takes the global version row first (versions.ts), so none of these rows is locked by anyone
 * else while this runs.
 */
const END_OF_PUSH = prepared(`WITH u AS (
    SELECT * FROM jsonb_to_recordset($8::jsonb) AS u(id uuid, seconds double precision, units int)),
  t AS MATERIALIZED (
    SELECT t.id, u.seconds, u.units
      FROM (${UUIDS(4)} UNION SELECT intervention_id FROM time_entries
             WHERE id IN ${IN_LIST(5)} UNION SELECT id FROM u) t(id)
      LEFT JOIN u ON u.id = t.id),
  i AS (
    UPDATE interventions x SET version = $1, seconds = COALESCE(t.seconds, x.seconds),
           units = COALESCE(t.units, x.units)
      FROM t
     WHERE x.id = ANY(ARRAY(SELECT id FROM t)) AND x.id = t.id
       AND (t.units IS NOT NULL OR (x.version < $1 AND x.deleted_at IS NULL AND ${READABLE}))
    RETURNING x.collectivite_id),
  e AS (${stampSql('time_entries', `x.id IN ${IN_LIST(6)}`)}),
  r AS (${stampSql('remote_sessions', `x.id IN ${IN_LIST(7)}`)}),
  d AS (
    SELECT * FROM jsonb_to_recordset($9::jsonb) AS d(id uuid, delta int)),
  locked AS MATERIALIZED (
    SELECT convention_id FROM balances WHERE convention_id IN (SELECT id FROM d)
     ORDER BY convention_id FOR UPDATE),
  moved AS (
    UPDATE balances b SET units_consumed = b.units_consumed + d.delta, version = $1
      FROM d WHERE b.convention_id = d.id AND d.delta <> 0
       AND b.convention_id IN (SELECT convention_id FROM locked)),
  created AS (
    INSERT INTO balances (convention_id, collectivite_id, units_purchased, units_consumed, version)
    SELECT c.id, c.collectivite_id, c.units_purchased,
           COALESCE((SELECT SUM(COALESCE(u.units, i.units)) FROM interventions i
                       LEFT JOIN u ON u.id = i.id
                      WHERE i.convention_id = c.id AND i.deleted_at IS NULL), 0), $1
      FROM d JOIN conventions c ON c.id = d.id
     WHERE d.id NOT IN (SELECT convention_id FROM locked)
    ON CONFLICT (convention_id) DO NOTHING),
  done AS (
    UPDATE clients SET last_mutation_id = $11, updated_at = now() WHERE client_id = $10),
  touched AS (
    SELECT DISTINCT t.id FROM (${UUIDS(13)} UNION ALL SELECT collectivite_id FROM i
      UNION ALL SELECT collectivite_id FROM e UNION ALL SELECT collectivite_id FROM r) t(id)),
  poke AS MATERIALIZED (
    SELECT pg_notify($12, json_build_object(
             'collectivites', CASE WHEN count(*) > ${POKE_MAX_COLLECTIVITES} THEN NULL
                              ELSE COALESCE(json_agg(touched.id), '[]'::json) END,
             'technicianId', $3::uuid::text)::text)
      FROM touched HAVING count(*) > 0 OR $14::boolean)
  SELECT (SELECT count(*) FROM poke)::int AS poked`)

/** What a push hands to its end (see END_OF_PUSH). */
export interface PushEnd {
  auth: AuthContext
  version: number
  targets: TouchList
  /** Interventions whose seconds or units change (tallyInterventions). */
  units: readonly UnitsChange[]
  /** Change of units per agreement (tallyInterventions). */
  deltas: ReadonlyMap<string, number>
  clientId: string
  lastMutationId: number
  /** Municipalities the handlers wrote in. */
  touched: ReadonlySet<string>
  /** Whether the push refused a mutation. */
  rejected: boolean
}

/** Ends a push (END_OF_PUSH) and commits it, in one round trip where the database can. */
export async function endPush(tx: Tx, end: PushEnd): Promise<void> {
  const deltas = [...end.deltas].map(([id, delta]) => ({ id, delta }))
  await tx.commitWith(END_OF_PUSH, [
    end.version,
    end.auth.role === 'lead',
    end.auth.technicianId,
    ...end.targets.lists(),
    JSON.stringify(end.units),
    JSON.stringify(deltas),
    end.clientId,
    end.lastMutationId,
    POKE_CHANNEL,
    JSON.stringify([...end.touched]),
    end.rejected
  ])
}
