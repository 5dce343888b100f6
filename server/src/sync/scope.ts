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

/** Where a write lands, as SQL expressions (columns of the target row, or parameters). */
export interface WriteTarget {
  collectivite: string
  /**
   * For work that may arrive late (LateWork): when it started, and when its intervention reached
   * the server (an expression that is NULL when there is no intervention to bound it).
   */
  late?: { startedAt: string; receivedAt: string }
}

/**
 * The write rule as a SQL condition, so a mutation checks its scope in the statement that reads
 * (and locks) its target rather than in one more round trip: a lead anywhere that is not
 * deleted, a technician where currently assigned or, for late work, as described in LateWork.
 * Its parameters (writableParams: two, three for late work) start at `$first`.
 */
export function writableSql(first: number, target: WriteTarget): string {
  const [lead, tech, cutoff] = [0, 1, 2].map((i) => `$${first + i}`)
  const { collectivite, late } = target
  const lateBranch = late
    ? `OR (wa.assigned_at <= ${late.startedAt} AND ${late.startedAt} < wa.unassigned_at
           AND (${late.receivedAt} IS NULL OR ${late.receivedAt} < wa.unassigned_at)
           AND wa.unassigned_at >= ${cutoff}::timestamptz)`
    : ''
  return `(EXISTS (SELECT 1 FROM collectivites wc
                 WHERE wc.id = ${collectivite} AND wc.deleted_at IS NULL)
     AND (${lead}::boolean OR EXISTS (SELECT 1 FROM assignments wa
       WHERE wa.technician_id = ${tech}::uuid AND wa.collectivite_id = ${collectivite}
         AND (wa.unassigned_at IS NULL ${lateBranch}))))`
}

/** The parameters of writableSql; `late` (arrival time and grace delay) for late work only. */
export function writableParams(
  auth: AuthContext,
  late?: { now: Date; graceMs: number }
): unknown[] {
  const params: unknown[] = [auth.role === 'lead', auth.technicianId]
  if (late) params.push(new Date(late.now.getTime() - late.graceMs).toISOString())
  return params
}

/**
 * Whether the caller may write in a municipality now (see writableSql), as a query of its own
 * for the paths that have no target row to fold it into.
 */
export async function canWriteIn(
  q: Queryable,
  auth: AuthContext,
  collectiviteId: string
): Promise<boolean> {
  const { rows } = await q.query<{ ok: boolean }>(
    `SELECT ${writableSql(2, { collectivite: '$1::uuid' })} AS ok`,
    [collectiviteId, ...writableParams(auth)]
  )
  return rows[0]?.ok === true
}
