import {
  balanceFor,
  parisToday,
  secondsFor,
  unitsFor,
  type ConventionState,
  type UnitsPolicy
} from '../../../src/shared/domain'
import { prepared, type Queryable } from '../db/db'

const IDS = 'SELECT jsonb_array_elements_text($1::jsonb)::uuid'

interface Head {
  id: string
  convention_id: string
  policy: UnitsPolicy
  seconds: number
  units: number
  deleted: boolean
}

/**
 * Server-side units (sync.md "Units on the server"): an intervention's seconds and units come
 * from its non-voided time entries through the shared unitsFor and its agreement's policy, and an
 * agreement's consumption from its interventions. A client's unit figures are never read.
 *
 * A push calls this once, before commit, with every intervention whose entries it changed: each
 * is recomputed once however many of its entries the push touched. It returns the change of
 * units per agreement, which applyBalanceDeltas then adds to each balance in one statement. Moving by the change rather
 * than re-summing the agreement keeps a push's cost independent of the agreement's size and stays
 * right under concurrency: the increment is applied to the row as it is once its lock is granted,
 * where a SUM would be of the snapshot taken before waiting for that lock.
 */
export async function recomputeInterventions(
  q: Queryable,
  ids: ReadonlySet<string>,
  version: number
): Promise<Map<string, number>> {
  const deltas = new Map<string, number>()
  if (ids.size === 0) return deltas
  const list = JSON.stringify([...ids].sort())
  // The callers hold these rows locked already (FOR UPDATE is then free); the lock is what
  // makes `units` below the value no one else can change before this transaction ends.
  const { rows: heads } = await q.query<Head>(
    `SELECT i.id, i.convention_id, c.policy, i.seconds, i.units, i.deleted_at IS NOT NULL AS deleted
       FROM interventions i JOIN conventions c ON c.id = i.convention_id
      WHERE i.id IN (${IDS}) ORDER BY i.id FOR UPDATE OF i`,
    [list]
  )
  const { rows: entries } = await q.query<{
    intervention_id: string
    started_at: Date
    ended_at: Date
  }>(
    `SELECT intervention_id, started_at, ended_at FROM time_entries
      WHERE intervention_id IN (${IDS}) AND voided_at IS NULL AND deleted_at IS NULL`,
    [list]
  )
  const spans = new Map<string, Array<{ startedAt: string; endedAt: string }>>()
  for (const e of entries) {
    const of = spans.get(e.intervention_id) ?? []
    of.push({ startedAt: e.started_at.toISOString(), endedAt: e.ended_at.toISOString() })
    spans.set(e.intervention_id, of)
  }
  const changed: Array<{ id: string; seconds: number; units: number }> = []
  for (const head of heads) {
    const own = spans.get(head.id) ?? []
    const seconds = secondsFor(own)
    const units = unitsFor(own, head.policy)
    if (seconds === head.seconds && units === head.units) continue
    changed.push({ id: head.id, seconds, units })
    // A deleted intervention does not count in its agreement's consumption.
    const delta = head.deleted ? 0 : units - head.units
    deltas.set(head.convention_id, (deltas.get(head.convention_id) ?? 0) + delta)
  }
  if (changed.length === 0) return deltas
  await q.query(
    `UPDATE interventions i SET seconds = x.seconds, units = x.units, version = $2
       FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, seconds double precision, units int)
      WHERE i.id = x.id`,
    [JSON.stringify(changed), version]
  )
  return deltas
}

/** Locks the existing balances of `$1` in key order, then adds each one's change to it. */
const LOCK_AND_MOVE = prepared(`WITH x AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, delta int)),
     locked AS MATERIALIZED (
       SELECT convention_id FROM balances WHERE convention_id IN (SELECT id FROM x)
        ORDER BY convention_id FOR UPDATE),
     moved AS (
       UPDATE balances b SET units_consumed = b.units_consumed + x.delta, version = $2::bigint
         FROM x WHERE b.convention_id = x.id AND x.delta <> 0
          AND b.convention_id IN (SELECT convention_id FROM locked))
     SELECT convention_id FROM locked`)

/**
 * Adds each agreement's change of units to its balance. The rows are locked first, in key order,
 * so two pushes never wait for each other in a cycle. A missing row is created from the current
 * sum less this transaction's own change (what the others committed), then takes the change like
 * any other row: a concurrent transaction creating it first is thus harmless.
 */
export async function applyBalanceDeltas(
  q: Queryable,
  deltas: ReadonlyMap<string, number>,
  version: number
): Promise<void> {
  if (deltas.size === 0) return
  const list = [...deltas].map(([id, delta]) => ({ id, delta }))
  // Locks the existing rows in key order and moves them, in one round trip.
  const { rows: locked } = await q.query<{ convention_id: string }>(LOCK_AND_MOVE, [
    JSON.stringify(list),
    version
  ])
  if (locked.length === list.length) return
  const have = new Set(locked.map((r) => r.convention_id))
  const missing = JSON.stringify(list.filter((d) => !have.has(d.id)))
  await q.query(
    `INSERT INTO balances (convention_id, collectivite_id, units_purchased, units_consumed,
       version)
     SELECT c.id, c.collectivite_id, c.units_purchased,
            COALESCE((SELECT SUM(i.units) FROM interventions i
                       WHERE i.convention_id = c.id AND i.deleted_at IS NULL), 0) - x.delta, $2
       FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, delta int)
       JOIN conventions c ON c.id = x.id
      WHERE NOT EXISTS (SELECT 1 FROM balances b WHERE b.convention_id = x.id)
     ON CONFLICT (convention_id) DO NOTHING`,
    [missing, version]
  )
  await q.query(
    `UPDATE balances b SET units_consumed = b.units_consumed + x.delta, version = $2
       FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, delta int)
      WHERE b.convention_id = x.id AND x.delta <> 0`,
    [missing, version]
  )
}

/** units_consumed = audited adjustment + the sum of the agreement's interventions' units. */
export async function recomputeBalance(
  q: Queryable,
  conventionId: string,
  version: number
): Promise<void> {
  await q.query(
    `INSERT INTO balances (convention_id, collectivite_id, units_purchased, units_consumed, version)
     SELECT c.id, c.collectivite_id, c.units_purchased, 0, $2 FROM conventions c WHERE c.id = $1
     ON CONFLICT (convention_id) DO NOTHING`,
    [conventionId, version]
  )
  await q.query(
    `UPDATE balances b SET units_consumed = s.consumed, version = $2
       FROM (SELECT b2.units_adjustment + COALESCE(
               (SELECT SUM(units) FROM interventions
                 WHERE convention_id = $1 AND deleted_at IS NULL), 0)::int AS consumed
               FROM balances b2 WHERE b2.convention_id = $1) s
      WHERE b.convention_id = $1 AND b.units_consumed <> s.consumed`,
    [conventionId, version]
  )
}

/** The agreement's state today (Paris calendar), derived with the shared balanceFor. */
export function balanceState(
  row: {
    units_purchased: number
    units_consumed: number
    starts_on: string
    ends_on: string
    terminated_on: string | null
  },
  nowMs: number = Date.now()
): ConventionState {
  return balanceFor(
    {
      unitsPurchased: row.units_purchased,
      unitsConsumed: row.units_consumed,
      unitsPending: 0,
      startsOn: row.starts_on,
      endsOn: row.ends_on,
      terminatedOn: row.terminated_on
    },
    parisToday(nowMs)
  ).state
}
