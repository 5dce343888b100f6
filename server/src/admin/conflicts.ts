import type { Db } from '../db/db'
import { isoFromUtcText } from '../sync/rows'
import { AdminError } from './errors'

/**
 * One overwritten intervention field (sync-api.md, "Conflicts"): the value a technician's edit
 * replaced because it was based on an older version, kept for audit.
 */
export interface ConflictRecord {
  id: number
  at: string
  interventionId: string
  interventionTitle: string
  collectivite: string | null
  field: string
  oldValue: unknown
  oldWrittenBy: { id: string | null; name: string | null }
  oldVersion: number | null
  newValue: unknown
  writtenBy: { id: string; name: string | null }
  baseVersion: number
  version: number
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * The conflict log, newest first, optionally for one intervention. Authors are named when they
 * are still accounts (the log keeps their ids either way).
 */
export async function listConflicts(
  db: Db,
  options: { interventionId?: string; limit: number }
): Promise<ConflictRecord[]> {
  const interventionId = options.interventionId ?? null
  if (interventionId !== null && !UUID.test(interventionId))
    throw new AdminError('validation.failed', '--intervention takes an intervention id (a UUID).')
  const { rows } = await db.query<{
    id: string | number
    at: string
    intervention_id: string
    title: string
    collectivite: string | null
    field: string
    old_value: unknown
    old_written_by: string | null
    old_name: string | null
    old_version: string | number | null
    new_value: unknown
    written_by: string
    new_name: string | null
    base_version: string | number
    version: string | number
  }>(
    `SELECT c.id, (c.at AT TIME ZONE 'UTC')::text AS at, c.intervention_id, i.title,
            col.name AS collectivite, c.field, c.old_value, c.old_written_by,
            ow.name AS old_name, c.old_version, c.new_value, c.written_by, nw.name AS new_name,
            c.base_version, c.version
       FROM conflicts c
       JOIN interventions i ON i.id = c.intervention_id
       LEFT JOIN collectivites col ON col.id = i.collectivite_id
       LEFT JOIN technicians ow ON ow.id::text = c.old_written_by
       LEFT JOIN technicians nw ON nw.id::text = c.written_by
      WHERE $1::uuid IS NULL OR c.intervention_id = $1::uuid
      ORDER BY c.id DESC
      LIMIT $2`,
    [interventionId, options.limit]
  )
  return rows.map((r) => ({
    id: Number(r.id),
    at: isoFromUtcText(r.at),
    interventionId: r.intervention_id,
    interventionTitle: r.title,
    collectivite: r.collectivite,
    field: r.field,
    oldValue: r.old_value,
    oldWrittenBy: { id: r.old_written_by, name: r.old_name },
    oldVersion: r.old_version === null ? null : Number(r.old_version),
    newValue: r.new_value,
    writtenBy: { id: r.written_by, name: r.new_name },
    baseVersion: Number(r.base_version),
    version: Number(r.version)
  }))
}

/** The log as an operator reads it: two lines per overwritten value, newest first. */
export function conflictsText(conflicts: readonly ConflictRecord[]): string {
  if (conflicts.length === 0) return 'No overwritten value logged.'
  const who = (a: { id: string | null; name: string | null }) => a.name ?? a.id ?? 'unknown'
  return conflicts
    .map((c) =>
      [
        `${c.at}  ${c.collectivite ?? '?'} — "${c.interventionTitle}" (${c.interventionId})`,
        `  ${c.field}: ${JSON.stringify(c.oldValue)} by ${who(c.oldWrittenBy)}` +
          ` (version ${c.oldVersion ?? '?'}) replaced by ${JSON.stringify(c.newValue)}` +
          ` by ${who(c.writtenBy)} (based on version ${c.baseVersion}, written at ${c.version})`
      ].join('\n')
    )
    .join('\n')
}
