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

/** Whether a pull by this caller shows the rows of a municipality. */
export function canRead(scope: Scope, collectiviteId: string): boolean {
  return scope.all || scope.collectiviteIds.includes(collectiviteId)
}

/**
 * Work done while assigned, reaching the server after the unassignment (an offline laptop
 * catching up). It is accepted only if it started within an assignment period, on an
 * intervention that reached the server before that period ended, and arrives within the grace
 * delay after it: an old assignment is not a key to the municipality's later interventions.
 */
export interface LateWork {
  /** The entry's start, as the client sent it. */
  startedAt: string
  /** Server arrival time of the intervention. */
  interventionReceivedAt: Date
  /** Server arrival time of this mutation. */
  now: Date
  graceMs: number
}

/**
 * Whether the caller may write in a municipality: a lead anywhere that is not deleted, a
 * technician where currently assigned or, for time entries (`late`), as described in LateWork.
 */
export async function canWriteIn(
  q: Queryable,
  auth: AuthContext,
  collectiviteId: string,
  late?: LateWork
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
        AND (unassigned_at IS NULL
          OR ($3::timestamptz IS NOT NULL
            AND assigned_at <= $3::timestamptz AND $3::timestamptz < unassigned_at
            AND $4::timestamptz < unassigned_at
            AND unassigned_at >= $5::timestamptz))
      LIMIT 1`,
    [
      auth.technicianId,
      collectiviteId,
      late?.startedAt ?? null,
      late?.interventionReceivedAt.toISOString() ?? null,
      late ? new Date(late.now.getTime() - late.graceMs).toISOString() : null
    ]
  )
  return rows.length > 0
}
