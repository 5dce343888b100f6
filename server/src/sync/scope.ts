import { createHash } from 'node:crypto'
import type { Queryable } from '../db/db'
import type { AuthContext } from '../auth/sessions'

/**
 * Object-level authorization (security.md item 19): a technician reads and writes only the
 * municipalities currently assigned to them; a lead reads and writes all of them.
 */
export interface Scope {
  all: boolean
  /** Sorted; only meaningful when `all` is false. */
  collectiviteIds: string[]
}

export async function readScope(q: Queryable, auth: AuthContext): Promise<Scope> {
  if (auth.role === 'lead') return { all: true, collectiviteIds: [] }
  const { rows } = await q.query<{ collectivite_id: string }>(
    `SELECT DISTINCT collectivite_id FROM assignments
      WHERE technician_id = $1 AND unassigned_at IS NULL ORDER BY collectivite_id`,
    [auth.technicianId]
  )
  return { all: false, collectiviteIds: rows.map((r) => r.collectivite_id) }
}

/**
 * A short digest of what a pull may show: who asks, for which client group, over which
 * municipalities. A cookie made under another fingerprint forces a reset, which is how a
 * reassignment removes rows from the next pull and how a new assignment brings older rows in.
 */
export function scopeFingerprint(auth: AuthContext, clientGroupId: string, scope: Scope): string {
  const what = scope.all ? '*' : scope.collectiviteIds.join(',')
  return createHash('sha256')
    .update(`${auth.technicianId}|${auth.role}|${clientGroupId}|${what}`)
    .digest('base64url')
    .slice(0, 22)
}

/**
 * Whether the caller may write in a municipality. `startedAt` extends the check to work done
 * before a reassignment: a time entry that started while the technician was still assigned is
 * accepted even if it reaches the server after the reassignment.
 */
export async function canWriteIn(
  q: Queryable,
  auth: AuthContext,
  collectiviteId: string,
  startedAt?: string
): Promise<boolean> {
  const { rows: exists } = await q.query(
    'SELECT 1 FROM collectivites WHERE id = $1 AND deleted_at IS NULL',
    [collectiviteId]
  )
  if (exists.length === 0) return false
  if (auth.role === 'lead') return true
  const { rows } = await q.query(
    `SELECT 1 FROM assignments
      WHERE technician_id = $1 AND collectivite_id = $2
        AND (unassigned_at IS NULL OR ($3::timestamptz IS NOT NULL AND $3::timestamptz < unassigned_at))
      LIMIT 1`,
    [auth.technicianId, collectiviteId, startedAt ?? null]
  )
  return rows.length > 0
}
