import {
  INTERVENTION_STATUSES,
  isLocked,
  parseInstant,
  type InterventionStatus
} from '../../../src/shared/domain'
import type { MutationArgs } from '../../../src/shared/sync/mutations'
import { prepared } from '../db/db'
import type { MutationContext } from './mutation-context'
import { Rejection, unreachable } from './rejection'
import { writableParams, writableSql } from './scope'

export const signed = (): Rejection =>
  new Rejection(
    'status.locked',
    'This intervention has been signed by the referent: its time can no longer change.'
  )

export const assetInvalid = (assetId: string | null | undefined): Rejection =>
  new Rejection('reference.invalid', `Asset ${assetId} is not in this municipality.`)

export const LOCKED = JSON.stringify(INTERVENTION_STATUSES.filter(isLocked))

/**
 * An entry's instant as stored: to the millisecond, as the shared rule reads it (parseInstant
 * drops digits past the ms), so that the units the server computes from the stored entry are
 * those the laptop computed. PostgreSQL would otherwise round a 7th to 9th digit to the µs.
 */
export const atMs = (iso: string): string => new Date(parseInstant(iso)).toISOString()

/** The write rule for an entry: late work is bounded by its start and its intervention's arrival. */
export const entryScope = (first: number, startedAt: string): string =>
  writableSql(first, {
    collectivite: 'i.collectivite_id',
    late: { startedAt, receivedAt: 'i.received_at' }
  })

export const lateParams = (ctx: MutationContext): unknown[] =>
  writableParams(ctx.auth, { now: ctx.now, graceMs: ctx.config.lateEntryGraceMs })

const INSERT =
  prepared(`INSERT INTO time_entries (id, intervention_id, collectivite_id, technician_id,
       started_at, ended_at, mode, source, asset_id, note, created_at, received_at, future_dated,
       version)
     SELECT $1::uuid, i.id, i.collectivite_id, $3::text, $4::timestamptz, $5::timestamptz, $6::text,
            $7::text, $8::uuid, $9::text, $10::timestamptz, $11::timestamptz, $12::boolean,
            $13::bigint
       FROM interventions i
      WHERE i.id = $2::uuid AND i.deleted_at IS NULL
        AND i.status NOT IN (SELECT jsonb_array_elements_text($14::jsonb))
        AND ($8::uuid IS NULL OR EXISTS (SELECT 1 FROM assets a WHERE a.id = $8::uuid
              AND a.collectivite_id = i.collectivite_id AND a.deleted_at IS NULL))
        AND ${entryScope(15, '$4::timestamptz')}
      FOR UPDATE OF i
     ON CONFLICT (id) DO NOTHING
     RETURNING collectivite_id`)

/**
 * Inserts the entry if everything allows it, in one statement that also locks the intervention
 * (which serializes unit recomputations on it). Nothing inserted means a replay or a refusal:
 * the caller then finds out which, at leisure, since that is the rare path.
 */
async function tryInsert(
  ctx: MutationContext,
  args: MutationArgs<'timeEntry.add.v1'>
): Promise<string | null> {
  const { tx, auth } = ctx
  const futureDated = Date.parse(args.endedAt) > ctx.now.getTime() + ctx.config.futureSkewMs
  const version = await ctx.versions.get()
  const { rows } = await tx.query<{ collectivite_id: string }>(INSERT, [
    args.id,
    args.interventionId,
    auth.technicianId,
    atMs(args.startedAt),
    atMs(args.endedAt),
    args.mode,
    args.source,
    args.assetId ?? null,
    args.note ?? null,
    ctx.clientTime,
    ctx.now.toISOString(),
    futureDated,
    version,
    LOCKED,
    ...lateParams(ctx)
  ])
  return rows[0]?.collectivite_id ?? null
}

/**
 * Appends a time entry. The technician is the caller (from the token, never from the args); the
 * server keeps its arrival time and flags entries dated in the future instead of refusing them:
 * a skewed laptop clock is data, not an error.
 */
