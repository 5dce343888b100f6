import {
  assertTransition,
  isDomainError,
  isLocked,
  type InterventionStatus
} from '../../../src/shared/domain'
import type { MutationArgs } from '../../../src/shared/sync/mutations'
import type { Queryable } from '../db/db'
import type { MutationContext } from './mutation-context'
import { Rejection, unreachable } from './rejection'
import { canWriteIn, writableParams, writableSql } from './scope'

type FieldVersions = Record<string, { v: number; by: string }>

interface InterventionRow {
  id: string
  collectivite_id: string
  status: InterventionStatus
  field_versions: FieldVersions
  [column: string]: unknown
}

/** Editable field (wire name) → column. */
const COLUMNS: Record<string, string> = {
  title: 'title',
  description: 'description',
  kind: 'kind',
  origin: 'origin',
  priority: 'priority',
  siteId: 'site_id',
  assetIds: 'asset_ids',
  scheduledFor: 'scheduled_for',
  resolution: 'resolution',
  notes: 'notes'
}

/** Site and assets must belong to the intervention's municipality. */
async function checkPlaces(
  q: Queryable,
  collectiviteId: string,
  siteId: string | null | undefined,
  assetIds: readonly string[] | undefined
): Promise<void> {
  if (siteId) {
    const { rows } = await q.query(
      'SELECT 1 FROM sites WHERE id = $1 AND collectivite_id = $2 AND deleted_at IS NULL',
      [siteId, collectiviteId]
    )
    if (rows.length === 0)
      throw new Rejection('reference.invalid', `Site ${siteId} is not a site of this municipality.`)
  }
  if (assetIds && assetIds.length > 0) {
    const unique = [...new Set(assetIds)]
    const { rows } = await q.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM assets
        WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid)
          AND collectivite_id = $2 AND deleted_at IS NULL`,
      [JSON.stringify(unique), collectiviteId]
    )
    if (rows[0]?.n !== unique.length)
      throw new Rejection('reference.invalid', 'An asset listed is not in this municipality.')
  }
}

/** Reads and locks the intervention, checking the caller's scope in the same statement. */
async function lockIntervention(ctx: MutationContext, id: string): Promise<InterventionRow> {
  const { rows } = await ctx.tx.query<InterventionRow & { writable: boolean }>(
    `SELECT i.*, ${writableSql(2, { collectivite: 'i.collectivite_id' })} AS writable
       FROM interventions i WHERE i.id = $1 AND i.deleted_at IS NULL FOR UPDATE`,
    [id, ...writableParams(ctx.auth)]
  )
  const row = rows[0]
  if (!row?.writable) throw unreachable(ctx.auth, 'Intervention', id, row !== undefined)
  return row
}

export async function createIntervention(
  ctx: MutationContext,
  args: MutationArgs<'intervention.create.v1'>
): Promise<void> {
  const { tx, auth } = ctx
  // The id, the scope and the agreement in one round trip.
  const { rows: checks } = await tx.query<{
    taken_in: string | null
    writable: boolean
    convention_ok: boolean
  }>(
    `SELECT (SELECT collectivite_id FROM interventions WHERE id = $1) AS taken_in,
            ${writableSql(4, { collectivite: '$2::uuid' })} AS writable,
            EXISTS (SELECT 1 FROM conventions WHERE id = $3 AND collectivite_id = $2::uuid
                     AND deleted_at IS NULL) AS convention_ok`,
    [args.id, args.collectiviteId, args.conventionId, ...writableParams(auth)]
  )
  const check = checks[0]
  if (check?.taken_in) {
    // Idempotent by id: a reinstalled client replaying its creation changes nothing. An id
    // taken in a municipality the caller may not write is no replay of theirs: refused.
    if (!(await canWriteIn(tx, auth, check.taken_in)))
      throw unreachable(auth, 'Intervention', args.id, true)
    return
  }
  if (!check?.writable) throw unreachable(auth, 'Municipality', args.collectiviteId, false)
  if (!check.convention_ok)
    throw new Rejection(
      'reference.invalid',
      `Agreement ${args.conventionId} is not an agreement of this municipality.`
    )
  await checkPlaces(tx, args.collectiviteId, args.siteId, args.assetIds)
  const version = await ctx.versions.get()
  const stamp = { v: version, by: auth.technicianId }
  const fieldVersions = Object.fromEntries(
    [...Object.keys(COLUMNS), 'status'].map((f) => [f, stamp])
  )
  await tx.query(
    `INSERT INTO interventions (id, collectivite_id, convention_id, kind, origin, priority, status,
       title, description, site_id, asset_ids, scheduled_for, created_by, created_at, updated_at,
       received_at, field_versions, version)
     VALUES ($1, $2, $3, $4, $5, $6, 'planned', $7, $8, $9, $10, $11, $12, $13, $14, $14, $15, $16)
     ON CONFLICT (id) DO NOTHING`,
    [
      args.id,
      args.collectiviteId,
      args.conventionId,
      args.kind,
      args.origin ?? 'technician',
      args.priority ?? 'normal',
      args.title,
      args.description ?? '',
      args.siteId ?? null,
      JSON.stringify(args.assetIds ?? []),
      args.scheduledFor ?? null,
      auth.technicianId,
      ctx.clientTime,
      ctx.now.toISOString(),
      JSON.stringify(fieldVersions),
      version
    ]
  )
  ctx.touched.add(args.collectiviteId)
}

function comparable(value: unknown): string {
  return JSON.stringify(value ?? null)
}

/**
 * Last writer (by server arrival) wins per field. A field that someone else changed after the
 * version this client based its edit on, and whose value differs, is logged in `conflicts`
 * before being overwritten, so the lost value stays available for audit.
 */
export async function updateIntervention(
  ctx: MutationContext,
  args: MutationArgs<'intervention.update.v1'>
): Promise<void> {
  const row = await lockIntervention(ctx, args.id)
  if (isLocked(row.status))
    throw new Rejection(
      'status.locked',
      'This intervention has been signed and can no longer change.'
    )
  const fields = Object.entries(args.fields).filter(([, v]) => v !== undefined)
  await checkPlaces(ctx.tx, row.collectivite_id, args.fields.siteId, args.fields.assetIds)
  const version = await ctx.versions.get()
  const fieldVersions: FieldVersions = { ...row.field_versions }
  const sets: string[] = []
  const params: unknown[] = [args.id]
  for (const [field, value] of fields) {
    const column = COLUMNS[field]
    if (!column) continue
    const current = row[column]
    const last = fieldVersions[field]
    const oldValue = column === 'asset_ids' ? current : (current ?? null)
    if (last && last.v > args.baseVersion && comparable(oldValue) !== comparable(value)) {
      await ctx.tx.query(
        `INSERT INTO conflicts (intervention_id, field, old_value, new_value, old_written_by,
           old_version, written_by, base_version, version)
         VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6, $7, $8, $9)`,
        [
          args.id,
          field,
          comparable(oldValue),
          comparable(value),
          last.by,
          last.v,
          ctx.auth.technicianId,
          args.baseVersion,
          version
        ]
      )
    }
    fieldVersions[field] = { v: version, by: ctx.auth.technicianId }
    params.push(column === 'asset_ids' ? JSON.stringify(value) : value)
    sets.push(`${column} = $${params.length}`)
  }
  params.push(JSON.stringify(fieldVersions), ctx.now.toISOString(), version)
  const n = params.length
  await ctx.tx.query(
    `UPDATE interventions SET ${[...sets, `field_versions = $${n - 2}`, `updated_at = $${n - 1}`, `version = $${n}`].join(', ')}
      WHERE id = $1`,
    params
  )
  ctx.touched.add(row.collectivite_id)
}

/**
 * Status changes follow the shared status machine. Asking for the current status changes
 * nothing (the push still re-sends the row: see touch.ts).
 */
export async function setInterventionStatus(
  ctx: MutationContext,
  args: MutationArgs<'intervention.setStatus.v1'>
): Promise<void> {
  const row = await lockIntervention(ctx, args.id)
  if (row.status === args.status) return
  try {
    assertTransition(row.status, args.status)
  } catch (error) {
    if (isDomainError(error)) throw new Rejection(error.code, error.message)
    throw error
  }
  const version = await ctx.versions.get()
  const fieldVersions = { ...row.field_versions, status: { v: version, by: ctx.auth.technicianId } }
  await ctx.tx.query(
    `UPDATE interventions SET status = $2, field_versions = $3, updated_at = $4, version = $5
      WHERE id = $1`,
    [args.id, args.status, JSON.stringify(fieldVersions), ctx.now.toISOString(), version]
  )
  ctx.touched.add(row.collectivite_id)
}
