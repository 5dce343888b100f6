import {
  balanceFor,
  parisToday,
  secondsFor,
  unitsFor,
  type ConventionState,
  type UnitsPolicy
} from '../../../src/shared/domain'
import type { Queryable } from '../db/db'

/**
 * Server-side units (sync.md "Units on the server"): an intervention's seconds and units come
 * from its non-voided time entries through the shared unitsFor and its agreement's policy, and an
 * agreement's consumption from its interventions. A client's unit figures are never read.
 */
export async function recomputeIntervention(
  q: Queryable,
  interventionId: string,
  version: number
): Promise<void> {
  const { rows: head } = await q.query<{ convention_id: string; policy: UnitsPolicy }>(
    `SELECT i.convention_id, c.policy FROM interventions i
       JOIN conventions c ON c.id = i.convention_id WHERE i.id = $1`,
    [interventionId]
  )
  const intervention = head[0]
  if (!intervention) return
  const { rows: entries } = await q.query<{ started_at: Date; ended_at: Date }>(
    `SELECT started_at, ended_at FROM time_entries
      WHERE intervention_id = $1 AND voided_at IS NULL AND deleted_at IS NULL`,
    [interventionId]
  )
  const spans = entries.map((e) => ({
    startedAt: e.started_at.toISOString(),
    endedAt: e.ended_at.toISOString()
  }))
  const seconds = secondsFor(spans)
  const units = unitsFor(spans, intervention.policy)
  const { rowCount } = await q.query(
    `UPDATE interventions SET seconds = $2, units = $3, version = $4
      WHERE id = $1 AND (seconds <> $2 OR units <> $3)`,
    [interventionId, seconds, units, version]
  )
  if (rowCount > 0) await recomputeBalance(q, intervention.convention_id, version)
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
