import {
  balanceFor,
  isDomainError,
  parisToday,
  tallySpans,
  type ConventionState,
  type InstantSpan,
  type UnitsPolicy
} from '../../../src/shared/domain'
import { prepared, type Queryable } from '../db/db'

/** An intervention whose seconds or units change, as written back by the stamp (touch.ts). */
export interface UnitsChange {
  id: string
  seconds: number
  units: number
}

/**
 * A relation (intervention_id, spans): the non-voided entries' spans of the interventions whose
 * ids `ids` (an SQL array expression) holds, one row each, as a JSON array of [startMs, endMs]
 * (floored to the ms, as parseInstant reads them, before 1970 too: entries are stored at the
 * ms, see atMs), plus those of `more` (a relation with intervention_id, started_at, ended_at:
 * rows a statement inserts, which its own snapshot cannot see yet). An intervention with no
 * entry has no row. Grouped once for all the ids and joined by the caller: a subquery per
 * intervention would scan `more` once per intervention, quadratic in the size of a push.
 */
export function spansSql(ids: string, more?: string): string {
  const extra = more
    ? `UNION ALL SELECT n.intervention_id, n.started_at, n.ended_at FROM ${more} n`
    : ''
  return `(SELECT s.intervention_id, json_agg(json_build_array(
                  floor(extract(epoch FROM s.started_at) * 1000)::float8,
                  floor(extract(epoch FROM s.ended_at) * 1000)::float8)) AS spans
             FROM (SELECT e.intervention_id, e.started_at, e.ended_at FROM time_entries e
                    WHERE e.intervention_id = ANY(${ids}) AND e.voided_at IS NULL
                      AND e.deleted_at IS NULL ${extra}) s
            GROUP BY s.intervention_id)`
}

/**
 * The interventions with their spans, in one round trip. The callers hold these rows locked
 * already (FOR UPDATE is then free); the lock is what makes `units` below the value no one else
 * can change before this transaction ends.
 */
const HEADS = prepared(`SELECT i.id, i.convention_id, c.policy, i.seconds, i.units,
            i.deleted_at IS NOT NULL AS deleted, sp.spans
       FROM interventions i JOIN conventions c ON c.id = i.convention_id
       LEFT JOIN ${spansSql('$1::uuid[]')} sp ON sp.intervention_id = i.id
      WHERE i.id = ANY($1::uuid[]) ORDER BY i.id FOR UPDATE OF i`)

/** What the units of an intervention are computed from (HEADS, or a statement that read it). */
export interface UnitsHead {
  id: string
  convention_id: string
  policy: UnitsPolicy
  seconds: number
  units: number
  deleted: boolean
  /** [startMs, endMs] pairs; JSON text on a driver that leaves json unparsed. */
  spans: Array<[number, number]> | string | null
}

/**
 * Server-side units (sync.md "Units on the server"): an intervention's seconds and units come
 * from its non-voided time entries through the shared rule (tallySpans, as unitsFor) and its
 * agreement's policy, and an agreement's consumption from its interventions. A client's unit
 * figures are never read.
 *
 * A push calls this once, before commit, with every intervention whose entries it changed: each
 * is recomputed once however many of its entries the push touched. `known` are heads the push
 * already read after its last change to them (a batch of time entries returns them): those
 * are not read again. It returns the interventions whose figures change and the change of
 * units per agreement, both written at the end of the push (push-end.ts). Moving a balance by the
 * change rather than re-summing the agreement keeps a push's cost independent of the agreement's
 * size and stays right under concurrency: the increment is applied to the row as it is once its
 * lock is granted, where a SUM would be of the snapshot taken before waiting for that lock.
 */
export async function tallyInterventions(
  q: Queryable,
  ids: ReadonlySet<string>,
  known: ReadonlyMap<string, UnitsHead> = new Map()
): Promise<{
  changed: UnitsChange[]
  deltas: Map<string, number>
  /** Interventions left as they were: a stored entry or policy breaks the rule (see below). */
  unreadable: Array<{ id: string; code: string; reason: string }>
}> {
  const deltas = new Map<string, number>()
  const changed: UnitsChange[] = []
  const unreadable: Array<{ id: string; code: string; reason: string }> = []
  const heads: UnitsHead[] = []
  const unknown: string[] = []
  // Once per intervention: a client may write one id in both cases, the database reads it as one.
  for (const id of new Set([...ids].map((i) => i.toLowerCase()))) {
    const head = known.get(id)
    if (head) heads.push(head)
    else unknown.push(id)
  }
  if (unknown.length > 0) heads.push(...(await q.query<UnitsHead>(HEADS, [unknown.sort()])).rows)
  for (const head of heads) {
    const pairs: Array<[number, number]> | null =
      typeof head.spans === 'string'
        ? (JSON.parse(head.spans) as Array<[number, number]>)
        : head.spans
    const spans: InstantSpan[] = (pairs ?? []).map(([startMs, endMs]) => ({ startMs, endMs }))
    let tally: { seconds: number; units: number }
    try {
      tally = tallySpans(spans, head.policy)
    } catch (error) {
      // Every write path checks a span before storing it, so only an edit made outside Carnet
      // can get here (an entry of 30 h, an agreement's policy set by hand). Failing the push
      // would fail every later push of that laptop too; the figures stay as they were instead,
      // and the caller logs it for the administrator.
      if (!isDomainError(error)) throw error
      unreadable.push({ id: head.id, code: error.code, reason: error.message })
      continue
    }
    const { seconds, units } = tally
    if (seconds === head.seconds && units === head.units) continue
    changed.push({ id: head.id, seconds, units })
    // A deleted intervention does not count in its agreement's consumption.
    const delta = head.deleted ? 0 : units - head.units
    deltas.set(head.convention_id, (deltas.get(head.convention_id) ?? 0) + delta)
  }
  return { changed, deltas, unreadable }
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
