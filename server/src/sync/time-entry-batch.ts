import { isLocked, type InterventionStatus } from '../../../src/shared/domain'
import type { MutationArgs } from '../../../src/shared/sync/mutations'
import { prepared } from '../db/db'
import type { MutationContext } from './mutation-context'
import { spansSql, type UnitsHead } from './recompute'
import { Rejection, unreachable } from './rejection'
import { assetInvalid, atMs, entryScope, lateParams, LOCKED, signed } from './time-entry-mutators'

export interface BatchEntry {
  args: MutationArgs<'timeEntry.add.v1'>
  clientTime: string
}

/**
 * Checks and inserts a run in one statement. Per entry: whether its id is taken (and by whom),
 * and whether its intervention exists, may be written by the caller for that start, is not
 * signed and holds its asset; the entries that pass are inserted, and `inserted` says which
 * were. A plain INSERT, not ON CONFLICT DO NOTHING (a speculative insertion costs every row a
 * second look at the key; 50 entries took 2.05 ms instead of 2.26): every writer of entries in
 * the server (pushes, seed-demo, imports) holds the version row first, so no id can be taken
 * between the check and the insert; were one taken anyway, the statement fails and the push is
 * redone with savepoints (NeedsSavepoints, applyAddRun), where this statement, run again, sees
 * the id taken and tells a replay from a refusal. Locks the existing interventions in id order first, as
 * the one-by-one INSERT would (it serializes unit recomputations and status changes on them),
 * looked up by key (`= ANY(ARRAY(...))`: with a few hundred entries the planner would otherwise
 * scan the whole table). The first row of each intervention also carries its units head
 * (recompute.ts) with the entries just inserted, so that the push need not read it again.
 *
 * It stamps the transaction's own version, read from the version row it holds, and writes or
 * locks nothing unless the client row (`$4`, `$9`, `$10`) still has the counter the push
 * started from (`ok`, in every row): so the push can send it in the same round trip as the
 * statement that locks the client and bumps the version (push-start.ts), before knowing whether
 * the client is where it expected; if not, the statement has only read.
 */
const CHECK_AND_INSERT = prepared(`WITH ok AS MATERIALIZED (
       SELECT EXISTS (SELECT 1 FROM clients WHERE client_id = $4::uuid
         AND last_mutation_id = $9::bigint AND client_group_id = $10::uuid
         AND technician_id::text = $2::text) AS ok),
     x AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(id uuid, intervention_id uuid,
         started_at timestamptz, asset_id uuid, ended_at timestamptz, mode text, source text,
         note text, created_at timestamptz, future_dated boolean, ord int)),
     i AS MATERIALIZED (
       SELECT i.id, i.status, i.collectivite_id, i.received_at, i.convention_id, i.seconds,
              i.units
         FROM interventions i
        WHERE i.id = ANY(ARRAY(SELECT intervention_id FROM x)) AND i.deleted_at IS NULL
          AND (SELECT ok FROM ok)
        ORDER BY i.id FOR UPDATE OF i),
     c AS MATERIALIZED (
       SELECT x.*, e.technician_id AS taken_by, i.id IS NOT NULL AS found, i.status,
              i.collectivite_id, i.convention_id, i.seconds, i.units, cv.policy,
              (i.id IS NOT NULL AND ${entryScope(5, 'x.started_at')}) AS writable,
              (x.asset_id IS NULL OR EXISTS (SELECT 1 FROM assets a WHERE a.id = x.asset_id
                AND a.collectivite_id = i.collectivite_id AND a.deleted_at IS NULL)) AS asset_ok
         FROM x LEFT JOIN i ON i.id = x.intervention_id
         LEFT JOIN conventions cv ON cv.id = i.convention_id
         LEFT JOIN time_entries e ON e.id = x.id),
     ins AS (
       INSERT INTO time_entries (id, intervention_id, collectivite_id, technician_id, started_at,
              ended_at, mode, source, asset_id, note, created_at, received_at, future_dated,
              version)
       SELECT c.id, c.intervention_id, c.collectivite_id, $2::text, c.started_at, c.ended_at,
              c.mode, c.source, c.asset_id, c.note, c.created_at, $3::timestamptz,
              c.future_dated, (SELECT value FROM server_version WHERE id = 1)
         FROM c
        WHERE c.taken_by IS NULL AND c.writable AND c.asset_ok AND (SELECT ok FROM ok)
          AND c.status NOT IN (SELECT jsonb_array_elements_text($8::jsonb))
       RETURNING id, intervention_id, started_at, ended_at),
     first AS (SELECT intervention_id, min(ord) AS ord FROM c WHERE found GROUP BY intervention_id)
     SELECT (SELECT ok FROM ok) AS ok, c.ord::int AS ord, c.taken_by, c.found, c.status,
            c.collectivite_id, c.writable, c.asset_ok, c.id IN (SELECT id FROM ins) AS inserted,
            CASE WHEN c.ord IN (SELECT ord FROM first) THEN json_build_object(
              'id', c.intervention_id, 'convention_id', c.convention_id, 'policy', c.policy,
              'seconds', c.seconds, 'units', c.units, 'deleted', false,
              'spans', sp.spans) END AS head
       FROM c LEFT JOIN ${spansSql('ARRAY(SELECT id FROM i)', 'ins')} sp
         ON sp.intervention_id = c.intervention_id`)

