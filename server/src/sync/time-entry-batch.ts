import { isLocked, type InterventionStatus } from '../../../src/shared/domain'
import type { MutationArgs } from '../../../src/shared/sync/mutations'
import { prepared } from '../db/db'
import type { MutationContext } from './mutation-context'
import { Rejection, unreachable } from './rejection'
import { addTimeEntry, assetInvalid, entryScope, lateParams, signed } from './time-entry-mutators'

export interface BatchEntry {
  args: MutationArgs<'timeEntry.add.v1'>
  clientTime: string
}

/**
 * Per entry: whether its id is taken (and by whom), and whether its intervention exists, may be
 * written by the caller for that start, is not signed and holds its asset. Locks the existing
 * interventions in id order first, as the one-by-one INSERT would (it serializes unit
 * recomputations and status changes on them).
 */
const CHECK = prepared(`WITH x AS (
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::uuid[])
         WITH ORDINALITY AS t(id, intervention_id, started_at, asset_id, ord)),
     i AS MATERIALIZED (
       SELECT i.id, i.status, i.collectivite_id, i.received_at FROM interventions i
        WHERE i.id IN (SELECT intervention_id FROM x) AND i.deleted_at IS NULL
        ORDER BY i.id FOR UPDATE OF i)
     SELECT x.ord::int AS ord, e.technician_id AS taken_by, i.id IS NOT NULL AS found, i.status,
            i.collectivite_id,
            (i.id IS NOT NULL AND ${entryScope(5, 'x.started_at')}) AS writable,
            (x.asset_id IS NULL OR EXISTS (SELECT 1 FROM assets a WHERE a.id = x.asset_id
              AND a.collectivite_id = i.collectivite_id AND a.deleted_at IS NULL)) AS asset_ok
       FROM x LEFT JOIN i ON i.id = x.intervention_id LEFT JOIN time_entries e ON e.id = x.id`)

const INSERT = prepared(`INSERT INTO time_entries (id, intervention_id, collectivite_id,
       technician_id, started_at, ended_at, mode, source, asset_id, note, created_at, received_at,
       future_dated, version)
     SELECT x.id, x.intervention_id, x.collectivite_id, $1::text, x.started_at, x.ended_at, x.mode,
            x.source, x.asset_id, x.note, x.created_at, $2::timestamptz, x.future_dated, $3::bigint
       FROM unnest($4::uuid[], $5::uuid[], $6::uuid[], $7::timestamptz[], $8::timestamptz[],
                   $9::text[], $10::text[], $11::uuid[], $12::text[], $13::timestamptz[],
                   $14::boolean[])
         AS x(id, intervention_id, collectivite_id, started_at, ended_at, mode, source, asset_id,
              note, created_at, future_dated)
     ON CONFLICT (id) DO NOTHING
     RETURNING id`)

function entryAt(entries: readonly BatchEntry[], index: number): BatchEntry {
  const entry = entries[index]
  if (!entry) throw new Error('time entry batch: no entry at this position')
  return entry
}

/**
 * Applies a run of valid `timeEntry.add.v1` (distinct entry ids) as addTimeEntry would one by
 * one, in two statements: one check of every target, one insert of every allowed entry. The
 * outcome of each entry is the same as the one-by-one path's: null when applied or replayed,
 * else its rejection (same codes and wording). An entry whose insert finds its id taken in
 * between (a concurrent push) goes through addTimeEntry itself.
 */
export async function addTimeEntries(
  ctx: MutationContext,
  entries: readonly BatchEntry[]
): Promise<Array<Rejection | null>> {
  const { tx, auth } = ctx
  const outcomes: Array<Rejection | null> = entries.map(() => null)
  if (entries.length === 0) return outcomes
  const { rows } = await tx.query<{
    ord: number
    taken_by: string | null
    found: boolean
    status: InterventionStatus | null
    collectivite_id: string | null
    writable: boolean
    asset_ok: boolean
  }>(CHECK, [
    entries.map((e) => e.args.id),
    entries.map((e) => e.args.interventionId),
    entries.map((e) => e.args.startedAt),
    entries.map((e) => e.args.assetId ?? null),
    ...lateParams(ctx)
  ])
  if (rows.length !== entries.length) throw new Error('time entry batch: check lost rows')
  const insert: Array<{ index: number; collectiviteId: string }> = []
  for (const row of rows) {
    const index = row.ord - 1
    const args = entryAt(entries, index).args
    if (row.taken_by !== null) {
      // Idempotent by id for its author and leads; anyone else's id is not theirs to replay.
      if (auth.role !== 'lead' && row.taken_by !== auth.technicianId)
        outcomes[index] = unreachable(auth, 'Time entry', args.id, true)
      continue
    }
    if (!row.writable || row.collectivite_id === null)
      outcomes[index] = unreachable(auth, 'Intervention', args.interventionId, row.found)
    else if (row.status === null || isLocked(row.status)) outcomes[index] = signed()
    else if (!row.asset_ok) outcomes[index] = assetInvalid(args.assetId)
    else insert.push({ index, collectiviteId: row.collectivite_id })
  }
  if (insert.length === 0) return outcomes
  const version = await ctx.versions.get()
  const skewLimit = ctx.now.getTime() + ctx.config.futureSkewMs
  const col = <T>(f: (e: BatchEntry) => T): T[] => insert.map((r) => f(entryAt(entries, r.index)))
  const { rows: inserted } = await tx.query<{ id: string }>(INSERT, [
    auth.technicianId,
    ctx.now.toISOString(),
    version,
    col((e) => e.args.id),
    col((e) => e.args.interventionId),
    insert.map((r) => r.collectiviteId),
    col((e) => e.args.startedAt),
    col((e) => e.args.endedAt),
    col((e) => e.args.mode),
    col((e) => e.args.source),
    col((e) => e.args.assetId ?? null),
    col((e) => e.args.note ?? null),
    col((e) => e.clientTime),
    col((e) => Date.parse(e.args.endedAt) > skewLimit)
  ])
  const done = new Set(inserted.map((r) => r.id.toLowerCase()))
  for (const { index, collectiviteId } of insert) {
    const { args, clientTime } = entryAt(entries, index)
    if (done.has(args.id.toLowerCase())) {
      ctx.dirty.add(args.interventionId)
      ctx.touched.add(collectiviteId)
      continue
    }
    // Taken in between by a concurrent push: the one-by-one path tells a replay from a refusal.
    try {
      await addTimeEntry({ ...ctx, clientTime }, args)
    } catch (error) {
      if (!(error instanceof Rejection)) throw error
      outcomes[index] = error
    }
  }
  return outcomes
}
