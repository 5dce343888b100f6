import type { MutationArgs } from '../../../src/shared/sync/mutations'
import type { MutationContext } from './mutation-context'
import { Rejection, unreachable } from './rejection'
import { writableParams, writableSql } from './scope'

/**
 * Logs a remote-control session (issue 4). The technician is the caller, from the token. The
 * asset's municipality must be writable by them under the time-entry rules, late work included:
 * a session that started while they were assigned there may arrive after the unassignment,
 * within the grace delay, and, when it names an intervention, only if that intervention reached
 * the server before the unassignment. The intervention must be of the asset's municipality.
 * Idempotent by id for its author and leads, like time entries.
 */
export async function logRemoteSession(
  ctx: MutationContext,
  args: MutationArgs<'remoteSession.log.v1'>
): Promise<void> {
  const { tx, auth } = ctx
  const { rows: existing } = await tx.query<{ technician_id: string }>(
    'SELECT technician_id FROM remote_sessions WHERE id = $1',
    [args.id]
  )
  const taken = existing[0]
  if (taken) {
    if (auth.role === 'lead' || taken.technician_id === auth.technicianId) return
    throw unreachable(auth, 'Remote session', args.id, true)
  }
  const scope = writableSql(4, {
    collectivite: 'a.collectivite_id',
    late: { startedAt: '$2::timestamptz', receivedAt: 'i.received_at' }
  })
  const { rows } = await tx.query<{
    collectivite_id: string
    writable: boolean
    intervention_collectivite: string | null
  }>(
    `SELECT a.collectivite_id, ${scope} AS writable,
            i.collectivite_id AS intervention_collectivite
       FROM assets a LEFT JOIN interventions i ON i.id = $3::uuid AND i.deleted_at IS NULL
      WHERE a.id = $1 AND a.deleted_at IS NULL`,
    [
      args.assetId,
      args.startedAt,
      args.interventionId ?? null,
      ...writableParams(auth, { now: ctx.now, graceMs: ctx.config.lateEntryGraceMs })
    ]
  )
  const asset = rows[0]
  if (!asset?.writable) throw unreachable(auth, 'Asset', args.assetId, asset !== undefined)
  if (args.interventionId && asset.intervention_collectivite !== asset.collectivite_id)
    throw new Rejection(
      'reference.invalid',
      `Intervention ${args.interventionId} is not an intervention of this asset's municipality.`
    )
  const version = await ctx.versions.get()
  await tx.query(
    `INSERT INTO remote_sessions (id, asset_id, intervention_id, collectivite_id, technician_id,
       protocol, started_at, ended_at, outcome, detail, received_at, version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING`,
    [
      args.id,
      args.assetId,
      args.interventionId ?? null,
      asset.collectivite_id,
      auth.technicianId,
      args.protocol,
      args.startedAt,
      args.endedAt,
      args.outcome,
      args.detail ?? null,
      ctx.now.toISOString(),
      version
    ]
  )
  ctx.touched.add(asset.collectivite_id)
}