function entryAt(entries: readonly BatchEntry[], index: number): BatchEntry {
  const entry = entries[index]
  if (!entry) throw new Error('time entry batch: no entry at this position')
  return entry
}

/** What a run gives back: each entry's outcome, and the heads of the interventions it wrote. */
export interface BatchResult {
  /** Per entry: null when applied or replayed, else its rejection. */
  outcomes: Array<Rejection | null>
  /** The units heads (recompute.ts) of the interventions, as they stand after the run. */
  heads: Map<string, UnitsHead>
}

/** Where the client stands for the push: CHECK_AND_INSERT writes only if it still does. */
export interface ClientAt {
  clientId: string
  clientGroupId: string
  /** The client's counter as stored when the push began (the push updates it only at its end). */
  lastMutationId: number
}

/** One row of CHECK_AND_INSERT per entry. */
export interface CheckRow {
  /** Whether the client row was where the statement was told (else it wrote nothing). */
  ok: boolean
  ord: number
  taken_by: string | null
  found: boolean
  status: InterventionStatus | null
  collectivite_id: string | null
  writable: boolean
  asset_ok: boolean
  inserted: boolean
  head: UnitsHead | string | null
}

/** The statement that checks and inserts a run (CHECK_AND_INSERT) and its parameters. */
export function checkAndInsert(
  ctx: MutationContext,
  entries: readonly BatchEntry[],
  client: ClientAt
): [string, unknown[]] {
  const skewLimit = ctx.now.getTime() + ctx.config.futureSkewMs
  return [
    CHECK_AND_INSERT,
    [
      JSON.stringify(
        entries.map((e, i) => ({
          id: e.args.id,
          intervention_id: e.args.interventionId,
          started_at: atMs(e.args.startedAt),
          asset_id: e.args.assetId ?? null,
          ended_at: atMs(e.args.endedAt),
          mode: e.args.mode,
          source: e.args.source,
          note: e.args.note ?? null,
          created_at: e.clientTime,
          future_dated: Date.parse(e.args.endedAt) > skewLimit,
          ord: i + 1
        }))
      ),
      ctx.auth.technicianId,
      ctx.now.toISOString(),
      client.clientId,
      ...lateParams(ctx),
      LOCKED,
      client.lastMutationId,
      client.clientGroupId
    ]
  ]
}

/**
 * Applies a run of valid `timeEntry.add.v1` (distinct entry ids) as addTimeEntry would one by
 * one, in one statement that checks every target and inserts every allowed entry. The outcome of
 * each entry is the same as the one-by-one path's: null when applied or replayed, else its
 * rejection (same codes and wording). `checked`: the rows of that statement when the push already
 * ran it (with the same context and entries).
 */
export async function addTimeEntries(
  ctx: MutationContext,
  entries: readonly BatchEntry[],
  client: ClientAt,
  checked?: readonly CheckRow[]
): Promise<BatchResult> {
  const { tx, auth } = ctx
  const outcomes: Array<Rejection | null> = entries.map(() => null)
  const heads = new Map<string, UnitsHead>()
  if (entries.length === 0) return { outcomes, heads }
  // The version row is bumped (and held) before the statement stamps rows with it.
  await ctx.versions.get()
  const rows = checked ?? (await tx.query<CheckRow>(...checkAndInsert(ctx, entries, client))).rows
  // The push locked the client and read its counter first: anything else is a bug, and reading
  // these rows as refusals would drop the entries.
  if (rows.some((row) => !row.ok)) throw new Error('time entry batch: the client row moved')
  if (rows.length !== entries.length) throw new Error('time entry batch: check lost rows')
  for (const row of rows) {
    const index = row.ord - 1
    const { args } = entryAt(entries, index)
    if (row.head !== null) {
      const head = typeof row.head === 'string' ? (JSON.parse(row.head) as UnitsHead) : row.head
      heads.set(head.id, head)
    }
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
    else if (row.inserted) {
      ctx.dirty.add(args.interventionId)
      ctx.touched.add(row.collectivite_id)
    } else {
      // The statement inserts every entry that passes these checks, or fails: a bug, and
      // reading it as applied would drop the entry (thrown, the push is redone with savepoints).
      throw new Error('time entry batch: an entry that passed its checks was not inserted')
    }
  }
  return { outcomes, heads }
}
