import { isLocked, type InterventionStatus } from '../../../src/shared/domain'
import type { MutationArgs } from '../../../src/shared/sync/mutations'
import type { MutationContext } from './mutation-context'
import { recomputeIntervention } from './recompute'
import { Rejection, unreachable } from './rejection'
import { canWriteIn, type LateWork } from './scope'

const signed = (): Rejection =>
  new Rejection(
    'status.locked',
    'This intervention has been signed by the referent: its time can no longer change.'
  )

function lateWork(ctx: MutationContext, startedAt: string, receivedAt: Date): LateWork {
  return {
    startedAt,
    interventionReceivedAt: receivedAt,
    now: ctx.now,
    graceMs: ctx.config.lateEntryGraceMs
  }
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
  // Locking the intervention serializes concurrent unit recomputations on it.
  const { rows } = await tx.query<{
    collectivite_id: string
    status: InterventionStatus
    received_at: Date
  }>(
    `SELECT collectivite_id, status, received_at FROM interventions
      WHERE id = $1 AND deleted_at IS NULL FOR UPDATE`,
    [args.interventionId]
  )
  const intervention = rows[0]
  if (
    !intervention ||
    !(await canWriteIn(
      tx,
      auth,
      intervention.collectivite_id,
      lateWork(ctx, args.startedAt, intervention.received_at)
    ))
  )
    throw unreachable(auth, 'Intervention', args.interventionId, intervention !== undefined)
  if (isLocked(intervention.status)) throw signed()
  if (args.assetId) {
    const { rows: assets } = await tx.query(
      'SELECT 1 FROM assets WHERE id = $1 AND collectivite_id = $2 AND deleted_at IS NULL',
      [args.assetId, intervention.collectivite_id]
    )
    if (assets.length === 0)
      throw new Rejection('reference.invalid', `Asset ${args.assetId} is not in this municipality.`)
  }
  const futureDated = Date.parse(args.endedAt) > ctx.now.getTime() + ctx.config.futureSkewMs
  const version = await ctx.versions.get()
  await tx.query(
    `INSERT INTO time_entries (id, intervention_id, collectivite_id, technician_id, started_at,
       ended_at, mode, source, asset_id, note, created_at, received_at, future_dated, version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (id) DO NOTHING`,
    [
      args.id,
      args.interventionId,
      intervention.collectivite_id,
      auth.technicianId,
      args.startedAt,
      args.endedAt,
      args.mode,
      args.source,
      args.assetId ?? null,
      args.note ?? null,
      ctx.clientTime,
      ctx.now.toISOString(),
      futureDated,
      version
    ]
  )
  await recomputeIntervention(tx, args.interventionId, version)
  ctx.touched.add(intervention.collectivite_id)
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
  const { rows } = await tx.query<{
    intervention_id: string
    collectivite_id: string
    technician_id: string
    started_at: Date
    voided_at: Date | null
    received_at: Date
  }>(
    `SELECT e.intervention_id, e.collectivite_id, e.technician_id, e.started_at, e.voided_at,
            i.received_at
       FROM time_entries e JOIN interventions i ON i.id = e.intervention_id
      WHERE e.id = $1 AND e.deleted_at IS NULL`,
    [args.id]
  )
  const entry = rows[0]
  if (
    !entry ||
    !(await canWriteIn(
      tx,
      auth,
      entry.collectivite_id,
      lateWork(ctx, entry.started_at.toISOString(), entry.received_at)
    ))
  )
    throw unreachable(auth, 'Time entry', args.id, entry !== undefined)
  if (auth.role !== 'lead' && entry.technician_id !== auth.technicianId)
    throw new Rejection(
      'scope.forbidden',
      'Only its author or a project lead can void a time entry.'
    )
  const { rows: interventions } = await tx.query<{ status: InterventionStatus }>(
    'SELECT status FROM interventions WHERE id = $1 FOR UPDATE',
    [entry.intervention_id]
  )
  if (interventions[0] && isLocked(interventions[0].status)) throw signed()
  if (entry.voided_at) return
  const version = await ctx.versions.get()
  await tx.query(
    `UPDATE time_entries SET voided_at = $2, void_reason = $3, voided_by = $4, version = $5
      WHERE id = $1`,
    [args.id, ctx.now.toISOString(), args.reason, auth.technicianId, version]
  )
  await recomputeIntervention(tx, entry.intervention_id, version)
  ctx.touched.add(entry.collectivite_id)
}
