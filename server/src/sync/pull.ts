import {
  PULL_PAGE_SIZE,
  SCHEMA_VERSION,
  SYNC_TABLES,
  type PullOp,
  type PullRequest,
  type PullResponse
} from '../../../src/shared/sync/protocol'
import type { AuthContext } from '../auth/sessions'
import { prepared, type Db, type Tx } from '../db/db'
import { decodeCookie, encodeCookie, type CookieState } from './cookie'
import { TABLE_SPECS, type TableSpec } from './rows'
import { scopeFingerprint, type Scope } from './scope'

interface Position {
  v: number
  t: number
  k: string
}

interface Candidate {
  v: number
  t: number
  k: string
  row: Record<string, unknown>
  spec: TableSpec
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** A forged cookie must lead to a reset, never to a SQL cast error. */
function positionIsWellFormed(p: Position): boolean {
  if (p.t < -1 || p.t > SYNC_TABLES.length) return false
  if (p.k === '') return true
  const table = SYNC_TABLES[p.t]
  if (table === undefined) return false
  return table === 'rejections' ? /^[0-9a-f-]{36}:\d{1,15}$/.test(p.k) : UUID.test(p.k)
}

function compare(a: Position, b: Position): number {
  if (a.v !== b.v) return a.v - b.v
  if (a.t !== b.t) return a.t - b.t
  return a.k < b.k ? -1 : a.k > b.k ? 1 : 0
}

/**
 * The rows of one table after the position and below `ceiling` (a version no row of this table
 * can reach the page from), in (version, key) order, at most `limit`. Per table the
 * (version, table, key) order reduces to (version, key) with a bound that depends on whether the
 * table sorts before, at or after the position's table; at its table, the bound is a row
 * comparison, which the (version, key) index of every synced table serves directly.
 */
async function readTable(
  tx: Tx,
  spec: TableSpec,
  index: number,
  ctx: {
    auth: AuthContext
    scope: Scope
    clientGroupId: string
    from: Position
    snapshot?: number
  },
  limit: number,
  ceiling: number | null
): Promise<Candidate[]> {
  const params: unknown[] = [ctx.from.v]
  // Keys compare as bytes on both sides (uuid order equals its lowercase text order).
  const key = spec.table === 'rejections' ? `x.${spec.key} COLLATE "C"` : `x.${spec.key}`
  const where: string[] = []
  if (index < ctx.from.t) where.push('x.version > $1')
  else if (index > ctx.from.t || ctx.from.k === '') where.push('x.version >= $1')
  else {
    params.push(ctx.from.k)
    const cast = spec.table === 'rejections' ? '' : '::uuid'
    where.push(`(x.version, ${key}) > ($1, $2${cast})`)
  }
  if (ceiling !== null) {
    params.push(ceiling)
    where.push(`x.version < $${params.length}`)
  }
  if (spec.table === 'rejections') {
    params.push(ctx.clientGroupId, ctx.auth.technicianId)
    where.push(`x.client_group_id = $${params.length - 1} AND x.technician_id = $${params.length}`)
  } else if (!ctx.scope.all) {
    params.push(JSON.stringify(ctx.scope.collectiviteIds))
    where.push(
      `x.${spec.scopeColumn} IN (SELECT jsonb_array_elements_text($${params.length}::jsonb)::uuid)`
    )
  }
  if (ctx.snapshot !== undefined) {
    params.push(ctx.snapshot)
    where.push(`(x.deleted_at IS NULL OR x.version > $${params.length})`)
  }
  params.push(limit)
  const { rows } = await tx.query<Record<string, unknown>>(
    `SELECT ${spec.select} FROM ${spec.from} WHERE ${where.join(' AND ')}
      ORDER BY x.version, ${key} LIMIT $${params.length}`,
    params
  )
  return rows.map((row) => ({
    v: Number(row.version),
    t: index,
    k: String(row[spec.key]),
    row,
    spec
  }))
}

function toOp(c: Candidate, nowMs: number): PullOp {
  return c.row.deleted_at
    ? { op: 'del', table: c.spec.table, key: c.k }
    : { op: 'put', table: c.spec.table, key: c.k, value: c.spec.toWire(c.row, nowMs) }
}

const specOf = (name: string): TableSpec => {
  const spec = TABLE_SPECS.find((s) => s.table === name)
  if (!spec) throw new Error(`No table spec for ${name}`)
  return spec
}

/**
 * What a page needs before its rows, in one round trip (`$1` the caller, `$2` the client group,
 * `$3`/`$4` the version and table index the cookie claims): the server's version, the database
 * id, the caller's municipalities (technicians only), the group's mutation counters, and per
 * table (`p0`...) whether it may hold a row after that position. A table with none is not
 * queried: a page in the middle of one table then costs one query, not one per table before
 * it. The probes ignore the scope fingerprint and tombstone rules, so they may say yes for
 * nothing (the table's query then finds no row), never no for a row that is due.
 */
function headSql(lead: boolean): string {
  const assigned = `SELECT collectivite_id FROM assignments
      WHERE technician_id = $1::uuid AND unassigned_at IS NULL`
  const probes = SYNC_TABLES.map((name, i) => {
    const spec = specOf(name)
    // version > v for tables before the cookie's, version >= v from it on (integers).
    const lower = `x.version >= $3::bigint + (CASE WHEN ${i} < $4::int THEN 1 ELSE 0 END)`
    const scope =
      spec.scopeColumn === null
        ? 'x.client_group_id = $2::uuid AND x.technician_id = $1::uuid'
        : lead
          ? 'true'
          : `x.${spec.scopeColumn} IN (${assigned})`
    // A scalar subquery, not EXISTS (which drops ORDER BY and LIMIT): it walks the (version,
    // key) index up from the bound whatever the plan guesses, and stops at once when nothing is
    // there, where a generic plan of EXISTS would scan the whole table.
    return `(SELECT x.version FROM ${spec.sql} x WHERE ${lower} AND ${scope}
      ORDER BY x.version LIMIT 1) IS NOT NULL AS p${i}`
  })
  // Sorted and distinct, as the scope fingerprint wants it.
  const scope = lead
    ? "''"
    : `(SELECT string_agg(c::text, ',' ORDER BY c) FROM (SELECT DISTINCT c FROM (${assigned}) a(c)) d)`
  return prepared(`SELECT (SELECT value FROM server_version WHERE id = 1) AS version,
      (SELECT value FROM meta WHERE key = 'database_id') AS database_id,
      ${scope} AS scope,
      (SELECT string_agg(client_id::text || ':' || last_mutation_id::text, ',') FROM clients
        WHERE client_group_id = $2::uuid AND technician_id = $1::uuid) AS clients,
      ${probes.join(',\n      ')}`)
}

const HEAD = { lead: headSql(true), technician: headSql(false) }

interface Head {
  version: number
  database_id: string | null
  scope: string | null
  clients: string | null
  [probe: `p${number}`]: boolean
}

/**
 * Answers a pull (sync.md "Pull") from one consistent snapshot: ops after the cookie's position
 * in (version, table, key) order, a page at a time, or the whole current scope from the start
 * (`reset: true`) when the cookie is missing, unreadable, from another database or schema (the
 * server's, or the one the client pulled with), ahead of the server, or made under another scope.
 */
export async function answerPull(
  db: Db,
  auth: AuthContext,
  request: PullRequest,
  pageSize = PULL_PAGE_SIZE
): Promise<PullResponse> {
  const nowMs = Date.now()
  return db.transaction(
    async (tx) => {
      const decoded = decodeCookie(request.cookie)
      // A forged position must lead to a reset, never reach SQL (t is bound as an int).
      const cookie = decoded && positionIsWellFormed(decoded) ? decoded : null
      const { rows: heads } = await tx.query<Head>(
        auth.role === 'lead' ? HEAD.lead : HEAD.technician,
        [auth.technicianId, request.clientGroupId, cookie?.v ?? 0, cookie?.t ?? -1]
      )
      const head = heads[0]
      if (!head) throw new Error('pull: no head row')
      const version = Number(head.version)
      const databaseId = head.database_id ?? ''
      const scope: Scope =
        auth.role === 'lead'
          ? { all: true, collectiviteIds: [] }
          : { all: false, collectiviteIds: head.scope ? head.scope.split(',') : [] }
      const fingerprint = scopeFingerprint(auth, request.clientGroupId, scope)
      const valid =
        cookie !== null &&
        // Not the request's version against the server's: a client of another version would
        // then be reset on every page, and never get past the first of a large scope.
        (cookie.c ?? 1) === request.schemaVersion &&
        cookie.d === databaseId &&
        cookie.f === fingerprint &&
        cookie.v <= version
      const reset = !valid
      const from: Position = valid ? cookie : { v: 0, t: -1, k: '' }
      const snapshot = valid ? cookie.z : version
      const ctx = { auth, scope, clientGroupId: request.clientGroupId, from, snapshot }

      // The first pageSize + 1 rows in (version, table, key) order decide the page and `more`.
      // Once that many are in hand, a later table can only displace them with a lower version:
      // its query is bounded below that version, and skipped when no version is left.
      let candidates: Candidate[] = []
      for (const [index, name] of SYNC_TABLES.entries()) {
        // The probes were made for the cookie's position: after a reset every table is read.
        if (valid && index !== from.t && !head[`p${index}`]) continue
        const spec = specOf(name)
        const cutoff = candidates[pageSize]
        if (cutoff && cutoff.v <= from.v) break
        const rows = await readTable(tx, spec, index, ctx, pageSize + 1, cutoff?.v ?? null)
        // Each table's rows come sorted: only a page mixing tables needs sorting.
        candidates =
          candidates.length === 0
            ? rows
            : [...candidates, ...rows].sort(compare).slice(0, pageSize + 1)
      }
      const more = candidates.length > pageSize
      const page = candidates.slice(0, pageSize)
      const lastSent = page[page.length - 1]
      // Complete: everything up to the snapshot's version has been sent.
      const position: Position =
        more && lastSent
          ? { v: lastSent.v, t: lastSent.t, k: lastSent.k }
          : { v: version, t: SYNC_TABLES.length, k: '' }
      const state: CookieState = {
        ...position,
        f: fingerprint,
        d: databaseId,
        s: SCHEMA_VERSION,
        c: request.schemaVersion,
        ...(more && snapshot !== undefined ? { z: snapshot } : {})
      }

      const lastMutationIds: Record<string, number> = {}
      for (const pair of head.clients ? head.clients.split(',') : []) {
        const [clientId = '', last = '0'] = pair.split(':')
        lastMutationIds[clientId] = Number(last)
      }
      return {
        cookie: encodeCookie(state),
        reset,
        more,
        lastMutationIds,
        ops: page.map((c) => toOp(c, nowMs))
      }
    },
    { isolation: 'repeatable read' }
  )
}