export async function addTimeEntry(
  ctx: MutationContext,
  args: MutationArgs<'timeEntry.add.v1'>
): Promise<void> {
  const { tx, auth } = ctx
  let collectiviteId = await tryInsert(ctx, args)
  if (collectiviteId === null) {
    const { rows: existing } = await tx.query<{ technician_id: string }>(
      'SELECT technician_id FROM time_entries WHERE id = $1',
      [args.id]
    )
    const taken = existing[0]
    if (taken) {
      // Idempotent by id for its author (a reinstalled client replaying its outbox) and leads;
      // anyone else's id is not theirs to replay.
      if (auth.role === 'lead' || taken.technician_id === auth.technicianId) return
      throw unreachable(auth, 'Time entry', args.id, true)
    }
    const { rows } = await tx.query<{
      status: InterventionStatus
      writable: boolean
      asset_ok: boolean
    }>(
      `SELECT i.status, ${entryScope(4, '$2::timestamptz')} AS writable,
              ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM assets a WHERE a.id = $3::uuid
                AND a.collectivite_id = i.collectivite_id AND a.deleted_at IS NULL)) AS asset_ok
         FROM interventions i WHERE i.id = $1 AND i.deleted_at IS NULL`,
      [args.interventionId, args.startedAt, args.assetId ?? null, ...lateParams(ctx)]
    )
    const intervention = rows[0]
    if (!intervention?.writable)
      throw unreachable(auth, 'Intervention', args.interventionId, intervention !== undefined)
    if (isLocked(intervention.status)) throw signed()
    if (!intervention.asset_ok) throw assetInvalid(args.assetId)
    // Allowed after all (the situation changed in between): one more try, as a replay would.
    collectiviteId = await tryInsert(ctx, args)
    if (collectiviteId === null) return
  }
  ctx.dirty.add(args.interventionId)
  ctx.touched.add(collectiviteId)
}

/**
 * Voids an entry (entries are append-only: a mistake is voided and re-entered, both kept). A
 * technician voids their own entries; a lead anyone's. Voiding twice changes nothing (the push
 * still re-sends the entry: see touch.ts).
 */
export async function voidTimeEntry(
  ctx: MutationContext,
  args: MutationArgs<'timeEntry.void.v1'>
): Promise<void> {
  const { tx, auth } = ctx
  // Reading the entry locks its intervention: it serializes unit recomputations on it.
  const { rows } = await tx.query<{
    intervention_id: string
    collectivite_id: string
    technician_id: string
    voided_at: Date | null
    status: InterventionStatus
    writable: boolean
  }>(
    `SELECT e.intervention_id, e.collectivite_id, e.technician_id, e.voided_at, i.status,
            ${entryScope(2, 'e.started_at')} AS writable
       FROM time_entries e JOIN interventions i ON i.id = e.intervention_id
      WHERE e.id = $1 AND e.deleted_at IS NULL FOR UPDATE OF i`,
    [args.id, ...lateParams(ctx)]
  )
  const entry = rows[0]
  if (!entry?.writable) throw unreachable(auth, 'Time entry', args.id, entry !== undefined)
  if (auth.role !== 'lead' && entry.technician_id !== auth.technicianId)
    throw new Rejection(
      'scope.forbidden',
      'Only its author or a project lead can void a time entry.'
    )
  if (isLocked(entry.status)) throw signed()
  if (entry.voided_at) return
  const version = await ctx.versions.get()
  await tx.query(
    `UPDATE time_entries SET voided_at = $2, void_reason = $3, voided_by = $4, version = $5
      WHERE id = $1`,
    [args.id, ctx.now.toISOString(), args.reason, auth.technicianId, version]
  )
  ctx.dirty.add(entry.intervention_id)
  ctx.touched.add(entry.collectivite_id)
}
